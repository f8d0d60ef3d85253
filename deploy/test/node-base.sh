#!/usr/bin/env bash
# A stand-in for the node:20-bookworm-slim image, for the image test on a machine that reaches
# no container registry: Debian bookworm (minbase, from this machine's apt mirror), this machine's
# Node.js and npm in /usr/local as the official image has them, and this machine's npm registry
# and CA bundle as its npm configuration (as a company's own base image carries its mirror and
# CA). Writes the root filesystem to DIR once; a second run finds it and does nothing.
#   deploy/test/node-base.sh DIR
set -euo pipefail
out=${1:?usage: node-base.sh DIR}
[[ -f $out/.complete ]] && exit 0

command -v debootstrap >/dev/null || { echo "node-base: debootstrap not found (apt-get install debootstrap)" >&2; exit 1; }
# The mirror apt itself uses: the address of a package it would download, up to /pool/.
uri=$(apt-get download --print-uris base-files 2>/dev/null | head -n 1 | cut -d"'" -f2)
mirror=${uri%%/pool/*}
[[ $mirror == http* ]] || { echo "node-base: cannot tell apt's Debian mirror (apt-get update first?)" >&2; exit 1; }
node_bin=$(command -v node)
npm_dir=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
registry=$(npm config get registry)

tmp="$out.partial"
rm -rf "$tmp"
mkdir -p "$(dirname "$out")"
debootstrap --variant=minbase bookworm "$tmp" "$mirror" >"$tmp.log" 2>&1 ||
  { echo "node-base: debootstrap failed; its log: $tmp.log" >&2; tail -n 5 "$tmp.log" >&2; exit 1; }
rm -f "$tmp.log"
rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*
install -D -m 0755 "$node_bin" "$tmp/usr/local/bin/node"
mkdir -p "$tmp/usr/local/lib/node_modules"
cp -a "$npm_dir" "$tmp/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$tmp/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$tmp/usr/local/bin/npx"
install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$tmp/etc/ssl/certs/ca-certificates.crt"
printf 'registry=%s\ncafile=/etc/ssl/certs/ca-certificates.crt\nupdate-notifier=false\nfund=false\naudit=false\n' "$registry" \
  | tee "$tmp/usr/local/etc/npmrc" >"$tmp/root/.npmrc"
touch "$tmp/.complete"
rm -rf "$out"
mv "$tmp" "$out"
