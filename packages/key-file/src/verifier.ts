/**
 * Verification with a public key file, as `cosign verify --key cosign.pub` does (sigstore's
 * `LoadVerifier`): the hash is the caller's choice (default SHA-256) whatever the key.
 */
import {createPublicKey} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {createLocalVerifier, publicKeyInfoFromKey} from '@sigil/core'
import type {HashAlgorithm, PublicKeyInfo, Verifier, VerifyOptions} from '@sigil/core'
import {KeyFileError} from './error.js'

const HASHES: ReadonlySet<string> = new Set<HashAlgorithm>(['sha224', 'sha256', 'sha384', 'sha512'])

/**
 * A Verifier for `info` (its `spki` is what counts; kind/curve are re-derived from it).
 * ECDSA: ASN.1 DER, or raw IEEE-P1363 r‖s when the bytes are not DER (as sigstore); high-S
 * accepted (as Go and OpenSSL). RSA: PKCS#1 v1.5. Ed25519: pure (hash option ignored).
 * `verify` returns false for any malformed signature; it throws only for an unknown hash name.
 * The checking itself is core's `createLocalVerifier`, shared by every key provider.
 * @throws KeyFileError KEY_INVALID (bad SPKI), KEY_UNSUPPORTED (key type)
 */
export function createVerifier(info: PublicKeyInfo): Verifier {
  let key: KeyObject
  try {
    key = createPublicKey({key: Buffer.from(info.spki), format: 'der', type: 'spki'})
  } catch (err) {
    throw new KeyFileError('KEY_INVALID', `invalid public key: ${(err as Error).message}`, {cause: err})
  }
  // Validates the key type the way cosign.pub reading does (e.g. rejects secp256k1).
  const publicKey = publicKeyInfoFromKey(key, 'the public key', info.spki)
  const local = createLocalVerifier(publicKey)
  const hashOf = (options: VerifyOptions): HashAlgorithm => {
    const hash = options.hash ?? 'sha256'
    if (!HASHES.has(hash)) {
      throw new KeyFileError('INVALID_ARGUMENT', `unsupported signature digest algorithm: ${String(hash)}`)
    }
    return hash
  }
  const streaming = local.createVerification?.bind(local)
  return {
    publicKey,
    ...(streaming && {createVerification: (options: VerifyOptions = {}) => streaming({hash: hashOf(options)})}),
    verify(message: Uint8Array, signature: Uint8Array, options: VerifyOptions = {}): boolean {
      return local.verify(message, signature, {hash: hashOf(options)})
    },
  }
}
