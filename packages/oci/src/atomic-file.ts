/**
 * Writing a file so that readers see the old content or the new, never half of it: the data goes
 * to a temporary file in the target's directory (created exclusively, with `mode`), which then
 * takes the target's name: renamed over it, or, with `overwrite: false`, hard-linked to it, which
 * fails with EEXIST rather than replace an existing file. A symlinked target is followed, so the
 * link stays a link.
 */
import {randomBytes} from 'node:crypto'
import {basename, dirname, join} from 'node:path'

/**
 * Write `data` to `file` atomically with permission bits `mode` (default 0600), replacing an
 * existing file unless `overwrite` is false. Returns the path written (a symlink's target).
 * Throws node's errors (`code` ENOENT, EACCES, EISDIR, EEXIST…).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600, options: {readonly overwrite?: boolean} = {}): Promise<string> {
  // Loaded here: the modules using this are part of start-ups that never write a file.
  const {link, open, realpath, rename, rm} = process.getBuiltinModule('node:fs/promises')
  let target = file
  try {
    target = await realpath(file)
  } catch {
    // does not exist yet
  }
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    const handle = await open(tmp, 'wx', mode)
    try {
      await handle.chmod(mode) // exactly `mode`, whatever the umask
      await handle.writeFile(data)
      await handle.sync() // on disk before it takes the name
    } finally {
      await handle.close()
    }
    await (options.overwrite === false ? link(tmp, target) : rename(tmp, target))
  } finally {
    await rm(tmp, {force: true}) // gone after a rename; the extra name after a link
  }
  return target
}

/**
 * Write a cache file (`data` to `file`, mode 0600, its directory made with mode 0700), replacing
 * it by rename so that readers see the old content or the new, synchronously (callers write from
 * a setter or at exit) and best-effort: a cache that cannot be written only costs a later run
 * what it would have saved, so every failure is ignored.
 */
export function writeCacheFileSync(file: string, data: string | Uint8Array): void {
  const {mkdirSync, renameSync, writeFileSync} = process.getBuiltinModule('node:fs')
  try {
    mkdirSync(dirname(file), {recursive: true, mode: 0o700})
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, data, {mode: 0o600})
    renameSync(tmp, file)
  } catch {
    // best effort
  }
}
