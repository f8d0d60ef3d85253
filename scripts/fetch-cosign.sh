#!/usr/bin/env bash
# Bring the real cosign (Debian trixie's package, 2.5.x) into <repo>/.cache/cosign/usr/bin/cosign,
# without touching the machine's apt set-up. It is a test peer for the interop tests only.
#
# How (see ../shared/docs/toolchain.md, "The real cosign, as a test peer"):
#   - a PRIVATE sources list naming the same Debian archive URIs this machine already uses
#     (read at run time from /etc/apt/sources.list.d/*.sources, or one-line *.list /
#     /etc/apt/sources.list) with suite `trixie` and component `main`. No mirror or registry
#     host is ever written into this repository;
#   - apt-get update / apt-get download with -o Dir::Etc::SourceList=… -o Dir::Etc::SourceParts=/dev/null
#     -o Dir::State::Lists=… -o Dir::Cache=… all inside .cache/cosign/apt, so the system's own
#     package lists and caches are left alone (the machine's apt.conf.d settings still apply);
#   - dpkg-deb -x into .cache/cosign.
#
# Signature checking is KEPT. apt verifies trixie's InRelease with the keyring named in the
# private list's [signed-by=…] and `apt-get download` then checks the .deb against the SHA-256
# in the signed Packages index. Keyring, in order:
#   1. the Signed-By keyring of the machine's own Debian source (on Debian 12 that is
#      /usr/share/keyrings/debian-archive-keyring.gpg). debian-archive-keyring 2023.3+deb12u2
#      already contains the trixie keys ("Debian Archive Automatic Signing Key (13/trixie)",
#      "Debian Stable Release Key (13/trixie)"); checked on this machine on 2026-11-25;
#   2. if that fails (an older bookworm keyring without the trixie keys), the newest
#      `debian-archive-keyring` .deb of the machine's OWN release is downloaded through another
#      private list (verified with the machine's existing keyring: a chain of trust, not a leap),
#      unpacked into the cache and used as [signed-by=…] for trixie;
#   3. nothing else: there is no silent `[trusted=yes]` fallback. Only if you set
#      SIGIL_COSIGN_ALLOW_UNVERIFIED=1 yourself is the list marked trusted=yes (never in CI).
#
# Cached: when the binary is present and `cosign version` works, nothing is downloaded.
# Env: SIGIL_COSIGN_SUITE (default trixie), SIGIL_COSIGN_CACHE (default <repo>/.cache/cosign),
#      SIGIL_COSIGN_KEYRING (use this keyring instead of the machine source's Signed-By).
# Prints progress to stderr and, on success, the binary's path on stdout.
set -euo pipefail

say() { printf 'fetch-cosign: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SUITE=${SIGIL_COSIGN_SUITE:-trixie}
CACHE=${SIGIL_COSIGN_CACHE:-$REPO_ROOT/.cache/cosign}
BIN=$CACHE/usr/bin/cosign
APT_DIR=$CACHE/apt

# cosign never needs the network for `version`; keep it that way.
cosign_version() {
  env -u NO_PROXY -u no_proxy HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 \
    "$BIN" version 2>&1
}

# Debian builds cosign without ldflags, so `cosign version` says "GitVersion: devel"; the
# package version (recorded in $CACHE/VERSION at unpack time) is the real one.
report() {
  local v
  v=$(cat "$CACHE/VERSION" 2>/dev/null || true)
  say "cosign ${v:-?} (Debian $SUITE package) at $BIN"
  case "$v" in
    2.5.0|2.5.0-*) ;;
    *) say "warning: expected cosign 2.5.0, got '${v:-unknown}' (the $SUITE package may have moved on)" ;;
  esac
  printf '%s\n' "$BIN"
}

if [[ -x $BIN ]] && cosign_version >/dev/null; then
  report
  exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found (a Debian-based machine is needed to fetch cosign)"
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

TRIXIE_LIST=$APT_DIR/trixie.list
write_trixie_list() { # $1 = option list inside [ ]
  printf 'deb [%s] %s %s main\n' "$1" "$URI" "$SUITE" >"$TRIXIE_LIST"
}

verified=false
write_trixie_list "signed-by=$MACHINE_KEYRING"
say "apt-get update ($SUITE main, private lists, signature checked with $MACHINE_KEYRING)"
if private_update "$TRIXIE_LIST"; then
  verified=true
else
  # Fallback 2: the newest debian-archive-keyring of the machine's own release, verified by the
  # machine's current keyring, and then used to check trixie.
  say "could not verify $SUITE with the machine's keyring; fetching the newest debian-archive-keyring of '$CODENAME'"
  OWN_LIST=$APT_DIR/own.list
  # The release suite itself (point releases carry keyring updates; -updates may be signed by
  # other keys and would fail the check).
  printf 'deb [signed-by=%s] %s %s main\n' "$MACHINE_KEYRING" "$URI" "$CODENAME" >"$OWN_LIST"
  KEYRING_DIR=$CACHE/keyring
  if private_update "$OWN_LIST" &&
    (cd "$APT_DIR/debs" && rm -f debian-archive-keyring_*.deb && private_apt "$OWN_LIST" download debian-archive-keyring >&2) &&
    rm -rf "$KEYRING_DIR" && dpkg-deb -x "$APT_DIR"/debs/debian-archive-keyring_*.deb "$KEYRING_DIR" &&
    [[ -r $KEYRING_DIR/usr/share/keyrings/debian-archive-keyring.gpg ]]; then
    write_trixie_list "signed-by=$KEYRING_DIR/usr/share/keyrings/debian-archive-keyring.gpg"
    say "apt-get update ($SUITE main, signature checked with the newer keyring)"
    if private_update "$TRIXIE_LIST"; then verified=true; fi
  fi
fi

if [[ $verified != true ]]; then
  if [[ ${SIGIL_COSIGN_ALLOW_UNVERIFIED:-} == 1 && ${CI:-} != true ]]; then
    say "WARNING: SIGIL_COSIGN_ALLOW_UNVERIFIED=1: fetching $SUITE's cosign WITHOUT a signature check"
    write_trixie_list "trusted=yes"
    private_update "$TRIXIE_LIST" || die "apt-get update for $SUITE failed"
  else
    die "the $SUITE archive's signature could not be verified (see the apt output above); not fetching cosign"
  fi
fi

say "apt-get download cosign"
(
  cd "$APT_DIR/debs"
  rm -f cosign_*.deb
  private_apt "$TRIXIE_LIST" download cosign >&2
) || die "apt-get download cosign failed"
debs=("$APT_DIR"/debs/cosign_*.deb)
DEB=${debs[0]}
[[ -f $DEB ]] || die "no cosign .deb was downloaded"

say "unpacking $(basename "$DEB")"
rm -rf "${CACHE:?}/usr"
dpkg-deb -x "$DEB" "$CACHE"
dpkg-deb -f "$DEB" Version >"$CACHE/VERSION"
[[ -x $BIN ]] || die "the package did not contain usr/bin/cosign"
cosign_version >/dev/null || die "$BIN does not run: $(cosign_version | head -n 3)"
report
