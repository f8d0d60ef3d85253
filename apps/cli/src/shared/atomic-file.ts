/**
 * Files written whole or not at all: a temporary file in the same folder, then a hard link (which
 * never replaces an existing file) or a rename (which does, with `overwrite`).
 */
import {basename, dirname, join} from 'node:path'

/** Write `data` to `path` atomically. Errors are node's (`code` EEXIST when `path` exists and `overwrite` is not set). */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: {mode: number; overwrite?: boolean}): Promise<void> {
  const {link, rename, unlink, writeFile} = process.getBuiltinModule('node:fs/promises')
  const {randomBytes} = process.getBuiltinModule('node:crypto')
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await writeFile(temp, data, {mode: options.mode, flag: 'wx'})
    await (options.overwrite ? rename(temp, path) : link(temp, path))
  } finally {
    await unlink(temp).catch(() => undefined)
  }
}
