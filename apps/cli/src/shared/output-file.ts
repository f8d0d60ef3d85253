/**
 * Writing a command's output file (a signature, a bundle) as cosign does, mode 0600, replacing
 * an existing file, but atomically (`writeFileAtomic`): the old file or the new one is there,
 * never half of one.
 */
import {SigilError} from '@sigil/core'
import {writeFileAtomic} from '@sigil/oci'

/** Write `data` to `path` atomically (0600, replacing). `FILE_WRITE_FAILED` with `message(path, reason)` on failure. */
export async function writeOutputFile(path: string, data: Uint8Array, message: (path: string, reason: string) => string): Promise<void> {
  try {
    await writeFileAtomic(path, data, 0o600)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    const reason = e.code === 'ENOENT' ? 'no such directory' : e.code === 'EISDIR' ? 'it is a directory' : e.code === 'EACCES' ? 'permission denied' : e.message
    throw new SigilError('FILE_WRITE_FAILED', message(path, reason), {cause: err})
  }
}
