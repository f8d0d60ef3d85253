#!/usr/bin/env bash
# Build the admission controller's image from deploy/Dockerfile.
#   scripts/build-image.sh [-t NAME:TAG] [--base NODE_IMAGE] [--engine docker|buildah]
# With a Docker engine that answers, `docker build`; otherwise buildah, which needs no daemon
# (`--isolation chroot`, as root or in a user namespace). buildah's storage is its usual one, or
# the one CONTAINERS_STORAGE_CONF names. --base replaces node:20-bookworm-slim (a mirror of it,
# or an image already in the engine's local storage).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tag=sigil-admission:latest
base=
engine=
while (($#)); do
  case $1 in
    -t | --tag) tag=${2:?-t needs NAME:TAG}; shift 2 ;;
    --base) base=${2:?--base needs an image}; shift 2 ;;
    --engine) engine=${2:?--engine needs docker or buildah}; shift 2 ;;
    -h | --help) sed -n '2,7s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "build-image: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

if [[ -z $engine ]]; then
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then engine=docker
  elif command -v buildah >/dev/null; then engine=buildah
  else echo "build-image: neither a Docker engine nor buildah is available (apt-get install buildah)" >&2; exit 1
  fi
fi
args=(-f deploy/Dockerfile -t "$tag")
[[ -n $base ]] && args+=(--build-arg "NODE_IMAGE=$base")
case $engine in
  docker) exec docker build "${args[@]}" . ;;
  buildah) exec buildah build --isolation "${BUILDAH_ISOLATION:-chroot}" --network host --layers=false --pull=false "${args[@]}" . ;;
  *) echo "build-image: --engine must be docker or buildah" >&2; exit 2 ;;
esac
