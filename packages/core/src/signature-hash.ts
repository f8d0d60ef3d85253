/**
 * The hash a signature scheme signs with: what a streaming signer's caller computes before
 * `Signer.signDigest` (contracts.ts). Pure Ed25519 hashes nothing: it signs the message itself.
 */
import type {HashAlgorithm, SignatureAlgorithm} from './contracts.js'
import {SigilError} from './errors.js'

/** Digest lengths in bytes. */
export const HASH_BYTES: Readonly<Record<HashAlgorithm, number>> = Object.freeze({sha224: 28, sha256: 32, sha384: 48, sha512: 64})

/** The hash `algorithm` signs over (`ecdsa-p384-sha256` → `sha256`), or undefined for `ed25519`. */
export function signatureHash(algorithm: SignatureAlgorithm): HashAlgorithm | undefined {
  if (algorithm === 'ed25519') return undefined
  const hash = /-(sha(?:224|256|384|512))$/.exec(algorithm)?.[1]
  if (hash === undefined) throw new SigilError('KEY_UNSUPPORTED', `unknown signature algorithm ${JSON.stringify(algorithm)}`)
  return hash as HashAlgorithm
}

/**
 * Checks the arguments of a `Signer.signDigest` call for `algorithm`: the scheme's hash and a
 * digest of its length. Every backend calls it first.
 * @throws SigilError INVALID_ARGUMENT
 */
export function checkDigestArgs(algorithm: SignatureAlgorithm, digest: Uint8Array, hash: HashAlgorithm): void {
  const expected = signatureHash(algorithm)
  if (expected === undefined) throw new SigilError('INVALID_ARGUMENT', `${algorithm} signs the message itself, not a digest`)
  if (hash !== expected) throw new SigilError('INVALID_ARGUMENT', `${algorithm} signs a ${expected} digest, not ${String(hash)}`)
  checkDigestLength(digest, hash)
}

/** Check that `digest` is as long as a `hash` digest is. Throws `INVALID_ARGUMENT`. */
export function checkDigestLength(digest: Uint8Array, hash: HashAlgorithm): void {
  const bytes = HASH_BYTES[hash] as number | undefined
  if (bytes === undefined) throw new SigilError('INVALID_ARGUMENT', `${String(hash)} is not a hash sigil knows`)
  if (digest.length !== bytes) throw new SigilError('INVALID_ARGUMENT', `a ${hash} digest has ${bytes} bytes, got ${digest.length}`)
}
