/**
 * Reading public keys: cosign.pub's PEM `PUBLIC KEY` (PKIX SubjectPublicKeyInfo), as Go's
 * `cryptoutils.MarshalPublicKeyToPEM` writes it, and `RSA PUBLIC KEY` (PKCS#1); the public half of
 * a PKCS#8 key. node:crypto parses and validates the key (a point on its curve, a well-formed RSA
 * key): that takes a crypto library, and core's local verifier uses the same one.
 */
import {createPrivateKey, createPublicKey} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import type {PublicKeyInfo} from './contracts.js'
import {SigilError} from './errors.js'
import {describeSupportedKey} from './key-types.js'
import {decodePem, isPrivateKeyPemType} from './pem.js'
import {EC_COORDINATE_BYTES, ecSpki, encodePublicKeyPem, isCanonicalSpki} from './spki.js'
import type {EcCurve} from './spki.js'

/** Options of `parsePublicKeyPem`. */
export interface ParsePublicKeyOptions {
  /** Names the key in error messages (a path, `env://VAR`). Default `the public key`. */
  readonly source?: string
}

/**
 * Parse a public key PEM (`PUBLIC KEY` or `RSA PUBLIC KEY`) and check it is a supported type.
 * A private key PEM is rejected with a message saying verification needs the `.pub`.
 * @throws SigilError KEY_INVALID (not a public key PEM, corrupt), KEY_UNSUPPORTED (key type)
 */
export function parsePublicKeyPem(pem: string | Uint8Array, options: ParsePublicKeyOptions = {}): PublicKeyInfo {
  const source = options.source ?? 'the public key'
  const block = decodePem(pem)
  if (!block) {
    throw new SigilError('KEY_INVALID', `PEM decoding failed: ${source} does not contain a PEM public key`)
  }
  let format: 'spki' | 'pkcs1'
  if (block.type === 'PUBLIC KEY') {
    format = 'spki'
  } else if (block.type === 'RSA PUBLIC KEY') {
    format = 'pkcs1'
  } else if (isPrivateKeyPemType(block.type)) {
    throw new SigilError(
      'KEY_INVALID',
      `${source} (${block.type}) is a private key; verification needs the public key (cosign.pub)`,
    )
  } else {
    throw new SigilError(
      'KEY_INVALID',
      `unknown Public key PEM file type: ${block.type}. Are you passing the correct public key?`,
    )
  }
  let key: KeyObject
  try {
    key = createPublicKey({key: Buffer.from(block.bytes), format: 'der', type: format})
  } catch (err) {
    throw new SigilError('KEY_INVALID', `${source} is not a valid ${block.type}: ${(err as Error).message}`, {
      cause: err,
    })
  }
  return publicKeyInfoFromKey(key, source, format === 'spki' ? block.bytes : undefined)
}

/**
 * The public half of a PKCS#8 private key (as cosign derives `cosign.pub` from `cosign.key`).
 * @throws SigilError KEY_INVALID (not PKCS#8), KEY_UNSUPPORTED (key type)
 */
export function publicKeyFromPkcs8(pkcs8: Uint8Array): PublicKeyInfo {
  let key: KeyObject
  try {
    key = createPrivateKey({key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8'})
  } catch (err) {
    throw new SigilError('KEY_INVALID', `not a PKCS#8 private key: ${(err as Error).message}`, {cause: err})
  }
  return publicKeyInfoFromKey(key, 'the private key')
}

/** The uncompressed point of an EC key (`04‖X‖Y`), from its JWK coordinates. */
function uncompressedPoint(key: KeyObject, curve: EcCurve): Uint8Array {
  const jwk = key.export({format: 'jwk'})
  const size = EC_COORDINATE_BYTES[curve]
  const coordinate = (b64: string | undefined): Buffer => {
    const bytes = Buffer.from(b64 ?? '', 'base64url')
    return Buffer.concat([Buffer.alloc(Math.max(0, size - bytes.length)), bytes])
  }
  return new Uint8Array(Buffer.concat([Buffer.of(0x04), coordinate(jwk.x), coordinate(jwk.y)]))
}

/**
 * PublicKeyInfo of a node key (public, or private: its public half), which must be a supported
 * type (see `describeSupportedKey`). `der`: the SPKI DER `key` was read from, if any: kept when it
 * is already what Go writes, which spares OpenSSL's encoders; EC keys are otherwise written with
 * the uncompressed point, the only form cosign reads. `source` names the key in messages.
 * @throws SigilError KEY_UNSUPPORTED (key type)
 */
export function publicKeyInfoFromKey(key: KeyObject, source: string, der?: Uint8Array): PublicKeyInfo {
  const description = describeSupportedKey(key, source)
  const publicKey = key.type === 'private' ? createPublicKey(key) : key
  let spki: Uint8Array
  if (der !== undefined && key.type === 'public' && isCanonicalSpki(der)) {
    spki = new Uint8Array(der)
  } else if (description.kind === 'ecdsa' && (description.curve === 'P-256' || description.curve === 'P-384' || description.curve === 'P-521')) {
    spki = ecSpki(description.curve, uncompressedPoint(publicKey, description.curve))
  } else {
    spki = new Uint8Array(publicKey.export({format: 'der', type: 'spki'}))
  }
  return {...description, spki, pem: encodePublicKeyPem(spki)}
}
