/**
 * OCI image layouts on disk (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`): reading with every
 * blob checked against its digest, and writing so that a layout is never seen half-written (it is
 * built in a temporary directory beside the target and renamed into place when complete).
 * The JSON shapes are core's (`parseLayoutIndex`, `buildLayoutIndex`).
 */
import {createHash, randomBytes} from 'node:crypto'
import {createReadStream, createWriteStream} from 'node:fs'
import type {Readable} from 'node:stream'
import {basename, dirname, join, resolve} from 'node:path'
import {OCI_LAYOUT_FILE, SigilError, buildLayoutIndex, buildLayoutMarker, checkLayoutMarker, computeDigest, isDigest, parseDigest, parseLayoutIndex} from '@sigil/core'
import type {IndexDescriptor, LayoutIndex} from '@sigil/core'
import {hashingTransform} from './digest-stream.js'

const INDEX_FILE = 'index.json'

/**
 * node:fs/promises, loaded on first use (node:stream/promises too): this module reaches every
 * command's start-up through the package index, and only the commands that read or write layouts
 * need them.
 */
function fsp(): typeof import('node:fs/promises') {
  return process.getBuiltinModule('node:fs/promises')
}

function layoutError(message: string, cause?: unknown): SigilError {
  return new SigilError('INVALID_LAYOUT', message, cause === undefined ? undefined : {cause})
}

function writeError(dir: string, err: unknown): SigilError {
  const e = err as NodeJS.ErrnoException
  const why = e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'ENOSPC' ? 'no space left on the device' : e.code === 'ENOENT' ? 'its parent directory does not exist' : (e.message ?? String(err))
  return new SigilError('LAYOUT_WRITE_FAILED', `cannot write the layout ${dir}: ${why}`, {cause: err})
}

function blobPath(dir: string, digest: string): string {
  const {algorithm, hex} = parseDigest(digest)
  return join(dir, 'blobs', algorithm, hex)
}

/** A layout being read. `index()` reads `index.json` again on every call (the layout may change). */
export interface OciLayoutReader {
  /** The layout directory, as given. */
  readonly dir: string
  index(): Promise<LayoutIndex>
  /**
   * A blob's bytes, checked against `digest` (and `size` when given); `INVALID_LAYOUT` when it is
   * missing, of another size or content, or larger than `maxBytes` (default 128 MiB).
   */
  readBlob(digest: string, options?: {readonly size?: number; readonly maxBytes?: number}): Promise<Uint8Array>
  /** Check a blob (streamed, any size) is present with `descriptor`'s size and digest, without keeping it. */
  checkBlob(descriptor: {readonly digest: string; readonly size: number}): Promise<void>
  /** A blob's bytes as a stream (unchecked: use {@link checkBlob} first, or let the consumer verify). */
  openBlob(digest: string): Promise<Readable>
  /** The sha256 blobs present (file names that are digests), with their sizes. */
  listBlobs(): Promise<Array<{readonly digest: string; readonly size: number}>>
  /** The first `length` bytes of a blob (fewer when it is shorter); unchecked: a hint only. */
  peekBlob(digest: string, length: number): Promise<Uint8Array>
}

/**
 * Open the layout at `dir`: its `oci-layout` file must name version 1.x. Throws `INVALID_LAYOUT`
 * naming what is wrong (no such directory, not a layout).
 */
export async function openOciLayout(dir: string, options: {readonly maxBlobBytes?: number} = {}): Promise<OciLayoutReader> {
  let info
  try {
    info = await fsp().stat(dir)
  } catch (err) {
    throw layoutError(`${dir}: no such directory (an OCI image layout, as sigil save or cosign save writes, is expected)`, err)
  }
  if (!info.isDirectory()) throw layoutError(`${dir} is not a directory (an OCI image layout is expected)`)
  let marker
  try {
    marker = await fsp().readFile(join(dir, OCI_LAYOUT_FILE))
  } catch (err) {
    throw layoutError(`${dir} is not an OCI image layout: it has no ${OCI_LAYOUT_FILE} file`, err)
  }
  checkLayoutMarker(marker)
  const maxDefault = options.maxBlobBytes ?? 128 * 1024 * 1024
  const missing = (digest: string, err: unknown) => layoutError(`the layout ${dir} is incomplete: blob ${digest} is missing`, err)
  return {
    dir,
    async index() {
      let bytes
      try {
        bytes = await fsp().readFile(join(dir, INDEX_FILE))
      } catch (err) {
        throw layoutError(`${dir} is not an OCI image layout: it has no ${INDEX_FILE}`, err)
      }
      try {
        return parseLayoutIndex(bytes)
      } catch (err) {
        throw layoutError(`${join(dir, INDEX_FILE)}: ${(err as Error).message}`, err)
      }
    },
    async readBlob(digest, blobOptions = {}) {
      if (!isDigest(digest)) throw layoutError(`the layout ${dir} names an invalid digest ${JSON.stringify(digest)}`)
      const limit = blobOptions.maxBytes ?? maxDefault
      const path = blobPath(dir, digest)
      let handle
      try {
        handle = await fsp().open(path, 'r')
      } catch (err) {
        throw missing(digest, err)
      }
      try {
        const {size} = await handle.stat()
        if (blobOptions.size !== undefined && size !== blobOptions.size) {
          throw layoutError(`the layout ${dir} is corrupt: blob ${digest} is ${size} bytes, its descriptor says ${blobOptions.size}`)
        }
        if (size > limit) throw layoutError(`the layout ${dir}: blob ${digest} is ${size} bytes, over the ${limit}-byte limit`)
        const bytes = new Uint8Array(await handle.readFile())
        const actual = computeDigest(bytes, parseDigest(digest).algorithm)
        if (actual !== digest) throw layoutError(`the layout ${dir} is corrupt: blob ${digest} does not match its digest (its content is ${actual})`)
        return bytes
      } finally {
        await handle.close()
      }
    },
    async checkBlob(descriptor) {
      if (!isDigest(descriptor.digest)) throw layoutError(`the layout ${dir} names an invalid digest ${JSON.stringify(descriptor.digest)}`)
      const path = blobPath(dir, descriptor.digest)
      const {algorithm} = parseDigest(descriptor.digest)
      const hash = createHash(algorithm)
      let size = 0
      try {
        for await (const chunk of createReadStream(path)) {
          size += (chunk as Buffer).length
          hash.update(chunk as Buffer)
        }
      } catch (err) {
        throw missing(descriptor.digest, err)
      }
      const actual = `${algorithm}:${hash.digest('hex')}`
      if (actual !== descriptor.digest) throw layoutError(`the layout ${dir} is corrupt: blob ${descriptor.digest} does not match its digest (its content is ${actual})`)
      if (size !== descriptor.size) throw layoutError(`the layout ${dir} is corrupt: blob ${descriptor.digest} is ${size} bytes, its descriptor says ${descriptor.size}`)
    },
    async openBlob(digest) {
      if (!isDigest(digest)) throw layoutError(`the layout ${dir} names an invalid digest ${JSON.stringify(digest)}`)
      const handle = await fsp().open(blobPath(dir, digest), 'r').catch((err: unknown) => {
        throw missing(digest, err)
      })
      return handle.createReadStream({highWaterMark: 1024 * 1024})
    },
    async listBlobs() {
      const base = join(dir, 'blobs', 'sha256')
      const names = (await entries(base).catch((err: unknown) => {
        throw layoutError(`cannot read ${base}: ${(err as Error).message}`, err)
      })) ?? []
      const out: Array<{digest: string; size: number}> = []
      for (const name of names) {
        const digest = `sha256:${name}`
        if (!isDigest(digest)) continue
        const info = await fsp().stat(join(base, name)).catch(() => undefined)
        if (info?.isFile()) out.push({digest, size: info.size})
      }
      return out
    },
    async peekBlob(digest, length) {
      const handle = await fsp().open(blobPath(dir, digest), 'r').catch((err: unknown) => {
        throw missing(digest, err)
      })
      try {
        const buffer = new Uint8Array(length)
        const {bytesRead} = await handle.read(buffer, 0, length, 0)
        return buffer.subarray(0, bytesRead)
      } finally {
        await handle.close()
      }
    },
  }
}

/** A layout being written; nothing is at `dir` until {@link OciLayoutWriter.commit}. */
export interface OciLayoutWriter {
  readonly dir: string
  /** Add a blob (its digest checked first); a blob already written is skipped. */
  writeBlob(digest: string, bytes: Uint8Array): Promise<void>
  /**
   * Add a blob from a stream, in constant memory: written to a temporary file, hashed as it is
   * written, and renamed to its place only when the stream ended cleanly with `digest` and `size`
   * (else DIGEST_MISMATCH, or the stream's own error, and the temporary file is removed).
   */
  writeBlobStream(digest: string, size: number, stream: Readable): Promise<void>
  /** Write `oci-layout` and `index.json` listing `manifests`, then put the layout at `dir` in one rename. */
  commit(manifests: readonly IndexDescriptor[]): Promise<void>
  /** Remove what was written (after a failure). Never touches `dir`. */
  abort(): Promise<void>
}

/** Options of {@link createOciLayout}. */
export interface CreateOciLayoutOptions {
  /** Replace an existing layout at `dir`. A non-empty directory that is not a layout is never replaced. Default false. */
  readonly force?: boolean
}

async function entries(dir: string): Promise<string[] | undefined> {
  try {
    return await fsp().readdir(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/**
 * Start writing a layout for `dir`. `dir` may be absent or an empty directory; an existing
 * layout is replaced only with `force`; anything else is refused (`INVALID_ARGUMENT`). The layout
 * is built beside `dir` (`.<name>.<random>.tmp`) so that `dir` holds either the old content or
 * the complete new layout, never a partial one. `LAYOUT_WRITE_FAILED` when it cannot be written.
 */
export async function createOciLayout(dir: string, options: CreateOciLayoutOptions = {}): Promise<OciLayoutWriter> {
  const target = resolve(dir)
  const checkTarget = async (): Promise<'absent' | 'empty' | 'layout'> => {
    let info
    try {
      info = await fsp().lstat(target)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent'
      throw writeError(dir, err)
    }
    if (!info.isDirectory()) throw new SigilError('INVALID_ARGUMENT', `${dir} exists and is not a directory`)
    const names = await entries(target).catch((err: unknown) => {
      throw writeError(dir, err)
    })
    if (names === undefined || names.length === 0) return 'empty'
    if (!names.includes(OCI_LAYOUT_FILE)) throw new SigilError('INVALID_ARGUMENT', `${dir} is not empty and is not an OCI image layout; choose an empty or new directory`)
    if (!options.force) throw new SigilError('INVALID_ARGUMENT', `${dir} already holds an OCI image layout; pass --force to replace it`)
    return 'layout'
  }
  await checkTarget()
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await fsp().mkdir(join(temp, 'blobs'), {recursive: true})
  } catch (err) {
    throw writeError(dir, err)
  }
  const written = new Set<string>()
  return {
    dir,
    async writeBlob(digest, bytes) {
      if (written.has(digest)) return
      const actual = computeDigest(bytes, parseDigest(digest).algorithm)
      if (actual !== digest) throw new SigilError('DIGEST_MISMATCH', `blob ${digest}: content digest ${actual} does not match`)
      const path = blobPath(temp, digest)
      try {
        await fsp().mkdir(dirname(path), {recursive: true})
        await fsp().writeFile(path, bytes, {flag: 'wx'})
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError(dir, err)
      }
      written.add(digest)
    },
    async writeBlobStream(digest, size, stream) {
      if (written.has(digest)) {
        stream.destroy()
        return
      }
      const {algorithm} = parseDigest(digest)
      const path = blobPath(temp, digest)
      const partial = `${path}.${randomBytes(4).toString('hex')}.partial`
      // Hashed in the pipeline, so what is hashed is exactly what reaches the file.
      const hashing = hashingTransform(algorithm)
      try {
        await fsp().mkdir(dirname(path), {recursive: true})
        await process.getBuiltinModule('node:stream/promises').pipeline(stream, hashing.stream, createWriteStream(partial, {flags: 'wx'}))
      } catch (err) {
        stream.destroy()
        await fsp().rm(partial, {force: true})
        if (err instanceof SigilError) throw err
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'EACCES' || code === 'EPERM' || code === 'ENOSPC' || code === 'ENOENT' || code === 'EEXIST' || code === 'EROFS' || code === 'EISDIR') throw writeError(dir, err)
        throw err
      }
      const {digest: actual, size: total} = hashing.result()
      if (actual !== digest || total !== size) {
        await fsp().rm(partial, {force: true})
        throw new SigilError('DIGEST_MISMATCH', `blob ${digest}: ${total !== size ? `${total} bytes arrived, its descriptor declares ${size}` : `content digest ${actual} does not match`}`)
      }
      try {
        await fsp().rename(partial, path)
      } catch (err) {
        await fsp().rm(partial, {force: true})
        throw writeError(dir, err)
      }
      written.add(digest)
    },
    async commit(manifests) {
      try {
        await fsp().writeFile(join(temp, OCI_LAYOUT_FILE), buildLayoutMarker())
        await fsp().writeFile(join(temp, INDEX_FILE), buildLayoutIndex(manifests))
      } catch (err) {
        throw writeError(dir, err)
      }
      // Checked again: the target may have changed while blobs were fetched.
      const state = await checkTarget()
      const old = `${temp}.old`
      try {
        if (state === 'empty') await fsp().rmdir(target)
        if (state === 'layout') await fsp().rename(target, old)
        await fsp().rename(temp, target)
      } catch (err) {
        throw writeError(dir, err)
      }
      if (state === 'layout') await fsp().rm(old, {recursive: true, force: true})
    },
    async abort() {
      await fsp().rm(temp, {recursive: true, force: true})
    },
  }
}
