/** Input and output files of commands: clear errors, atomic writes, --force to replace. */
import {SigilError, isSigilError} from '@sigil/core'
import {writeFileAtomic} from '@sigil/oci'
import {twoStep as text} from '../messages/two-step.js'

/**
 * Write a command's output file (a signature, a payload, a bundle) atomically, mode 0600: a
 * reader never sees half a file, and an existing file is replaced only with `force` (sign-blob
 * always replaces, as cosign does). `INVALID_ARGUMENT` when it exists, `FILE_WRITE_FAILED` when
 * it cannot be written.
 */
export async function writeOutputFile(path: string, data: string | Uint8Array, force: boolean): Promise<void> {
  try {
    await writeFileAtomic(path, data, 0o600, {overwrite: force})
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    if (e.code === 'EEXIST' && !force) throw new SigilError('INVALID_ARGUMENT', text.fileExists(path))
    const reason = e.code === 'ENOENT' ? 'no such directory' : e.code === 'EISDIR' ? 'it is a directory' : e.code === 'EACCES' ? 'permission denied' : (e.code ?? e.message)
    throw new SigilError('FILE_WRITE_FAILED', text.cannotWrite(path, reason), {cause: err})
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
