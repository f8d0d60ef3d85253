/**
 * The hash a signature scheme signs with: what a streaming signer's caller computes before
 * `Signer.signDigest` (contracts.ts). Pure Ed25519 hashes nothing: it signs the message itself.
 */
import type {HashAlgorithm, PublicKeyInfo, SignatureAlgorithm} from './contracts.js'
import {SigilError} from './errors.js'

/** Digest lengths in bytes. */
export const HASH_BYTES: Readonly<Record<HashAlgorithm, number>> = Object.freeze({sha224: 28, sha256: 32, sha384: 48, sha512: 64})

/** DER `DigestInfo` prefix for a SHA-256 digest (RFC 8017 §9.2 note 1). */
const SHA256_DIGEST_INFO_PREFIX = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]

/**
 * The DER `DigestInfo` of a SHA-256 digest: what RSA PKCS#1 v1.5 signs (prefix ‖ digest), for a
 * backend that pads a precomputed digest itself. A fresh array each call.
 */
export function sha256DigestInfo(digest: Uint8Array): Uint8Array {
  const out = new Uint8Array(SHA256_DIGEST_INFO_PREFIX.length + digest.length)
  out.set(SHA256_DIGEST_INFO_PREFIX)
  out.set(digest, SHA256_DIGEST_INFO_PREFIX.length)
  return out
}

/**
 * The scheme a key signs with by default, as cosign does with a key file or a sigstore KMS plugin:
 * Ed25519 pure, RSA PKCS#1 v1.5, ECDSA on the key's curve; always SHA-256 where a hash is needed.
 */
export function defaultSignatureAlgorithm(info: PublicKeyInfo): SignatureAlgorithm {
  switch (info.kind) {
    case 'ed25519':
      return 'ed25519'
    case 'rsa':
      return 'rsa-pkcs1v15-sha256'
    case 'ecdsa':
      return info.curve === 'P-384' ? 'ecdsa-p384-sha256' : info.curve === 'P-521' ? 'ecdsa-p521-sha256' : 'ecdsa-p256-sha256'
  }
}

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
