/**
 * Files a command reads (a predicate, a blob, an envelope) and writes (an envelope, a bundle):
 * bounded reads that refuse a directory or an oversized file before reading it, streaming
 * hashes, and atomic writes that never overwrite without --force.
 */
import {createHash, randomBytes} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {open, rename, stat, unlink, writeFile} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {SigilError} from '@sigil/core'
import {checkWritable} from './files.js'

function cannotRead(what: string, path: string, err: unknown): SigilError {
  const code = (err as NodeJS.ErrnoException).code
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message
  return new SigilError('INVALID_ARGUMENT', `cannot read ${what} ${path}: ${why}`, {cause: err})
}

/** A regular file's size; a missing file, a directory or anything else is a usage error naming `what`. */
async function regularFileSize(what: string, path: string): Promise<number> {
  let info
  try {
    info = await stat(path)
  } catch (err) {
    throw cannotRead(what, path, err)
  }
  if (info.isDirectory()) throw new SigilError('INVALID_ARGUMENT', `cannot read ${what} ${path}: it is a directory`)
  return info.size
}

/**
 * The whole of a file of at most `maxBytes`, refused from its size before anything is read (and
 * never more than `maxBytes + 1` bytes read, should it grow meanwhile).
 */
export async function readBoundedFile(what: string, path: string, maxBytes: number): Promise<Uint8Array> {
  const size = await regularFileSize(what, path)
  if (size > maxBytes) throw new SigilError('INVALID_ARGUMENT', `${what} ${path} is ${size} bytes, over the ${maxBytes}-byte limit`)
  let handle
  try {
    handle = await open(path, 'r')
  } catch (err) {
    throw cannotRead(what, path, err)
  }
  try {
    const buffer = Buffer.alloc(maxBytes + 1)
    let read = 0
    for (;;) {
      const {bytesRead} = await handle.read(buffer, read, buffer.length - read, read)
      if (bytesRead === 0) break
      read += bytesRead
      if (read > maxBytes) throw new SigilError('INVALID_ARGUMENT', `${what} ${path} is over the ${maxBytes}-byte limit`)
    }
    return new Uint8Array(buffer.subarray(0, read))
  } catch (err) {
    throw err instanceof SigilError ? err : cannotRead(what, path, err)
  } finally {
    await handle.close()
  }
}

/** Lower-case hex SHA-256 of a file, read as a stream (any size, constant memory). */
export async function sha256File(what: string, path: string): Promise<string> {
  await regularFileSize(what, path)
  const hash = createHash('sha256')
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  } catch (err) {
    throw cannotRead(what, path, err)
  }
  return hash.digest('hex')
}

/**
 * Kept beside files.ts's single-file writeOutputFile: this one lands several files together.
 * Write each file atomically (a temporary file beside it, then rename); existing files need
 * `force`. Every temporary file is written before the first rename, so a failure (disk full, a
 * directory that cannot be written) leaves none of them half-written or half-done.
 */
export async function writeFilesAtomic(files: ReadonlyArray<{path: string; data: Uint8Array | string}>, force: boolean): Promise<void> {
  for (const {path} of files) await checkWritable(path, force)
  const temps: string[] = []
  try {
    for (const {path, data} of files) {
      const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
      temps.push(tmp)
      await writeFile(tmp, data, {mode: 0o644, flag: 'wx'})
    }
    for (const [i, {path}] of files.entries()) await rename(temps[i]!, path)
  } catch (err) {
    await Promise.all(temps.map((t) => unlink(t).catch(() => {})))
    throw new SigilError('INVALID_ARGUMENT', `cannot write ${files.map((f) => f.path).join(', ')}: ${(err as Error).message}`, {cause: err})
  }
}
