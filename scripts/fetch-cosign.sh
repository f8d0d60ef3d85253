#!/usr/bin/env bash
# Bring the real cosign into the repo's cache, without touching the machine's apt set-up. It is a
# test peer for the interop tests only. Two majors, each from its own Debian suite and cache:
#
#   scripts/fetch-cosign.sh      cosign 2.5.x (Debian trixie)        -> .cache/cosign/usr/bin/cosign
#   scripts/fetch-cosign.sh 3    cosign 3.1.x (Debian forky, else sid) -> .cache/cosign3/usr/bin/cosign
#   scripts/fetch-cosign.sh skopeo  skopeo 1.18 (Debian trixie)        -> .cache/skopeo/skopeo
#
# skopeo is the third peer: Debian 12's skopeo has sigstore support compiled out, trixie's has it
# (policy type sigstoreSigned). It needs glibc 2.38, so trixie's libc6 and the libraries it links
# (gpgme, assuan, gpg-error, sqlite) are unpacked beside it and .cache/skopeo/skopeo is a small
# wrapper that runs it with trixie's own loader and that library path; the system is untouched.
#
# How (see ../shared/docs/toolchain.md, "The real cosign, as a test peer"):
#   - a PRIVATE sources list naming the same Debian archive URIs this machine already uses
#     (read at run time from /etc/apt/sources.list.d/*.sources, or one-line *.list /
#     /etc/apt/sources.list) with the wanted suite and component `main`. No mirror or registry
#     host is ever written into this repository;
#   - apt-get update / apt-get download with -o Dir::Etc::SourceList=… -o Dir::Etc::SourceParts=/dev/null
#     -o Dir::State::Lists=… -o Dir::Cache=… all inside <cache>/apt, so the system's own
#     package lists and caches are left alone (the machine's apt.conf.d settings still apply);
#   - dpkg-deb -x into the cache.
#
# Signature checking is KEPT. apt verifies the suite's InRelease with the keyring named in the
# private list's [signed-by=…] and `apt-get download` then checks the .deb against the SHA-256
# in the signed Packages index. Keyrings are tried in this order, each only if the ones before
# could not verify the suite (a chain of trust, never a leap):
#   1. the Signed-By keyring of the machine's own Debian source (on Debian 12 that is
#      /usr/share/keyrings/debian-archive-keyring.gpg). debian-archive-keyring 2023.3+deb12u2
#      already contains the trixie keys ("Debian Archive Automatic Signing Key (13/trixie)",
#      "Debian Stable Release Key (13/trixie)"); checked on this machine on 2026-11-25. Debian
#      signs forky and sid with the same archive keys (checked for cosign 3 on 2026-12-07);
#   2. the newest `debian-archive-keyring` .deb of the machine's OWN release, fetched through
#      another private list verified with keyring 1, unpacked into the cache;
#   3. for cosign 3 only: trixie's `debian-archive-keyring` .deb, fetched through a private
#      trixie list verified with keyring 1 or 2 (it carries the keys of the release after it,
#      should forky/sid move to keys the machine's release does not know yet);
#   nothing else: there is no silent `[trusted=yes]` fallback. Only if you set
#   SIGIL_COSIGN_ALLOW_UNVERIFIED=1 yourself is the list marked trusted=yes (never in CI).
#
# For cosign 3 the suites are tried in order (forky, then sid): a suite whose archive cannot be
# verified, that has no cosign, or whose cosign is not 3.x, is skipped with a message.
#
# Cached: when the binary is present and `cosign version` works, nothing is downloaded.
# Env: SIGIL_COSIGN_SUITE (default trixie), SIGIL_COSIGN_CACHE (default <repo>/.cache/cosign);
#      SIGIL_COSIGN3_SUITES (default "forky sid"), SIGIL_COSIGN3_CACHE (default <repo>/.cache/cosign3);
#      SIGIL_COSIGN_KEYRING (use this keyring instead of the machine source's Signed-By).
# Prints progress to stderr and, on success, the binary's path on stdout.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MAJOR=${1:-2}
case $MAJOR in
  2)
    TAG=fetch-cosign
    read -r -a SUITES <<<"${SIGIL_COSIGN_SUITE:-trixie}"
    CACHE=${SIGIL_COSIGN_CACHE:-$REPO_ROOT/.cache/cosign}
    EXPECTED=2.5.0
    # Keyring suites beyond the machine's own release (step 3 above): none needed for trixie.
    EXTRA_KEYRING_SUITES=()
    ;;
  3)
    TAG=fetch-cosign3
    read -r -a SUITES <<<"${SIGIL_COSIGN3_SUITES:-forky sid}"
    CACHE=${SIGIL_COSIGN3_CACHE:-$REPO_ROOT/.cache/cosign3}
    EXPECTED=3.1.1
    EXTRA_KEYRING_SUITES=(trixie)
    ;;
  skopeo)
    TAG=fetch-skopeo
    read -r -a SUITES <<<"${SIGIL_SKOPEO_SUITE:-trixie}"
    CACHE=${SIGIL_SKOPEO_CACHE:-$REPO_ROOT/.cache/skopeo}
    EXPECTED=1.18.0
    EXTRA_KEYRING_SUITES=()
    ;;
  *)
    printf 'usage: %s [2|3|skopeo]   (cosign major, default 2; or skopeo)\n' "$0" >&2
    exit 2
    ;;
esac
((${#SUITES[@]})) || { printf '%s: ERROR: no suite given\n' "$TAG" >&2; exit 1; }

say() { printf '%s: %s\n' "$TAG" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

BIN=$CACHE/usr/bin/cosign
APT_DIR=$CACHE/apt
PACKAGE=cosign
# Libraries skopeo needs beyond the machine's (glibc >= 2.38 and what libgpgme links).
SKOPEO_LIBS=(libc6 libgpgme11t64 libassuan9 libgpg-error0 libsqlite3-0)
if [[ $MAJOR == skopeo ]]; then
  BIN=$CACHE/skopeo
  PACKAGE=skopeo
fi

# cosign never needs the network for `version`; keep it that way.
cosign_version() {
  local arg=version
  [[ $PACKAGE == skopeo ]] && arg=--version
  env -u NO_PROXY -u no_proxy HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 \
    "$BIN" "$arg" 2>&1
}

# Debian builds cosign without ldflags, so `cosign version` says "GitVersion: devel"; the
# package version (recorded in $CACHE/VERSION at unpack time, with the suite in $CACHE/SUITE)
# is the real one.
report() {
  local v s
  v=$(cat "$CACHE/VERSION" 2>/dev/null || true)
  s=$(cat "$CACHE/SUITE" 2>/dev/null || printf '%s' "${SUITES[0]}")
  say "$PACKAGE ${v:-?} (Debian $s package) at $BIN"
  case "$v" in
    "$EXPECTED" | "$EXPECTED"[-+]*) ;;
    *) say "warning: expected $PACKAGE $EXPECTED, got '${v:-unknown}' (the $s package may have moved on)" ;;
  esac
  printf '%s\n' "$BIN"
}

if [[ -x $BIN ]] && cosign_version >/dev/null; then
  report
  exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found (a Debian-based machine is needed to fetch $PACKAGE)"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"

# --- the machine's own Debian source: URIs + Signed-By, read from its apt configuration -------
CODENAME=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
[[ -n $CODENAME ]] || die "cannot read VERSION_CODENAME from /etc/os-release"

# Prints "URI<TAB>SIGNED_BY" for each deb822 stanza (Types: deb) whose Suites include $CODENAME.
deb822_sources() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    awk -v suite="$CODENAME" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && enabled !~ /^(no|false|0)$/) {
          n = split(uris, u, " ")
          for (i = 1; i <= n; i++) print u[i] "\t" signedby
        }
        types = ""; suites = ""; uris = ""; signedby = ""; enabled = ""; key = ""
      }
      /^#/ { next }
      /^[[:space:]]*$/ { flush(); next }
      /^[[:space:]]/ { if (key == "signed-by" && signedby !~ /^\//) signedby = "INLINE"; next }
      {
        key = tolower($1); sub(/:$/, "", key)
        val = $0; sub(/^[^:]*:[[:space:]]*/, "", val); sub(/[[:space:]]+$/, "", val)
        if (key == "types") types = val
        else if (key == "suites") suites = val
        else if (key == "uris") uris = val
        else if (key == "enabled") enabled = tolower(val)
        else if (key == "signed-by") signedby = (val ~ /^\// ? val : "INLINE")
      }
      END { flush() }
    ' "$f"
  done
}

# Same, from one-line "deb [opts] URI SUITE COMPONENTS" files.
oneline_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    awk -v suite="$CODENAME" '
      $1 != "deb" { next }
      {
        sb = ""; i = 2
        if ($2 ~ /^\[/) {
          while (i <= NF) {
            if ($i ~ /^\[?signed-by=/) { sb = $i; sub(/^\[?signed-by=/, "", sb); sub(/\]$/, "", sb) }
            if ($i ~ /\]$/) { i++; break }
            i++
          }
        }
        if ($(i + 1) == suite) print $i "\t" sb
      }
    ' "$f"
  done
}

SOURCE_LINE=$(deb822_sources | head -n 1)
[[ -n $SOURCE_LINE ]] || SOURCE_LINE=$(oneline_sources | head -n 1)
[[ -n $SOURCE_LINE ]] || die "no enabled 'deb' source for suite '$CODENAME' found in /etc/apt (needed to find the Debian archive this machine uses)"
URI=${SOURCE_LINE%%$'\t'*}
MACHINE_KEYRING=${SOURCE_LINE#*$'\t'}
if [[ -n ${SIGIL_COSIGN_KEYRING:-} ]]; then
  MACHINE_KEYRING=$SIGIL_COSIGN_KEYRING
elif [[ -z $MACHINE_KEYRING || $MACHINE_KEYRING == INLINE || ! -r $MACHINE_KEYRING ]]; then
  MACHINE_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
fi
[[ -r $MACHINE_KEYRING ]] || die "no readable Debian archive keyring ($MACHINE_KEYRING)"
say "archive: the machine's '$CODENAME' source; keyring $MACHINE_KEYRING"

mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/debs"
# When run as root, apt drops to the _apt user for downloads: let it write into the cache.
if [[ $(id -u) == 0 ]] && id _apt >/dev/null 2>&1; then
  chown -R _apt:root "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/debs" 2>/dev/null || true
fi

# private_apt LIST_FILE apt-get-args…  (state and cache of this list live in $APT_DIR)
private_apt() {
  local list=$1; shift
  apt-get -q \
    -o Dir::Etc::SourceList="$list" \
    -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$APT_DIR/lists" \
    -o Dir::Cache="$APT_DIR/cache" \
    -o Dir::Cache::pkgcache="$APT_DIR/cache/pkgcache.bin" \
    -o Dir::Cache::srcpkgcache="$APT_DIR/cache/srcpkgcache.bin" \
    "$@"
}

# apt-get update exits 0 on some signature problems (it just keeps the old lists and warns), so
# judge by its output as well.
private_update() {
  local list=$1 log=$APT_DIR/update.log
  rm -rf "$APT_DIR/lists" && mkdir -p "$APT_DIR/lists/partial"
  if [[ $(id -u) == 0 ]] && id _apt >/dev/null 2>&1; then chown _apt:root "$APT_DIR/lists/partial" 2>/dev/null || true; fi
  if private_apt "$list" update >"$log" 2>&1 &&
    ! grep -Eq '^(W|E): .*(NO_PUBKEY|not signed|EXPKEYSIG|BADSIG|signature|Signature|Failed to fetch|is no longer signed)' "$log"; then
    return 0
  fi
  sed 's/^/  apt: /' "$log" >&2
  return 1
}

# write_list FILE SUITE OPTIONS  (OPTIONS go inside [ ], e.g. signed-by=/path)
write_list() {
  printf 'deb [%s] %s %s main\n' "$3" "$URI" "$2" >"$1"
}

# private_download LIST PACKAGE: `apt-get download` into $APT_DIR/debs; prints the .deb's path.
private_download() {
  local list=$1 pkg=$2 debs
  (
    cd "$APT_DIR/debs"
    rm -f "${pkg}"_*.deb
    private_apt "$list" download "$pkg" >&2
  ) || return 1
  debs=("$APT_DIR/debs/${pkg}"_*.deb)
  [[ -f ${debs[0]} ]] || return 1
  printf '%s\n' "${debs[0]}"
}

# The chain of keyrings (see the header): KEYRINGS grows one step at a time, on demand.
KEYRINGS=("$MACHINE_KEYRING")
KEYRING_SUITES=("$CODENAME")
for s in "${EXTRA_KEYRING_SUITES[@]}"; do [[ $s == "$CODENAME" ]] || KEYRING_SUITES+=("$s"); done
next_keyring_step=0

# try_keyrings LIST SUITE FROM: write LIST (SUITE main) signed by each of KEYRINGS[FROM..] in
# turn and update it; 0 at the first that verifies (VERIFIED_KEYRING names it).
try_keyrings() {
  local list=$1 suite=$2 from=$3 i
  for ((i = from; i < ${#KEYRINGS[@]}; i++)); do
    write_list "$list" "$suite" "signed-by=${KEYRINGS[i]}"
    say "apt-get update ($suite main, private lists, signature checked with ${KEYRINGS[i]})"
    if private_update "$list"; then
      VERIFIED_KEYRING=${KEYRINGS[i]}
      return 0
    fi
  done
  return 1
}

# add_keyring: one more step of the chain: the newest debian-archive-keyring of the next keyring
# suite, downloaded through a list that one of the keyrings so far verifies. 1 when none is left.
add_keyring() {
  while ((next_keyring_step < ${#KEYRING_SUITES[@]})); do
    local suite=${KEYRING_SUITES[next_keyring_step]} list dir deb
    next_keyring_step=$((next_keyring_step + 1))
    list=$APT_DIR/keyring-$suite.list
    dir=$CACHE/keyring/$suite
    say "fetching the newest debian-archive-keyring of '$suite' (chain of trust from the keyrings so far)"
    # The release suite itself (point releases carry keyring updates; -updates may be signed
    # by other keys and would fail the check).
    if try_keyrings "$list" "$suite" 0 &&
      deb=$(private_download "$list" debian-archive-keyring) &&
      rm -rf "$dir" && mkdir -p "$dir" && dpkg-deb -x "$deb" "$dir" &&
      [[ -r $dir/usr/share/keyrings/debian-archive-keyring.gpg ]]; then
      say "keyring $(dpkg-deb -f "$deb" Version) from '$suite', verified with $VERIFIED_KEYRING"
      KEYRINGS+=("$dir/usr/share/keyrings/debian-archive-keyring.gpg")
      return 0
    fi
    say "could not get a verified debian-archive-keyring from '$suite'"
  done
  return 1
}

# verify_suite LIST SUITE: 0 when SUITE's archive is verified by some keyring of the chain
# (growing it as needed); LIST then holds the verified list and $APT_DIR/lists its indexes.
verify_suite() {
  local list=$1 suite=$2 from=0 n
  for (( ; ; )); do
    n=${#KEYRINGS[@]}
    try_keyrings "$list" "$suite" "$from" && return 0
    from=$n
    say "could not verify $suite with the keyrings so far"
    add_keyring || return 1
  done
}

# fetch_from LIST SUITE: download cosign (or skopeo) from the (updated) LIST and unpack it if it
# is the wanted version.
fetch_from() {
  local list=$1 suite=$2 deb version lib
  say "apt-get download $PACKAGE ($suite)"
  deb=$(private_download "$list" "$PACKAGE") || { say "apt-get download $PACKAGE failed in $suite"; return 1; }
  version=$(dpkg-deb -f "$deb" Version)
  if [[ $PACKAGE == cosign && $version != "$MAJOR".* ]]; then
    say "$suite has cosign $version, not $MAJOR.x"
    return 1
  fi
  say "unpacking $(basename "$deb")"
  rm -rf "${CACHE:?}/usr" "${CACHE:?}/lib" "${CACHE:?}/lib64"
  dpkg-deb -x "$deb" "$CACHE"
  if [[ $PACKAGE == skopeo ]]; then
    for lib in "${SKOPEO_LIBS[@]}"; do
      deb=$(private_download "$list" "$lib") || { say "apt-get download $lib failed in $suite"; return 1; }
      dpkg-deb -x "$deb" "$CACHE"
    done
    # Run with the suite's own loader and libraries; nothing of the machine's is replaced.
    cat >"$BIN" <<'WRAPPER'
#!/bin/sh
# skopeo from Debian trixie, run with trixie's loader and libraries (see scripts/fetch-cosign.sh).
d=$(dirname "$0")
L=$d/usr/lib/x86_64-linux-gnu
exec "$L/ld-linux-x86-64.so.2" --library-path "$L" "$d/usr/bin/skopeo" "$@"
WRAPPER
    chmod 755 "$BIN"
  fi
  printf '%s\n' "$version" >"$CACHE/VERSION"
  printf '%s\n' "$suite" >"$CACHE/SUITE"
}

fetched=false
verified_any=false
for suite in "${SUITES[@]}"; do
  list=$APT_DIR/$suite.list
  if verify_suite "$list" "$suite"; then
    verified_any=true
    if fetch_from "$list" "$suite"; then
      fetched=true
      break
    fi
  else
    say "the $suite archive's signature could not be verified (see the apt output above)"
  fi
done

if [[ $fetched != true && $verified_any != true ]]; then
  if [[ ${SIGIL_COSIGN_ALLOW_UNVERIFIED:-} == 1 && ${CI:-} != true ]]; then
    suite=${SUITES[0]}
    list=$APT_DIR/$suite.list
    say "WARNING: SIGIL_COSIGN_ALLOW_UNVERIFIED=1: fetching $suite's $PACKAGE WITHOUT a signature check"
    write_list "$list" "$suite" "trusted=yes"
    private_update "$list" || die "apt-get update for $suite failed"
    fetch_from "$list" "$suite" && fetched=true
  else
    die "no archive of ${SUITES[*]} could be verified; not fetching $PACKAGE"
  fi
fi
[[ $fetched == true ]] || die "no $PACKAGE ${EXPECTED} could be fetched from ${SUITES[*]}"

[[ -x $BIN ]] || die "the package did not contain usr/bin/$PACKAGE"
cosign_version >/dev/null || die "$BIN does not run: $(cosign_version | head -n 3)"
report
