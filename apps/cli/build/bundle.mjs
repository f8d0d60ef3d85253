// Bundles sigil's entry point (dist/runtime/main.js and everything it imports: every command,
// the built-in plugins, core/oci/signing) into CommonJS files that bin/run.js runs from V8's code
// cache: dist/sigil.bundle.cjs (the entry) and dist/chunks/*.cjs, each with a `.cache` made here
// with every function compiled. Resolving and compiling a hundred small ES modules on every run
// is what this saves; splitting it keeps a run from deserialising code it cannot use (the cache
// of one 900 KB file cost every command ~6 ms). V8 checks each cache against its version, its
// flags and the source length and compiles as usual when they differ.
//
// Two modules are special:
// - dist/runtime/builtins.js (which finds the built-in plugins on disk) is replaced by one that
//   imports their `sigil:plugin` hooks statically, so they are part of the bundle;
// - cloud SDKs stay out of the bundle and load only when a provider asks for them, resolved from
//   the package that depends on them (pnpm and npm lay node_modules out differently).
import {readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {setFlagsFromString} from 'node:v8'
import {rolldown} from 'rolldown'
import {packageRoot} from '../dist/runtime/plugin-loader.js'

const root = new URL('..', import.meta.url).pathname
const dist = join(root, 'dist')
const file = join(dist, 'sigil.bundle.cjs')
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const requireHere = createRequire(join(root, 'package.json'))

/**
 * Modules only the less frequent commands use (attestations, files, copy, layouts, git, the
 * admission controller, download/clean/attach, and their help text in src/messages), and those
 * loaded on demand for private keys (the encrypted-key codec and the @noble libraries): left out
 * of the `common` chunk that every command reads.
 */
const RARE = /[\\/](@noble|encrypted-key|admission|copy[^/\\]*|save|load|save-image|load-image|layout-store|oci-layout[^/\\]*|attest[^/\\]*|verify-attestation|blob[^/\\]*|sign-blob|verify-blob|sign-statement|ssh-key[^/\\]*|sshsig[^/\\]*|git|git-setup|git-key-cache|clean|download[^/\\]*|attach[^/\\]*|generate|digest-stream|manifest-references|input-files|local-image|progress)([\\/.])/

/** The built-in plugins' own code (their hooks and providers; cloud SDKs stay external). */
const PLUGIN = /[\\/]packages[\\/](key-file|kms-aws|kms-gcp|kms-cliplugin|sigstore-kms-bridge|registry-[a-z]+)[\\/]dist[\\/]/

/** A command's own module: a chunk of its own, with what only it uses. */
const COMMAND = /[\\/]apps[\\/]cli[\\/]dist[\\/]commands[\\/]/

/** Loaded lazily at run time, never bundled: big, and only some commands need them (yaml: `admission serve`). */
const EXTERNAL_SDK = /^(@aws-sdk|@smithy|@google-cloud|@grpc|google-gax|google-auth-library|yaml)(\/|$)/

function packageDirOf(name) {
  const dir = packageRoot(name, root)
  if (dir === undefined) throw new Error(`cannot find ${name} from ${root}`)
  return dir
}

/** The package (name) a file belongs to: the nearest package.json with a name. */
function owningPackage(path) {
  for (let dir = dirname(path); dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      const p = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      if (p.name) return p.name
    } catch {}
  }
  throw new Error(`no package.json above ${path}`)
}

function builtinsModule() {
  const entries = []
  for (const [i, name] of (pjson.oclif.plugins ?? []).entries()) {
    const dir = packageDirOf(name)
    const plugin = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    const declared = plugin.oclif?.hooks?.['sigil:plugin']
    const hook = Array.isArray(declared) ? declared[0] : declared
    const target = typeof hook === 'string' ? hook : hook?.target
    const identifier = typeof hook === 'object' && hook?.identifier ? hook.identifier : 'default'
    // A dynamic import: the plugin's code is in the bundle but runs only when plugins are needed.
    const load = `async () => (await import(${JSON.stringify(join(dir, target ?? ''))}))[${JSON.stringify(identifier)}]`
    entries.push(`{name: ${JSON.stringify(name)}, version: ${JSON.stringify(plugin.version ?? '0.0.0')}${target ? `, hook: ${load}` : ''}}`)
  }
  return `const BUILTINS = [${entries.join(',\n  ')}]\nexport function builtinPlugins() { return BUILTINS }\n`
}

const sigilPlugin = {
  name: 'sigil-bundle',
  resolveId(source, importer) {
    if (!EXTERNAL_SDK.test(source) || !importer) return null
    return `\0sdk:${owningPackage(importer)}:${source}`
  },
  load(id) {
    if (id.startsWith('\0sdk:')) {
      const [, owner, ...rest] = id.split(':')
      const source = rest.join(':')
      requireHere.resolve(owner) // the owner must be resolvable from the CLI at run time
      return (
        `require(${JSON.stringify(join(dist, 'runtime', 'compile-cache.js'))}).enableCompileCache(${EXTERNAL_SDK.toString()})\n` +
        `module.exports = require('node:module').createRequire(require.resolve(${JSON.stringify(owner)}))(${JSON.stringify(source)})`
      )
    }
    if (id === join(dist, 'runtime', 'builtins.js')) return builtinsModule()
    return null
  },
}

// Split at the command table's dynamic imports: the entry holds the runtime (parsing, help,
// plugins) and what every command shares; each command's own code, and what only some commands
// share (attestations, copy, layouts, the admission controller…), is a chunk loaded when that
// command runs. A run then deserialises only the code it can use.
rmSync(join(dist, 'chunks'), {recursive: true, force: true})
// @sigil/core from its per-module files rather than its one-file bundle (its package entry), so
// what only the rarer commands use of it (sshsig, layouts…) can stay out of `common` too.
const CORE_MODULES = join(packageDirOf('@sigil/core'), 'dist', 'index.js')
const bundle = await rolldown({input: join(dist, 'runtime', 'main.js'), platform: 'node', resolve: {alias: {'@sigil/core': CORE_MODULES}}, external: [/^node:/], plugins: [sigilPlugin], logLevel: 'warn'})
const {output} = await bundle.write({
  dir: dist,
  format: 'cjs',
  entryFileNames: 'sigil.bundle.cjs',
  chunkFileNames: 'chunks/[name]-[hash].cjs',
  // Everything but the code of the commands few runs need goes into one chunk, `common`: a
  // sign or a verify loads the entry, `common` and its command's file, each from its cache.
  // The built-in plugins join it too: every command asks them for its providers and adapters.
  codeSplitting: {
    groups: [
      {name: 'common', test: (id) => PLUGIN.test(id) && !RARE.test(id), priority: 2},
      {name: 'common', test: (id) => !RARE.test(id) && !COMMAND.test(id), minShareCount: 2, priority: 1},
    ],
  },
})
await bundle.close()

const {compileFile} = requireHere('./bin/run.js')
for (const chunk of output) {
  const path = join(dist, chunk.fileName)
  // ASCII only, so bin/run.js can read it as latin1: every other character as \uXXXX (the same
  // value in strings, template literals, regular expressions and identifiers; text in comments).
  const ascii = readFileSync(path, 'utf8').replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  if (!/^[\x00-\x7f]*$/.test(ascii)) throw new Error(`${path}: not ASCII after escaping`)
  writeFileSync(path, ascii)
  // Compile eagerly for the cache only: --no-lazy is switched off again before the cache is
  // serialised, so the flags V8 records in it are Node's defaults (else a run would reject it).
  setFlagsFromString('--no-lazy')
  const script = compileFile(path, undefined)
  setFlagsFromString('--lazy')
  // Written whole or not at all (V8 does not checksum a cache; a torn file could crash it).
  writeFileSync(`${path}.cache.tmp`, script.createCachedData())
  renameSync(`${path}.cache.tmp`, `${path}.cache`)
}
