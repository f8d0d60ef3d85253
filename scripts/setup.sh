#!/usr/bin/env bash
# Set up a machine to build and test sigil. Idempotent: a second run only checks.
#
# Works on a fresh Debian 12 machine that has only Node 20, npm and apt, run as root (no sudo);
# also as a normal user when everything that needs root is already installed.
#   1. pnpm 12.4.2 via `npm i -g` (not corepack: see ../shared/docs/toolchain.md);
#   2. Debian packages the tests use as real peers: docker-registry, skopeo, umoci, SoftHSM2, and
#      buildah and debootstrap, which build the controller's image (deploy/test/image.test.ts)
#      (`apt-get update` once, only when something is missing);
#   3. the real cosign as two test peers via scripts/fetch-cosign.sh: 2.5.0 (Debian trixie) into
#      .cache/cosign and 3.1.1 (Debian forky, else sid) into .cache/cosign3; a failure of either
#      is a set-up failure; and trixie's skopeo 1.18 (sigstore support compiled in, unlike
#      bookworm's) into .cache/skopeo, run with trixie's own loader and libraries;
#   4. `pnpm install --frozen-lockfile` and `pnpm run build` (turbo).
# Package registries and Debian mirrors come only from this machine's own npm/apt configuration;
# this script names none.
#
# Env: SIGIL_SKIP_COSIGN=1 skips step 3, all three peers (not honoured under CI=true).
set -euo pipefail

say() { printf 'setup: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"

PNPM_VERSION=12.4.2
# command -> Debian package
declare -A APT_PACKAGES=([docker-registry]=docker-registry [skopeo]=skopeo [umoci]=umoci [openssl]=openssl [python3]=python3 [softhsm2-util]=softhsm2 [pkcs11-tool]=opensc [buildah]=buildah [debootstrap]=debootstrap)

export TURBO_TELEMETRY_DISABLED=1
export TURBO_NO_UPDATE_NOTIFIER=1
export npm_config_update_notifier=false
export npm_config_fund=false
export npm_config_audit=false

IS_ROOT=false
[[ $(id -u) == 0 ]] && IS_ROOT=true

t0=$SECONDS
elapsed() { printf '%ss' "$((SECONDS - t0))"; }

# --- Node ------------------------------------------------------------------------------------
command -v node >/dev/null || die "node not found (Node >= 20.19 is needed)"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
  die "Node $(node --version) is too old: >= 20.19 is needed"

# --- pnpm ------------------------------------------------------------------------------------
current_pnpm=$(pnpm --version 2>/dev/null || true)
if [[ $current_pnpm != "$PNPM_VERSION" ]]; then
  command -v npm >/dev/null || die "npm not found (needed to install pnpm $PNPM_VERSION)"
  say "installing pnpm $PNPM_VERSION with npm (found: ${current_pnpm:-none})"
  npm i -g "pnpm@$PNPM_VERSION" >&2 ||
    die "npm i -g pnpm@$PNPM_VERSION failed$([[ $IS_ROOT == true ]] || printf ' (not root: install it as root, or set an npm prefix you can write)')"
  hash -r
  current_pnpm=$(pnpm --version 2>/dev/null || true)
  [[ $current_pnpm == "$PNPM_VERSION" ]] ||
    die "pnpm --version says '${current_pnpm:-nothing}' after installing $PNPM_VERSION (is another pnpm earlier in PATH? $(command -v pnpm || true))"
fi
say "pnpm $PNPM_VERSION ok"

# --- Debian packages -------------------------------------------------------------------------
missing=()
for cmd in "${!APT_PACKAGES[@]}"; do
  command -v "$cmd" >/dev/null || missing+=("${APT_PACKAGES[$cmd]}")
done
if ((${#missing[@]})); then
  [[ $IS_ROOT == true ]] || die "missing Debian packages: ${missing[*]} (run this script as root once, or: apt-get install -y ${missing[*]})"
  command -v apt-get >/dev/null || die "apt-get not found; install these yourself: ${missing[*]}"
  say "apt-get update (missing: ${missing[*]})"
  DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 </dev/null
  say "apt-get install -y ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 </dev/null
  for cmd in "${!APT_PACKAGES[@]}"; do
    command -v "$cmd" >/dev/null || die "'$cmd' still not found after apt-get install"
  done
fi
say "docker-registry, skopeo, umoci, buildah ok ($(elapsed))"

# --- cosign (test peer) ----------------------------------------------------------------------
if [[ ${SIGIL_SKIP_COSIGN:-} == 1 && ${CI:-} != true ]]; then
  say "SIGIL_SKIP_COSIGN=1: not fetching cosign 2 or 3 (interop tests will be skipped)"
else
  cosign_path=$(bash "$REPO_ROOT/scripts/fetch-cosign.sh" 2) || die "fetching cosign 2 failed (see above)"
  say "cosign 2 ok: $cosign_path ($(elapsed))"
  cosign3_path=$(bash "$REPO_ROOT/scripts/fetch-cosign.sh" 3) || die "fetching cosign 3 failed (see above)"
  say "cosign 3 ok: $cosign3_path ($(elapsed))"
  # Debian 12's skopeo has sigstore compiled out; trixie's checks a sigstoreSigned policy.
  skopeo_path=$(bash "$REPO_ROOT/scripts/fetch-cosign.sh" skopeo) || die "fetching trixie's skopeo failed (see above)"
  say "skopeo (sigstore) ok: $skopeo_path ($(elapsed))"
fi

# --- dependencies and build ------------------------------------------------------------------
say "pnpm install --frozen-lockfile"
# pkcs11js (the PKCS#11 example plugin) is a native addon: build it against the machine's own
# Node headers instead of letting node-gyp download them (there is no network for that).
[[ -d /usr/include/node ]] && export npm_config_nodedir=/usr
pnpm install --frozen-lockfile </dev/null >&2 || die "pnpm install --frozen-lockfile failed"
say "dependencies ok ($(elapsed))"

say "pnpm run build"
pnpm run build </dev/null >&2 || die "build failed"
say "build ok ($(elapsed))"
