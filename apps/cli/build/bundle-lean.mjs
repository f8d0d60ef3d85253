// Bundles the lean start-up path (dist/lean.js and everything it imports, node builtins
// excepted) into one CommonJS file, dist/lean.bundle.cjs, which bin/lean.cjs runs: resolving
// and compiling ~60 small modules costs ~20 ms of every `sigil sign` / `sigil verify`, one
// bundle a few ms. Then V8's code cache for it, dist/lean.bundle.cjs.cache, with every function
// compiled (not only the top level, which is all V8 compiles up front): with it the bundle
// starts ~10 ms sooner. V8 checks the cache against its own version, its flags and the source's
// length, and compiles as usual when they differ (another Node, for one).
import {existsSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {setFlagsFromString} from 'node:v8'
import {rolldown} from 'rolldown'

const dist = new URL('../dist/', import.meta.url).pathname
const file = `${dist}lean.bundle.cjs`
const bundle = await rolldown({input: `${dist}lean.js`, platform: 'node', external: [/^node:/], logLevel: 'warn'})
await bundle.write({file, format: 'cjs', codeSplitting: false})
await bundle.close()
// The ESM bundle of earlier builds: no longer used.
if (existsSync(`${dist}lean.bundle.js`)) rmSync(`${dist}lean.bundle.js`)

// ASCII only, so bin/lean.cjs can read it as latin1: every other character as \uXXXX (the same
// value in strings, template literals, regular expressions and identifiers; text in comments).
const ascii = readFileSync(file, 'utf8').replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
if (!/^[\x00-\x7f]*$/.test(ascii)) throw new Error(`${file}: not ASCII after escaping`)
writeFileSync(file, ascii)

// Compile eagerly for the cache only: --no-lazy is switched off again before the cache is
// serialised, so the flags V8 records in it are Node's defaults (else a run would reject it).
const {compileBundle} = createRequire(import.meta.url)('../bin/lean.cjs')
setFlagsFromString('--no-lazy')
const script = compileBundle(undefined)
setFlagsFromString('--lazy')
// Written whole or not at all (V8 does not checksum a cache; a torn file could crash it).
writeFileSync(`${file}.cache.tmp`, script.createCachedData())
renameSync(`${file}.cache.tmp`, `${file}.cache`)
