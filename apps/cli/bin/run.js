#!/usr/bin/env node
'use strict'
// `sigil`. Runs dist/sigil.bundle.cjs (src/runtime/main.ts, made by build/bundle.mjs) and the
// chunks it requires from dist/chunks (the code every command shares, in `common`; each command's
// own code; what only a few commands use), each from the V8 code cache made with it, so a run
// neither resolves nor compiles sigil's modules and reads only the code it can use. oclif starts
// only for the commands other oclif plugins add (`sigil plugins …`), or for every command when
// SIGIL_VIA_OCLIF is set.
const {readFileSync} = require('node:fs')
const {dirname, join} = require('node:path')

const ROOT = join(__dirname, '..')
const BUNDLE = join(ROOT, 'dist', 'sigil.bundle.cjs')

/** The source the bundle is compiled as: the CommonJS module wrapper, fixed so the cache matches it. */
function wrap(source) {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`
}

/** `new vm.Script` for a bundle file; `cachedData` is V8's code cache for exactly this source (or undefined). */
function compileFile(file, cachedData) {
  const {Script} = require('node:vm')
  // The build writes the bundle as ASCII, so latin1 reads it without decoding UTF-8.
  return new Script(wrap(readFileSync(file, 'latin1')), {filename: file, cachedData})
}

/** `compileFile` of the entry bundle. */
function compileBundle(cachedData) {
  return compileFile(BUNDLE, cachedData)
}

const loaded = new Map()

/**
 * Run a bundle file (the entry, or a chunk it requires by relative path) from its code cache,
 * once. A cache V8 rejects (another Node, other flags) only costs the compile.
 */
function loadFile(file) {
  const done = loaded.get(file)
  if (done) return done.exports
  let cachedData
  try {
    cachedData = readFileSync(`${file}.cache`)
  } catch {
    // no cache: compile as usual
  }
  const module = {exports: {}}
  loaded.set(file, module)
  const script = compileFile(file, cachedData)
  if (process.env.SIGIL_DEBUG_CODE_CACHE) process.stderr.write(`code cache ${cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'accepted'}: ${file.slice(ROOT.length + 1)}\n`)
  const dir = dirname(file)
  // The bundle's own chunks by relative path; everything else (node:, packages) as usual.
  const requireHere = (id) => (id.startsWith('./') || id.startsWith('../') ? loadFile(join(dir, id)) : require(id))
  requireHere.resolve = require.resolve
  script.runInThisContext()(module.exports, requireHere, module, file, dir)
  return module.exports
}

/** The bundle's exports. */
function loadBundle() {
  return loadFile(BUNDLE)
}

async function runOclif() {
  // Plugins are plain ESM: oclif's "cannot be auto-transpiled" notice about linked ones is noise.
  process.env.OCLIF_DISABLE_LINKED_ESM_WARNING ??= '1'
  const {execute} = await import('@oclif/core')
  await execute({dir: join(ROOT, 'package.json')})
}

module.exports = {compileBundle, compileFile, loadBundle}

if (require.main === module) {
  const start = process.env.SIGIL_VIA_OCLIF ? runOclif() : loadBundle().main(process.argv.slice(2), {root: ROOT, runOclif, exitWhenDone: true, importModule: (url) => import(url)})
  start.catch((err) => {
    // Commands report their own errors; this is a start-up failure (a broken install).
    process.stderr.write(`sigil: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  })
}
