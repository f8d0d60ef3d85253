/**
 * `sign-blob`: a signature over a file's bytes, as `cosign sign-blob --key` makes it (spec §7.1),
 * read in one pass. Signers that sign digests (`Signer.signDigest`: file ECDSA/RSA keys, KMS,
 * HSMs) get any size in constant memory: the file is hashed as it is read and only the digest is
 * signed. Signers that need the message itself (pure Ed25519, executable plugins) get it in
 * memory, up to `maxBufferedBytes`.
 */
import {createHash} from 'node:crypto'
import type {Hash} from 'node:crypto'
import {signatureHash} from '@sigil/core'
import type {HashAlgorithm, Signer} from '@sigil/core'
import {openBlob, openWithKey} from './blob-input.js'
import type {BlobInput} from './blob-input.js'
import {SigningError} from './error.js'

/** The most a blob may have when the signer or verifier needs the whole message in memory (256 MiB). */
export const MAX_BUFFERED_BLOB_BYTES = 256 * 1024 * 1024

/** Options of `signBlob` and `verifyBlob`. */
export interface BlobPassOptions {
  /** Called after each chunk with the bytes read so far and the total when known (progress bars). */
  readonly onProgress?: (done: number, total: number | undefined) => void
  /** Limit for messages held in memory; default `MAX_BUFFERED_BLOB_BYTES`. */
  readonly maxBufferedBytes?: number
}

/** Options of `signBlob`. */
export interface SignBlobOptions extends BlobPassOptions {
  /** The key; a promise lets the file be opened (and its errors reported) while the key unlocks. */
  readonly signer: Signer | PromiseLike<Signer>
}

/** What `signBlob` made. */
export interface SignBlobResult {
  /** The signature (ECDSA: ASN.1 DER), as cosign writes it before base64. */
  readonly signature: Uint8Array
  /** Lower-case hex SHA-256 of the blob (the bundle's `messageDigest`). */
  readonly sha256: string
  /** Bytes read. */
  readonly size: number
  /** How the key signed: over a digest computed while reading, or over the whole message in memory. */
  readonly mode: 'digest' | 'message'
}

/** What one pass over a blob collects: its SHA-256, more hashes if asked, the bytes if asked. */
export interface BlobPass {
  readonly sha256: string
  readonly digests: ReadonlyMap<HashAlgorithm, Uint8Array>
  readonly size: number
  readonly message?: Uint8Array
}

/** Why a blob must fit in memory, for the `MESSAGE_TOO_LARGE` error. */
export type BufferReason = string

/**
 * Read `input` once: SHA-256 always, the `extra` hashes, each chunk to `sink`, and (with
 * `buffer`) the whole content, refusing more than `maxBufferedBytes` with `MESSAGE_TOO_LARGE`.
 */
export async function readBlobOnce(
  input: BlobInput,
  options: BlobPassOptions & {extra?: readonly HashAlgorithm[]; buffer?: BufferReason; sink?: (chunk: Uint8Array) => void},
): Promise<BlobPass> {
  const blob = await openBlob(input)
  const limit = options.maxBufferedBytes ?? MAX_BUFFERED_BLOB_BYTES
  if (options.buffer !== undefined && blob.size !== undefined && blob.size > limit) {
    await blob.close()
    throw tooLarge(blob.name, limit, options.buffer)
  }
  const sha256 = createHash('sha256')
  const hashes = new Map<HashAlgorithm, Hash>()
  for (const h of options.extra ?? []) if (h !== 'sha256') hashes.set(h, createHash(h))
  const parts: Buffer[] = []
  let size = 0
  for await (const chunk of blob.chunks()) {
    size += chunk.length
    if (options.buffer !== undefined) {
      if (size > limit) throw tooLarge(blob.name, limit, options.buffer)
      parts.push(Buffer.from(chunk)) // a copy: the reader reuses its buffers
    }
    sha256.update(chunk)
    for (const h of hashes.values()) h.update(chunk)
    options.sink?.(chunk)
    options.onProgress?.(size, blob.size)
  }
  const sum = sha256.digest()
  const digests = new Map<HashAlgorithm, Uint8Array>([['sha256', new Uint8Array(sum)]])
  for (const [name, h] of hashes) digests.set(name, new Uint8Array(h.digest()))
  return {sha256: sum.toString('hex'), digests, size, ...(options.buffer !== undefined && {message: new Uint8Array(Buffer.concat(parts, size))})}
}

function tooLarge(name: string, limit: number, reason: BufferReason): SigningError {
  const mib = (n: number): string => `${Math.ceil(n / 1024 / 1024)} MiB`
  return new SigningError('MESSAGE_TOO_LARGE', `${name} is over the ${mib(limit)} limit for blobs held in memory: ${reason}, so it must fit in memory`, {
    details: {limit},
  })
}

/**
 * Sign `input` with `signer` in one pass. The hash is the signer's (`signatureHash`): SHA-256 for
 * cosign keys, the KMS key's for KMS keys. Throws `FILE_NOT_FOUND` / `FILE_READ_FAILED` for an
 * input that cannot be read, `MESSAGE_TOO_LARGE` when the signer needs the message in memory
 * and it is over the limit, and whatever the signer throws.
 */
export async function signBlob(input: BlobInput, options: SignBlobOptions): Promise<SignBlobResult> {
  // A missing file is reported without waiting for the key to unlock.
  const blob = await openWithKey(input, options.signer)
  const signer = blob.key
  const hash = signatureHash(signer.algorithm)
  const limit = options.maxBufferedBytes ?? MAX_BUFFERED_BLOB_BYTES
  const pass = (extra: {extra?: HashAlgorithm[]; buffer?: BufferReason}): Promise<BlobPass> =>
    readBlobOnce(blob.source, {...extra, maxBufferedBytes: limit, onProgress: options.onProgress && ((done) => options.onProgress!(done, blob.size))})
  if (hash !== undefined && signer.signDigest) {
    const read = await pass({extra: [hash]})
    const signature = await signer.signDigest(read.digests.get(hash)!, hash)
    return {signature, sha256: read.sha256, size: read.size, mode: 'digest'}
  }
  const reason = hash === undefined ? `${signer.algorithm} keys sign the message itself (pure Ed25519 cannot be computed incrementally)` : 'this key backend signs whole messages, not digests'
  if (blob.size !== undefined && blob.size > limit) {
    await blob.close()
    throw tooLarge(blob.name, limit, reason)
  }
  const read = await pass({buffer: reason})
  const signature = await signer.sign(read.message!)
  return {signature, sha256: read.sha256, size: read.size, mode: 'message'}
}
