#!/usr/bin/env bash
# Install sigil the way a user would: `pnpm pack` @sigil/cli and every workspace package it
# depends on, then `npm install --global` of those tarballs into a prefix of its own (the
# other dependencies come from the npm registry this machine's npm is configured for). Prints
# the prefix on stdout; `<prefix>/bin/sigil` is the installed command.
#   scripts/pack-install.sh [PREFIX]   (default: a new temp dir; after `pnpm run build`)
set -euo pipefail

say() { printf 'pack-install: %s\n' "$*" >&2; }
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${1:-$(mktemp -d "${TMPDIR:-/tmp}/sigil-install.XXXXXX")}
TARBALLS=$(mktemp -d "${TMPDIR:-/tmp}/sigil-tarballs.XXXXXX")
trap 'rm -rf "$TARBALLS"' EXIT

# The CLI and its workspace dependencies, transitively (runtime dependencies only).
dirs=$(node --input-type=module -e '
  import {readFileSync, readdirSync, existsSync} from "node:fs"
  import {join} from "node:path"
  const root = process.argv[1]
  const byName = new Map()
  for (const group of ["packages", "apps"]) {
    for (const d of readdirSync(join(root, group))) {
      const file = join(root, group, d, "package.json")
      if (existsSync(file)) byName.set(JSON.parse(readFileSync(file, "utf8")).name, join(root, group, d))
    }
  }
  const seen = new Set()
  const visit = (name) => {
    if (seen.has(name) || !byName.has(name)) return
    seen.add(name)
    const p = JSON.parse(readFileSync(join(byName.get(name), "package.json"), "utf8"))
    for (const [dep, range] of Object.entries({...p.dependencies, ...p.peerDependencies})) if (String(range).startsWith("workspace:")) visit(dep)
  }
  visit("@sigil/cli")
  for (const name of seen) console.log(byName.get(name))
' "$REPO_ROOT")

for dir in $dirs; do
  (cd "$dir" && pnpm pack --pack-destination "$TARBALLS" >/dev/null) || { say "pnpm pack failed in $dir"; exit 1; }
done
say "packed $(ls "$TARBALLS" | wc -l) packages; npm install --global --prefix $PREFIX"
npm install --global --prefix "$PREFIX" --no-fund --no-audit --loglevel=error "$TARBALLS"/*.tgz >&2 </dev/null ||
  { say "npm install --global of the tarballs failed"; exit 1; }
[[ -x $PREFIX/bin/sigil ]] || { say "$PREFIX/bin/sigil was not installed"; exit 1; }
printf '%s\n' "$PREFIX"
