/**
 * Writing key files so that nothing is clobbered by accident or left half-written: the data
 * goes to a temporary file in the target's directory first, then takes the target's name in
 * one step (rename to replace, hard link to create only if absent).
 */
import {randomBytes} from 'node:crypto'
import {basename, dirname, join} from 'node:path'

/** An open file, as `node:fs/promises` `FileHandle` provides it. */
export interface KeyFileHandle {
  chmod(mode: number): Promise<void>
  writeFile(data: string | Uint8Array): Promise<void>
  sync(): Promise<void>
  close(): Promise<void>
}

/**
 * The file operations the key-file provider uses; `node:fs/promises` satisfies it (the
 * default). Errors must carry node's `code` (ENOENT, EEXIST, EACCES, …).
 */
export interface KeyFileSystem {
  readFile(path: string): Promise<Uint8Array>
  /** `flags` is `'wx'` (create exclusively). */
  open(path: string, flags: string, mode?: number): Promise<KeyFileHandle>
  rename(oldPath: string, newPath: string): Promise<void>
  link(existingPath: string, newPath: string): Promise<void>
  /** `mode` 1 = COPYFILE_EXCL. */
  copyFile(src: string, dest: string, mode?: number): Promise<void>
  unlink(path: string): Promise<void>
  lstat(path: string): Promise<unknown>
}

/** Options of `writeFileAtomic`. */
export interface WriteFileAtomicOptions {
  /** Permission bits; applied exactly with chmod when `exactMode`, else filtered by the umask. */
  readonly mode: number
  /** Force `mode` regardless of the umask (for private keys). Default false. */
  readonly exactMode?: boolean
  /** Replace an existing file. Default false: fail with EEXIST and leave it untouched. */
  readonly overwrite?: boolean
}

// copyFile's COPYFILE_EXCL flag (node:fs constants), fixed by libuv.
const COPYFILE_EXCL = 1

/** Write `data` to `path` atomically. Errors are node's (`code` EEXIST, EACCES, ENOENT, …). */
export async function writeFileAtomic(
  fs: KeyFileSystem,
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions,
): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  // 'wx' = O_CREAT|O_EXCL: never follows or reuses someone else's file at the temp name.
  const handle = await fs.open(temp, 'wx', options.mode)
  let renamed = false
  try {
    try {
      if (options.exactMode) await handle.chmod(options.mode)
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    if (options.overwrite) {
      await fs.rename(temp, path)
      renamed = true
      return
    }
    try {
      await fs.link(temp, path) // atomic, and fails with EEXIST rather than replacing
    } catch (err) {
      if (!isLinkUnsupported(err)) throw err
      // Filesystems without hard links: exclusive copy still never replaces an existing file.
      await fs.copyFile(temp, path, COPYFILE_EXCL)
    }
  } finally {
    if (!renamed) await fs.unlink(temp).catch(() => undefined)
  }
}

function isLinkUnsupported(err: unknown): boolean {
  const code = (err as {code?: unknown}).code
  return code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS' || code === 'EXDEV'
}
