'use strict'
// The start-up path of `sigil sign`, `sigil verify` and `sigil --version` (bin/run.js sends them here): CommonJS, so
// Node never starts its ES module loader, running dist/lean.bundle.cjs (everything src/lean.ts
// needs, in one file) from V8's code cache made at build time (build/bundle-lean.mjs), so it is
// not parsed and compiled on every run. Invocations the lean path declines run through
// bin/run.js (oclif) after all. Also loaded by bin/run.js when Node runs that file directly.
const {existsSync, readFileSync} = require('node:fs')
const {join} = require('node:path')

const ROOT = join(__dirname, '..')
const BUNDLE = join(ROOT, 'dist', 'lean.bundle.cjs')
const CACHE = `${BUNDLE}.cache`
const RUN_JS = join(__dirname, 'run.js')

/** The source the bundle is compiled as: the CommonJS module wrapper, fixed so the cache matches it. */
function wrap(source) {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`
}

/**
 * `new vm.Script` for the bundle; `cachedData` is V8's code cache for exactly this source (or
 * undefined). The build writes the bundle as ASCII (other characters escaped), so it is read as
 * latin1: ~1 ms less than decoding UTF-8, and V8 gets a one-byte string.
 */
function compileBundle(cachedData) {
  const {Script} = require('node:vm')
  return new Script(wrap(readFileSync(BUNDLE, 'latin1')), {filename: BUNDLE, cachedData})
}

/**
 * The bundle's exports. A cache V8 rejects (another Node version, other V8 flags, another source
 * length) only costs the compile. (V8 checks no more than that: the build writes the bundle and
 * its cache together, and a bundle edited by hand needs `pnpm build` again.)
 */
function loadBundle() {
  let cachedData
  try {
    cachedData = readFileSync(CACHE)
  } catch {
    // no cache: compile as usual
  }
  const module = {exports: {}}
  compileBundle(cachedData).runInThisContext()(module.exports, require, module, BUNDLE, join(ROOT, 'dist'))
  return module.exports
}

/**
 * bin/run.js's launcher lines may have taken NODE_EXTRA_CA_CERTS over (see there). Returns that
 * file, and puts the variable back for child processes (credential helpers, plugins, a restart).
 */
function takeDeferredCa() {
  const file = process.env.SIGIL_DEFERRED_CA_CERTS || undefined
  delete process.env.SIGIL_DEFERRED_CA_CERTS
  if (file !== undefined) process.env.NODE_EXTRA_CA_CERTS = file
  return file
}

/** Run `argv` on the lean path if it can (see src/lean.ts); false = it declined. */
async function runLean(argv, extraCaCertificates) {
  const {runLean: run} = existsSync(BUNDLE) ? loadBundle() : await import(require('node:url').pathToFileURL(join(ROOT, 'dist', 'lean.js')).href)
  return run(argv, ROOT, {extraCaCertificates, exitWhenDone: true})
}

/**
 * Run bin/run.js (oclif) for `argv` in a new Node process with NODE_EXTRA_CA_CERTS in place (this
 * one never loaded it, and oclif's plugins, cloud SDKs included, rely on Node's own CA set-up),
 * passing signals on and its exit status back.
 */
function restart(argv) {
  const {spawn} = require('node:child_process')
  const child = spawn(process.execPath, [...process.execArgv, RUN_JS, ...argv], {
    stdio: 'inherit',
    env: {...process.env, SIGIL_LEAN_DECLINED: '1'},
  })
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1)
    process.removeAllListeners(signal)
    process.kill(process.pid, signal)
  })
}

/** `sigil --version`: oclif's own format (its config.userAgent), without loading oclif for one line. */
function printVersion() {
  const {name, version} = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  process.stdout.write(`${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
}

async function main() {
  const argv = process.argv.slice(2)
  const deferredCa = takeDeferredCa()
  if (argv.length === 1 && argv[0] === '--version') return printVersion()
  if (await runLean(argv, deferredCa)) return
  if (deferredCa !== undefined) return restart(argv)
  // Declined, and Node's CA set-up is intact: oclif in this process.
  process.env.SIGIL_LEAN_DECLINED = '1'
  await import(require('node:url').pathToFileURL(RUN_JS).href)
}

module.exports = {compileBundle, printVersion, runLean, restart, takeDeferredCa}

if (require.main === module) {
  main().catch((err) => {
    // runLean reports command errors itself; this is a start-up failure (a broken install).
    process.stderr.write(`sigil: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  })
}
