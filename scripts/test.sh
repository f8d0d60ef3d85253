#!/usr/bin/env bash
# Set the machine up (scripts/setup.sh), then run every workspace package's vitest suite.
#
# Output: each package's usual vitest output, a per-package summary, and as the LAST line
#   N passed, M failed
# N sums numPassedTests; M sums numFailedTests, plus one for each test file that failed without
# a failed test in it (a file that did not load, a failing beforeAll…), plus one for a package
# whose run produced no JSON report or exited non-zero with no failure recorded, plus one if the
# set-up failed. Exit status: non-zero when M > 0 or when no test passed at all.
#
# Env: CI is passed through (under CI=true, tests that need a missing tool fail instead of
# skipping). SIGIL_TEST_FILTER=name-substring runs only matching packages;
# SIGIL_TEST_PACKAGE_TIMEOUT (seconds, default 1200) bounds each package's run.
# HTTPS_PROXY is NOT set here: only cosign invocations get a dead proxy (@sigil/test-servers runCosign).
set -uo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT" || exit 1

say() { printf 'test: %s\n' "$*" >&2; }

export TURBO_TELEMETRY_DISABLED=1
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
export OCLIF_DISABLE_LINKED_ESM_WARNING=1
[[ -n ${CI:-} ]] && export CI

# The interop vectors and the spec live in the project's shared folder, beside the clone
# (../shared, read-only); without it a third of the suite cannot run. Say so before setting up.
SHARED_DIR=$(cd "$REPO_ROOT/.." && pwd)/shared
if [[ ! -d $SHARED_DIR/spec/vectors ]]; then
  say "the test vectors are missing: expected $SHARED_DIR/spec/vectors (the project's shared folder, placed beside this clone)"
  say "put the shared folder there (read-only is fine) and run scripts/test.sh again"
  echo "0 passed, 1 failed"
  exit 1
fi

t_start=$SECONDS
setup_failed=0
if ! bash "$REPO_ROOT/scripts/setup.sh"; then
  setup_failed=1
  say "set-up FAILED (counted as 1 failed); running whatever tests can still run"
fi

if [[ -z ${SIGIL_COSIGN:-} && -x $REPO_ROOT/.cache/cosign/usr/bin/cosign ]]; then
  export SIGIL_COSIGN=$REPO_ROOT/.cache/cosign/usr/bin/cosign
fi
if [[ -z ${SIGIL_COSIGN3:-} && -x $REPO_ROOT/.cache/cosign3/usr/bin/cosign ]]; then
  export SIGIL_COSIGN3=$REPO_ROOT/.cache/cosign3/usr/bin/cosign
fi
if [[ -z ${SIGIL_SKOPEO_SIGSTORE:-} && -x $REPO_ROOT/.cache/skopeo/skopeo ]]; then
  export SIGIL_SKOPEO_SIGSTORE=$REPO_ROOT/.cache/skopeo/skopeo
fi

VITEST=$REPO_ROOT/node_modules/.bin/vitest
RESULTS=$(mktemp -d "${TMPDIR:-/tmp}/sigil-test.XXXXXX")
INSTALL_PREFIX=$(mktemp -d "${TMPDIR:-/tmp}/sigil-installed.XXXXXX")
trap 'rm -rf "$RESULTS" "$INSTALL_PREFIX"' EXIT

# sigil installed as a user installs it (pnpm pack + npm install --global of the tarballs), for
# apps/cli/test/install.test.ts; without it that test fails under CI=true.
if [[ $setup_failed == 0 ]] && bash "$REPO_ROOT/scripts/pack-install.sh" "$INSTALL_PREFIX" >/dev/null; then
  export SIGIL_INSTALLED_PREFIX=$INSTALL_PREFIX
else
  say "installing the packed tarballs FAILED (apps/cli/test/install.test.ts will fail under CI)"
fi

# Workspace packages (not the root) that have a "test" script: "name<TAB>dir" lines.
packages=$(pnpm ls -r --depth -1 --json 2>/dev/null | node --input-type=module -e '
  import {readFileSync} from "node:fs"
  const list = JSON.parse(readFileSync(0, "utf8"))
  const root = process.argv[1]
  for (const p of list) {
    if (p.path === root) continue
    let pkg
    try { pkg = JSON.parse(readFileSync(p.path + "/package.json", "utf8")) } catch { continue }
    if (pkg.scripts && pkg.scripts.test) console.log(p.name + "\t" + p.path)
  }
' "$REPO_ROOT") || packages=""
if [[ -z $packages ]]; then
  say "could not list the workspace packages (is pnpm installed and the workspace intact?)"
fi

while IFS=$'\t' read -r name dir; do
  [[ -n $name ]] || continue
  if [[ -n ${SIGIL_TEST_FILTER:-} && $name != *"$SIGIL_TEST_FILTER"* ]]; then continue; fi
  json=$RESULTS/$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_').json
  printf '\n=== %s (%s) ===\n' "$name" "${dir#"$REPO_ROOT"/}"
  t0=$SECONDS
  if [[ -x $VITEST ]]; then
    (cd "$dir" && timeout --kill-after=30 "${SIGIL_TEST_PACKAGE_TIMEOUT:-1200}" \
      "$VITEST" run --passWithNoTests --reporter=default --reporter=json --outputFile.json="$json" </dev/null)
    code=$?
  else
    say "vitest not installed ($VITEST)"
    code=127
  fi
  printf '%s\t%s\t%s\t%s\n' "$name" "$json" "$code" "$((SECONDS - t0))" >>"$RESULTS/index.tsv"
done <<<"$packages"

# Sum the reports. Prints one summary line per package, then "N passed, M failed" last.
touch "$RESULTS/index.tsv"
printf '\n=== summary ===\n'
# shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
node --input-type=module -e '
  import {readFileSync} from "node:fs"
  const [index, setupFailed] = process.argv.slice(1)
  let passed = 0, failed = Number(setupFailed), skipped = 0, packages = 0
  if (failed) console.log("set-up: FAILED (1 failed)")
  for (const line of readFileSync(index, "utf8").split("\n")) {
    if (!line) continue
    const [name, file, codeText, secs] = line.split("\t")
    const code = Number(codeText)
    packages++
    let report
    try { report = JSON.parse(readFileSync(file, "utf8")) } catch {}
    if (!report) {
      failed++
      console.log(`${name}: no JSON report (vitest exit ${code}${code === 124 ? ", timed out" : ""}): counted as 1 failed`)
      continue
    }
    let p = report.numPassedTests ?? 0, f = report.numFailedTests ?? 0
    const s = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
    const notes = []
    // A file that failed with no failed test in it: it did not load, or a hook failed.
    const broken = (report.testResults ?? []).filter(
      (t) => t.status === "failed" && !(t.assertionResults ?? []).some((a) => a.status === "failed"))
    if (broken.length) { f += broken.length; notes.push(`${broken.length} file(s) failed outside tests`) }
    if (code !== 0 && f === 0) { f += 1; notes.push(`vitest exited ${code} with no failed test`) }
    passed += p; failed += f; skipped += s
    console.log(`${name}: ${p} passed, ${f} failed${s ? `, ${s} skipped` : ""} (${secs}s)${notes.length ? " [" + notes.join("; ") + "]" : ""}`)
  }
  if (packages === 0) { failed++; console.log("no package was tested: counted as 1 failed") }
  if (skipped) console.log(`(${skipped} skipped in total)`)
  console.log(`${passed} passed, ${failed} failed`)
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0
' "$RESULTS/index.tsv" "$setup_failed" | tee "$RESULTS/summary.txt" | sed '$d' || true
say "total $((SECONDS - t_start))s"
last=$(tail -n 1 "$RESULTS/summary.txt")
[[ -n $last ]] || last="0 passed, 1 failed"
printf '%s\n' "$last"
if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]] && ((BASH_REMATCH[2] == 0 && BASH_REMATCH[1] > 0)); then
  exit 0
fi
exit 1
