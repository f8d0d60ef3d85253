#!/usr/bin/env node
'use strict'
// `sigil`. Runs dist/sigil.bundle.cjs (src/runtime/main.ts with every command and built-in plugin,
// as one CommonJS file made by build/bundle.mjs) from the V8 code cache made with it, so a run
// neither resolves nor compiles sigil's modules. oclif starts only for the commands other oclif
// plugins add (`sigil plugins …`), or for every command when SIGIL_VIA_OCLIF is set.
const {readFileSync} = require('node:fs')
const {join} = require('node:path')

const ROOT = join(__dirname, '..')
const BUNDLE = join(ROOT, 'dist', 'sigil.bundle.cjs')

/** The source the bundle is compiled as: the CommonJS module wrapper, fixed so the cache matches it. */
function wrap(source) {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`
}

/** `new vm.Script` for the bundle; `cachedData` is V8's code cache for exactly this source (or undefined). */
function compileBundle(cachedData) {
  const {Script} = require('node:vm')
  // The build writes the bundle as ASCII, so latin1 reads it without decoding UTF-8.
  return new Script(wrap(readFileSync(BUNDLE, 'latin1')), {filename: BUNDLE, cachedData})
}

/** The bundle's exports. A cache V8 rejects (another Node, other flags) only costs the compile. */
function loadBundle() {
  let cachedData
  try {
    cachedData = readFileSync(`${BUNDLE}.cache`)
  } catch {
    // no cache: compile as usual
  }
  const module = {exports: {}}
  const script = compileBundle(cachedData)
  if (process.env.SIGIL_DEBUG_CODE_CACHE) process.stderr.write(`code cache ${cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'accepted'}\n`)
  script.runInThisContext()(module.exports, require, module, BUNDLE, join(ROOT, 'dist'))
  return module.exports
}

async function runOclif() {
  // Plugins are plain ESM: oclif's "cannot be auto-transpiled" notice about linked ones is noise.
  process.env.OCLIF_DISABLE_LINKED_ESM_WARNING ??= '1'
  const {execute} = await import('@oclif/core')
  await execute({dir: join(ROOT, 'package.json')})
}

module.exports = {compileBundle, loadBundle}

if (require.main === module) {
  const start = process.env.SIGIL_VIA_OCLIF ? runOclif() : loadBundle().main(process.argv.slice(2), {root: ROOT, runOclif, exitWhenDone: true, importModule: (url) => import(url)})
  start.catch((err) => {
    // Commands report their own errors; this is a start-up failure (a broken install).
    process.stderr.write(`sigil: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  })
}
