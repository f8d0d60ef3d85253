/**
 * `verify-blob`: checks a blob against a detached signature or a bundle with a key, as `cosign
 * verify-blob --key` does (spec §7.1), in one pass. Verifiers that stream
 * (`Verifier.createVerification`: ECDSA and RSA keys, local or KMS) take any size in constant
 * memory; pure Ed25519 needs the message in memory, up to `maxBufferedBytes`.
 */
import type {BlobBundle, HashAlgorithm, Verifier} from '@sigil/core'
import type {BlobInput} from './blob-input.js'
import {SigningError} from './error.js'
import {openWithKey} from './blob-input.js'
import {readBlobOnce} from './sign-blob.js'
import type {BlobPassOptions} from './sign-blob.js'

/** What to check the blob against. */
export type BlobSignatureSource = {readonly signature: Uint8Array} | {readonly bundle: BlobBundle}

/** Options of `verifyBlob`. */
export interface VerifyBlobOptions extends BlobPassOptions {
  readonly verifier: Verifier | PromiseLike<Verifier>
  /** Hash the signature is checked with (cosign's `--signature-digest-algorithm`); default SHA-256. */
  readonly hash?: HashAlgorithm
}

/** What `verifyBlob` checked. */
export interface VerifyBlobResult {
  readonly verified: true
  /** `signature`, `legacy-bundle` (cosign 2) or `sigstore-bundle` (v0.3 `messageSignature`). */
  readonly format: 'signature' | 'legacy-bundle' | 'sigstore-bundle'
  /** Lower-case hex SHA-256 of the blob. */
  readonly sha256: string
  readonly size: number
}

/** protobuf-specs `HashAlgorithm` names a bundle's `messageDigest` may carry. */
const BUNDLE_HASHES: Readonly<Record<string, HashAlgorithm>> = {SHA2_256: 'sha256', SHA2_384: 'sha384', SHA2_512: 'sha512'}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

/**
 * Verify `input` against `source` with `options.verifier`. A signature that does not verify, or
 * a v0.3 bundle whose `messageDigest` is not the blob's, throws `NO_MATCHING_SIGNATURES`; an
 * empty signature `NO_SIGNATURES_FOUND`; an unreadable input `FILE_NOT_FOUND` / `FILE_READ_FAILED`;
 * a bundle digest algorithm other than SHA2_256/384/512 `INVALID_PAYLOAD`.
 */
export async function verifyBlob(input: BlobInput, source: BlobSignatureSource, options: VerifyBlobOptions): Promise<VerifyBlobResult> {
  let signature: Uint8Array
  let format: VerifyBlobResult['format'] = 'signature'
  let expected: {hash: HashAlgorithm; digest: Uint8Array} | undefined
  if ('signature' in source) {
    signature = source.signature
  } else if (source.bundle.format === 'legacy') {
    format = 'legacy-bundle'
    signature = source.bundle.legacy.signature
  } else {
    format = 'sigstore-bundle'
    const message = source.bundle.bundle.messageSignature!
    signature = message.signature
    if (message.messageDigest !== undefined) {
      const hash = Object.hasOwn(BUNDLE_HASHES, message.messageDigest.algorithm) ? BUNDLE_HASHES[message.messageDigest.algorithm] : undefined
      if (hash === undefined) throw new SigningError('INVALID_PAYLOAD', `the bundle's message digest algorithm ${JSON.stringify(message.messageDigest.algorithm)} is not supported (SHA2_256, SHA2_384, SHA2_512)`)
      expected = {hash, digest: message.messageDigest.digest}
    }
  }
  if (signature.length === 0) throw new SigningError('NO_SIGNATURES_FOUND', 'the signature is empty')

  const blob = await openWithKey(input, options.verifier)
  const verifier = blob.key
  const hash = options.hash ?? 'sha256'
  const session = verifier.createVerification?.({hash})
  const name = blob.name
  const read = await readBlobOnce(blob.source, {
    ...(expected && {extra: [expected.hash]}),
    ...(session ? {sink: (chunk: Uint8Array) => session.update(chunk)} : {buffer: verifier.publicKey.kind === 'ed25519' ? 'Ed25519 keys verify the message itself (pure Ed25519 cannot be computed incrementally)' : 'this key backend verifies whole messages only'}),
    ...(options.maxBufferedBytes !== undefined && {maxBufferedBytes: options.maxBufferedBytes}),
    ...(options.onProgress && {onProgress: (done: number) => options.onProgress!(done, blob.size)}),
  })
  if (expected !== undefined) {
    const actual = read.digests.get(expected.hash)!
    if (!Buffer.from(actual).equals(Buffer.from(expected.digest))) {
      throw new SigningError(
        'NO_MATCHING_SIGNATURES',
        `the bundle is for another file: it signs ${expected.hash}:${hex(expected.digest)}, ${name} is ${expected.hash}:${hex(actual)}`,
      )
    }
  }
  const ok = session ? session.verify(signature) : verifier.verify(read.message!, signature, {hash})
  if (!ok) throw new SigningError('NO_MATCHING_SIGNATURES', `invalid signature when validating ${name}: the signature does not verify with the key (wrong key, or the file changed)`)
  return {verified: true, format, sha256: read.sha256, size: read.size}
}
