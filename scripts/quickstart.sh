#!/usr/bin/env bash
# sigil quickstart, complete on its own on a fresh Debian 12 machine (Node 20, npm, apt, root):
#   1. set-up: pnpm, Debian tools, dependencies, build (scripts/setup.sh);
#   2. a throw-away local registry (Debian's docker-registry) on 127.0.0.1, a free port, temp storage;
#   3. pushes a small sample image;
#   4. sigil generate-key-pair, sign, verify (prints the JSON claims);
#   5. re-pushes a DIFFERENT image under the same tag and shows `sigil verify` refusing it.
# Everything (keys, registry storage) lives in a temp dir removed on exit; the registry is
# stopped on exit. Env: COSIGN_PASSWORD (default: a demo password, so nothing prompts);
# SIGIL_QUICKSTART_KEEP=1 keeps the temp dir; SIGIL_QUICKSTART_SKIP_SETUP=1 skips step 1 (for
# quick re-runs on a machine that is already set up).
set -euo pipefail
shopt -s inherit_errexit

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
[[ -t 1 ]] || step() { printf '\n==> %s\n' "$*"; }
show() { printf '$ %s\n' "$*"; }

if [[ ${SIGIL_QUICKSTART_SKIP_SETUP:-} != 1 ]]; then
  step "Set-up (toolchain, dependencies, build)"
  # cosign is only a test peer: the quickstart does not need it.
  SIGIL_SKIP_COSIGN=1 bash "$REPO_ROOT/scripts/setup.sh"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sigil-quickstart.XXXXXX")
REGISTRY_PID=
cleanup() {
  local code=$?
  if [[ -n $REGISTRY_PID ]]; then
    kill "$REGISTRY_PID" 2>/dev/null || true
    wait "$REGISTRY_PID" 2>/dev/null || true
  fi
  if [[ ${SIGIL_QUICKSTART_KEEP:-} == 1 ]]; then
    printf 'kept %s\n' "$WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- a local registry ------------------------------------------------------------------------
step "Start a local registry on 127.0.0.1"
PORT=$(node -e '
  const s = require("node:net").createServer()
  s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })')
mkdir -p "$WORK/registry"
cat >"$WORK/registry.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $WORK/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$PORT
EOF
docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
REGISTRY_PID=$!
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  if ! kill -0 "$REGISTRY_PID" 2>/dev/null; then
    cat "$WORK/registry.log" >&2
    printf 'the registry did not start\n' >&2
    exit 1
  fi
  sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || { cat "$WORK/registry.log" >&2; echo 'registry not answering' >&2; exit 1; }
printf 'registry: http://127.0.0.1:%s (pid %s, storage %s)\n' "$PORT" "$REGISTRY_PID" "$WORK/registry"

REPOSITORY=sigil/quickstart
TAG=1.0.0
IMAGE=127.0.0.1:$PORT/$REPOSITORY:$TAG

# push_image: pushes a new random single-arch image to $IMAGE, prints its digest.
# With @sigil/test-servers' pushRandomImage (our own OCI client) from the built packages; if that is
# not available, with umoci (an OCI layout) + skopeo.
push_image() {
  local digest code=0
  # shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
  digest=$(node --input-type=module -e '
    import {pathToFileURL} from "node:url"
    const [root, registry, repository, tag] = process.argv.slice(1)
    let oci, servers
    try {
      oci = await import(pathToFileURL(`${root}/packages/oci/dist/index.js`).href)
      servers = await import(pathToFileURL(`${root}/packages/test-servers/dist/index.js`).href)
    } catch { process.exit(3) }
    if (typeof servers.pushRandomImage !== "function" || typeof oci.RegistryClient !== "function") process.exit(3)
    const r = await servers.pushRandomImage(new oci.RegistryClient(), {registry, repository}, tag)
    console.log(r.digest)
  ' "$REPO_ROOT" "127.0.0.1:$PORT" "$REPOSITORY" "$TAG") || code=$?
  if [[ $code == 0 ]]; then
    printf '%s\n' "$digest"
    return 0
  elif [[ $code != 3 ]]; then
    printf 'pushing with @sigil/test-servers failed (exit %s)\n' "$code" >&2
    return 1
  fi
  printf '(@sigil/test-servers pushRandomImage not built yet: pushing with umoci + skopeo)\n' >&2
  # Fallback: umoci + skopeo.
  local layout=$WORK/layout n
  n=$(date +%s%N)
  [[ -d $layout ]] || umoci init --layout "$layout" >&2
  umoci new --image "$layout:img-$n" >&2
  mkdir -p "$WORK/layer-$n"
  head -c 4096 /dev/urandom >"$WORK/layer-$n/random.bin"
  tar -C "$WORK/layer-$n" -cf "$WORK/layer-$n.tar" random.bin
  umoci raw add-layer --image "$layout:img-$n" "$WORK/layer-$n.tar" >&2
  skopeo --insecure-policy copy --quiet --dest-tls-verify=false \
    "oci:$layout:img-$n" "docker://$IMAGE" >&2
  skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$IMAGE"
}

step "Push a sample image"
DIGEST1=$(push_image)
printf 'pushed %s@%s\n' "$IMAGE" "$DIGEST1"

# --- sigil -----------------------------------------------------------------------------------
sigil() { "$REPO_ROOT/apps/cli/bin/run.js" "$@"; }
export COSIGN_PASSWORD=${COSIGN_PASSWORD:-quickstart-demo-password}
export OCLIF_DISABLE_LINKED_ESM_WARNING=1
cd "$WORK"

step "Generate a key pair (cosign.key encrypted with COSIGN_PASSWORD, cosign.pub)"
show "sigil generate-key-pair --output-key-prefix cosign"
sigil generate-key-pair --output-key-prefix cosign
ls -l cosign.key cosign.pub

step "Sign the image"
show "sigil sign --key cosign.key -y $IMAGE"
sigil sign --key cosign.key -y "$IMAGE"

step "Verify it (the JSON claims)"
show "sigil verify --key cosign.pub $IMAGE"
sigil verify --key cosign.pub "$IMAGE"

step "An attacker re-pushes a different image under the same tag"
DIGEST2=$(push_image)
printf 'pushed %s@%s (was %s)\n' "$IMAGE" "$DIGEST2" "$DIGEST1"
[[ $DIGEST1 != "$DIGEST2" ]] || { echo 'the second image has the same digest; cannot demonstrate' >&2; exit 1; }

step "Verify again: this must FAIL"
show "sigil verify --key cosign.pub $IMAGE"
set +e
sigil verify --key cosign.pub "$IMAGE"
code=$?
set -e
if [[ $code == 0 ]]; then
  printf '\nUNEXPECTED: verification of the re-pushed image succeeded\n' >&2
  exit 1
fi
printf '\nverification failed as expected (exit code %s): the tag now points at an image nobody signed\n' "$code"

step "Done"
printf 'sigil signed and verified %s, and refused the tampered tag.\n' "$IMAGE"
