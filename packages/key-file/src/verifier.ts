/**
 * Verification with a public key file, as `cosign verify --key cosign.pub` does (sigstore's
 * `LoadVerifier`): the hash is the caller's choice (default SHA-256) whatever the key.
 */
import {constants, createPublicKey, verify} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import type {HashAlgorithm, PublicKeyInfo, Verifier, VerifyOptions} from '@sigil/core'
import {parseDerSignature} from './der.js'
import {KeyFileError} from './error.js'
import {publicKeyInfo} from './public-key.js'

const HASHES: ReadonlySet<string> = new Set<HashAlgorithm>(['sha224', 'sha256', 'sha384', 'sha512'])

const COORDINATE_BYTES = {'P-256': 32, 'P-384': 48, 'P-521': 66} as const

/**
 * A Verifier for `info` (its `spki` is what counts; kind/curve are re-derived from it).
 * ECDSA: ASN.1 DER, or raw IEEE-P1363 r‖s when the bytes are not DER (as sigstore); high-S
 * accepted (as Go and OpenSSL). RSA: PKCS#1 v1.5. Ed25519: pure (hash option ignored).
 * `verify` returns false for any malformed signature; it throws only for an unknown hash name.
 * @throws KeyFileError KEY_INVALID (bad SPKI), KEY_UNSUPPORTED (key type)
 */
export function createVerifier(info: PublicKeyInfo): Verifier {
  let key: KeyObject
  try {
    key = createPublicKey({key: Buffer.from(info.spki), format: 'der', type: 'spki'})
  } catch (err) {
    throw new KeyFileError('KEY_INVALID', `invalid public key: ${(err as Error).message}`, {cause: err})
  }
  const publicKey = publicKeyInfo(key, 'the public key')
  const check = checker(key, publicKey)
  return {
    publicKey,
    verify(message: Uint8Array, signature: Uint8Array, options: VerifyOptions = {}): boolean {
      const hash = options.hash ?? 'sha256'
      if (!HASHES.has(hash)) {
        throw new KeyFileError('INVALID_ARGUMENT', `unsupported signature digest algorithm: ${String(hash)}`)
      }
      if (signature.length === 0) return false
      try {
        return check(message, signature, hash)
      } catch {
        // node throws for some malformed inputs (e.g. bad Ed25519 length); that is just "invalid".
        return false
      }
    },
  }
}

type Check = (message: Uint8Array, signature: Uint8Array, hash: HashAlgorithm) => boolean

function checker(key: KeyObject, info: PublicKeyInfo): Check {
  switch (info.kind) {
    case 'ed25519':
      return (message, signature) => verify(null, message, key, signature)
    case 'rsa':
      return (message, signature, hash) =>
        verify(hash, message, {key, padding: constants.RSA_PKCS1_PADDING}, signature)
    case 'ecdsa': {
      const size = COORDINATE_BYTES[info.curve as keyof typeof COORDINATE_BYTES]
      return (message, signature, hash) => {
        if (parseDerSignature(signature)) return verify(hash, message, {key, dsaEncoding: 'der'}, signature)
        const raw = toP1363(signature, size)
        return raw !== undefined && verify(hash, message, {key, dsaEncoding: 'ieee-p1363'}, raw)
      }
    }
  }
}

/**
 * sigstore's raw fallback: any even length up to 132 bytes, halves read as big-endian r and s.
 * Re-padded to the curve's size for OpenSSL; values that cannot fit are invalid anyway.
 */
function toP1363(signature: Uint8Array, size: number): Uint8Array | undefined {
  if (signature.length > 132 || signature.length % 2 !== 0) return undefined
  const half = signature.length / 2
  const out = new Uint8Array(2 * size)
  for (const [index, part] of [signature.subarray(0, half), signature.subarray(half)].entries()) {
    let start = 0
    while (start < part.length && part[start] === 0) start++
    const digits = part.subarray(start)
    if (digits.length > size) return undefined
    out.set(digits, (index + 1) * size - digits.length)
  }
  return out
}
