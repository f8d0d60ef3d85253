// Bundles the lean start-up path (dist/lean.js and everything it imports, node builtins
// excepted) into one CommonJS file, dist/lean.bundle.cjs, which bin/lean.cjs runs: resolving
// and compiling ~60 small modules costs ~20 ms of every `sigil sign` / `sigil verify`, one
// bundle ~12 ms. Then V8's code cache for it, dist/lean.bundle.cjs.cache, with every function
// compiled (not only the top level, which is all V8 compiles up front): with it the bundle
// starts ~10 ms sooner. V8 checks the cache against its own version, its flags and the source's
// length, and compiles as usual when they differ (another Node, for one); bin/lean.cjs also
// ignores a cache older than the bundle.
import {existsSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {setFlagsFromString} from 'node:v8'
import {rolldown} from 'rolldown'

const dist = new URL('../dist/', import.meta.url).pathname
const bundle = await rolldown({input: `${dist}lean.js`, platform: 'node', external: [/^node:/], logLevel: 'warn'})
await bundle.write({file: `${dist}lean.bundle.cjs`, format: 'cjs', codeSplitting: false})
await bundle.close()
// The ESM bundle of earlier builds: no longer used.
if (existsSync(`${dist}lean.bundle.js`)) rmSync(`${dist}lean.bundle.js`)

// Compile eagerly for the cache only: --no-lazy is switched off again before the cache is
// serialised, so the flags V8 records in it are Node's defaults (else a run would reject it).
const {compileBundle} = createRequire(import.meta.url)('../bin/lean.cjs')
setFlagsFromString('--no-lazy')
const script = compileBundle(undefined)
setFlagsFromString('--lazy')
// Written whole or not at all (V8 does not checksum a cache; a torn file could crash it).
writeFileSync(`${dist}lean.bundle.cjs.cache.tmp`, script.createCachedData())
renameSync(`${dist}lean.bundle.cjs.cache.tmp`, `${dist}lean.bundle.cjs.cache`)
