/**
 * Writing the certificate files whole or not at all: each goes to a temporary file beside its
 * target and then takes its name (rename to replace; a hard link when it must not exist yet).
 */
import {randomBytes} from 'node:crypto'
import {link, open, rename, unlink} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

/** Write `data` to `path` atomically; without `overwrite` an existing file fails with EEXIST. */
export async function writeFileWhole(path: string, data: string, options: {mode: number; overwrite: boolean}): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temp, 'wx', options.mode)
  try {
    await handle.chmod(options.mode)
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    if (options.overwrite) await rename(temp, path)
    else await link(temp, path)
  } finally {
    if (!options.overwrite) await unlink(temp).catch(() => undefined)
  }
}
