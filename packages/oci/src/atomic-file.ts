/**
 * Replacing a file so that readers see the old content or the new, never half of it: the data
 * goes to a temporary file in the target's directory (created exclusively, with `mode`), which
 * is then renamed over the target. A symlinked target is followed, so the link stays a link.
 */
import {randomBytes} from 'node:crypto'
import {basename, dirname, join} from 'node:path'

/** Write `data` to `file` atomically with permission bits `mode` (default 0600). Throws node's errors (`code` ENOENT, EACCES, EISDIR…). */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): Promise<string> {
  // Loaded here: the modules using this are part of start-ups that never write a file.
  const {chmod, realpath, rename, rm, writeFile} = process.getBuiltinModule('node:fs/promises')
  let target = file
  try {
    target = await realpath(file)
  } catch {
    // does not exist yet
  }
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    await writeFile(tmp, data, {mode, flag: 'wx'})
    await chmod(tmp, mode)
    await rename(tmp, target)
  } catch (err) {
    await rm(tmp, {force: true})
    throw err
  }
  return target
}
