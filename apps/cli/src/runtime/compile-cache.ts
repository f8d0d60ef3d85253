/**
 * A V8 code cache for the cloud SDKs sigil loads on demand (Node 20 has no module compile cache
 * of its own): the CommonJS files of the packages `packages` matches are compiled with code
 * cached from an earlier run, kept in sigil's cache directory. An entry is named by the file's
 * path and content and carries a checksum of itself, so a changed file or a damaged entry is
 * compiled as usual (V8 does not check a cache's integrity itself). `SIGIL_NO_COMPILE_CACHE=1`
 * turns it off.
 */
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {dirname, join, sep} from 'node:path'
import {Script} from 'node:vm'
import {writeCacheFileSync} from '@sigil/oci'
import {sigilDir} from '../shared/dirs.js'

interface CompilingModule {
  exports: unknown
  _compile(content: string, filename: string): unknown
}

const CHECKSUM_BYTES = 32
let installed = false

/** The package a file belongs to (`@aws-sdk/client-kms`), from its last `node_modules/` segment. */
function packageOf(filename: string): string | undefined {
  const at = filename.lastIndexOf(`${sep}node_modules${sep}`)
  if (at < 0) return undefined
  const [first, second] = filename.slice(at + 14).split(sep)
  return first?.startsWith('@') ? `${first}/${second}` : first
}

function readEntry(file: string): Buffer | undefined {
  try {
    const raw = readFileSync(file)
    const data = raw.subarray(CHECKSUM_BYTES)
    return createHash('sha256').update(data).digest().equals(raw.subarray(0, CHECKSUM_BYTES)) ? data : undefined
  } catch {
    return undefined
  }
}

function writeEntry(file: string, data: Buffer): void {
  writeCacheFileSync(file, Buffer.concat([createHash('sha256').update(data).digest(), data])) // on failure, no cache this time
}

/** Compile the matching packages' CommonJS files from the code cache from now on (idempotent). */
export function enableCompileCache(packages: RegExp): void {
  if (installed || process.env.SIGIL_NO_COMPILE_CACHE) return
  installed = true
  // node:module on demand: this file is in the code every command loads, and only a run that
  // loads a cloud SDK gets here.
  const Module = process.getBuiltinModule('node:module')
  const dir = join(sigilDir('cache'), 'compile-cache', `${process.version}-${process.arch}`)
  const pending: Array<() => void> = []
  const proto = Module.prototype as unknown as CompilingModule
  const original = proto._compile
  proto._compile = function (this: CompilingModule, content: string, filename: string): unknown {
    const pkg = packageOf(filename)
    if (pkg === undefined || !packages.test(pkg)) return original.call(this, content, filename)
    const name = createHash('sha256').update(filename).update('\0').update(content).digest('hex')
    const file = join(dir, name)
    const cachedData = readEntry(file)
    const script = new Script((Module as unknown as {wrap(s: string): string}).wrap(content), {filename, cachedData})
    if (cachedData === undefined || script.cachedDataRejected) pending.push(() => writeEntry(file, script.createCachedData()))
    const wrapper = script.runInThisContext({displayErrors: true}) as (...args: unknown[]) => unknown
    const require = Module.createRequire(filename)
    return wrapper.call(this.exports, this.exports, require, this, filename, dirname(filename))
  }
  // Written at exit, when the functions that ran are compiled and go into the cache too.
  process.once('exit', () => {
    for (const write of pending) write()
  })
}
