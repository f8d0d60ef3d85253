/**
 * Reading a blob once, in large chunks, for sign-blob and verify-blob: a file (opened and checked
 * to be a regular file or a pipe) or a stream (standard input). Reads are double-buffered: the
 * next chunk is read while the caller hashes the current one, so a file is hashed at the speed of
 * the slower of the disk and the hash, in constant memory.
 */
import {open} from 'node:fs/promises'
import type {FileHandle} from 'node:fs/promises'
import {SigningError} from './error.js'

/** Chunk size for file reads (4 MiB: large enough that per-read overhead vanishes). */
export const BLOB_CHUNK_BYTES = 4 * 1024 * 1024

/** Where a blob comes from: a file path, or a stream such as `process.stdin` (`-`). */
export type BlobInput = {readonly path: string} | {readonly stream: AsyncIterable<Uint8Array>; readonly name?: string}

/** What `openBlob` found before reading. */
export interface OpenedBlob {
  /** For messages: the path, or `standard input`. */
  readonly name: string
  /** Size in bytes when known (a regular file), for progress. */
  readonly size?: number
  /** The content, in chunks; each chunk is valid only until the next one is asked for. */
  chunks(): AsyncGenerator<Uint8Array>
  /** Release the file without reading it (reading to the end, or stopping early, releases it too). */
  close(): Promise<void>
}

function fileError(err: unknown, name: string): SigningError {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return new SigningError('FILE_NOT_FOUND', `${name}: no such file`, {cause: err})
  if (code === 'EISDIR') return new SigningError('FILE_READ_FAILED', `${name} is a directory, not a file`, {cause: err})
  if (code === 'EACCES' || code === 'EPERM') return new SigningError('FILE_READ_FAILED', `${name}: permission denied`, {cause: err})
  return new SigningError('FILE_READ_FAILED', `cannot read ${name}: ${(err as Error).message}`, {cause: err})
}

async function* fileChunks(handle: FileHandle, name: string): AsyncGenerator<Uint8Array> {
  const buffers = [Buffer.allocUnsafe(BLOB_CHUNK_BYTES), Buffer.allocUnsafe(BLOB_CHUNK_BYTES)]
  let turn = 0
  const read = (buf: Buffer): Promise<number> =>
    handle.read(buf, 0, buf.length, null).then(
      (r) => r.bytesRead,
      (err: unknown) => {
        throw fileError(err, name)
      },
    )
  try {
    let pending = read(buffers[0]!)
    for (;;) {
      const n = await pending
      if (n === 0) return
      const current = buffers[turn]!
      turn ^= 1
      pending = read(buffers[turn]!)
      // Never left unhandled if the consumer stops early; awaited above otherwise.
      pending.catch(() => {})
      yield current.subarray(0, n)
    }
  } finally {
    await handle.close().catch(() => {})
  }
}

/**
 * Open `input` for one pass. A file must exist and not be a directory (`FILE_NOT_FOUND`,
 * `FILE_READ_FAILED`, checked here, before any key is used); an empty file is a valid blob.
 */
export async function openBlob(input: BlobInput): Promise<OpenedBlob> {
  if ('stream' in input) {
    const stream = input.stream
    return {
      name: input.name ?? 'standard input',
      async *chunks() {
        try {
          for await (const chunk of stream) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk
        } catch (err) {
          throw fileError(err, input.name ?? 'standard input')
        }
      },
      close: () => Promise.resolve(),
    }
  }
  const name = input.path
  let handle: FileHandle
  try {
    handle = await open(name, 'r')
  } catch (err) {
    throw fileError(err, name)
  }
  let size: number | undefined
  try {
    const st = await handle.stat()
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
    if (st.isFile()) size = st.size
  } catch (err) {
    await handle.close().catch(() => {})
    throw fileError(err, name)
  }
  return {name, ...(size !== undefined && {size}), chunks: () => fileChunks(handle, name), close: () => handle.close().catch(() => {})}
}

/** A blob opened for one pass, with the key that will use it. */
export interface KeyedBlob<K> {
  /** What to read (a file's chunks are already open). */
  readonly source: BlobInput
  readonly name: string
  readonly size?: number
  readonly key: K
  /** Release the file without reading it. */
  close(): Promise<void>
}

/**
 * Open `input` (when it is a file) while `key` (a signer or verifier still loading) is on its
 * way: a missing file is reported without waiting for the key, and the file is released if the
 * key then fails.
 */
export async function openWithKey<K>(input: BlobInput, key: K | PromiseLike<K>): Promise<KeyedBlob<K>> {
  const loading = Promise.resolve(key)
  loading.catch(() => {}) // awaited below; not unhandled while the file opens
  const opened = 'path' in input ? await openBlob(input) : undefined
  const loaded = await loading.catch(async (err: unknown) => {
    await opened?.close()
    throw err
  })
  if (!opened) return {source: input, name: 'name' in input && input.name ? input.name : 'standard input', key: loaded, close: () => Promise.resolve()}
  return {source: {stream: opened.chunks(), name: opened.name}, name: opened.name, ...(opened.size !== undefined && {size: opened.size}), key: loaded, close: opened.close}
}
