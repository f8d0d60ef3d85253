/** Input and output files of commands: clear errors, atomic writes, --force to replace. */
import {SigilError, isSigilError} from '@sigil/core'
import {twoStep as text} from '../messages.js'

/**
 * Write `data` to `path` atomically, mode 0600: a temporary file beside it first (created
 * exclusively), then renamed over it (`force`) or hard-linked to the name only if absent, so a
 * reader never sees half a file and an existing file is never replaced without `force`.
 */
export async function writeOutputFile(path: string, data: string | Uint8Array, force: boolean): Promise<void> {
  const fs = process.getBuiltinModule('node:fs/promises')
  const {basename, dirname, join} = process.getBuiltinModule('node:path')
  const {randomBytes} = process.getBuiltinModule('node:crypto')
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await fs.writeFile(temp, data, {flag: 'wx', mode: 0o600})
    if (force) await fs.rename(temp, path)
    else await fs.link(temp, path)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    if (e.code === 'EEXIST' && !force) throw new SigilError('INVALID_ARGUMENT', text.fileExists(path))
    throw new SigilError('INVALID_ARGUMENT', text.cannotWrite(path, e.code ?? e.message), {cause: err})
  } finally {
    await fs.unlink(temp).catch(() => {}) // gone after a rename; the extra name after a link
  }
}

/** Fail early (before any signing) when `path` exists and may not be replaced. */
export async function checkWritable(path: string, force: boolean): Promise<void> {
  if (force) return
  const {lstat} = process.getBuiltinModule('node:fs/promises')
  const exists = await lstat(path).then(() => true, () => false)
  if (exists) throw new SigilError('INVALID_ARGUMENT', text.fileExists(path))
}

/** The bytes of an input file, at most `limit` of them; a missing or unreadable file is a clear error. */
export async function readInputFile(what: string, path: string, limit: number): Promise<Uint8Array> {
  const {open} = process.getBuiltinModule('node:fs/promises')
  let handle
  try {
    handle = await open(path, 'r')
    const {size} = await handle.stat()
    if (size > limit) throw new SigilError('INVALID_ARGUMENT', text.tooLarge(what, path, limit))
    return new Uint8Array(await handle.readFile())
  } catch (err) {
    if (isSigilError(err)) throw err
    const e = err as NodeJS.ErrnoException
    throw new SigilError('INVALID_ARGUMENT', text.cannotRead(what, path, e.code === 'ENOENT' ? 'no such file' : (e.code ?? e.message)), {cause: err})
  } finally {
    await handle?.close()
  }
}
