/**
 * cosign.pub: PEM `PUBLIC KEY` (PKIX SubjectPublicKeyInfo), as Go's
 * `cryptoutils.MarshalPublicKeyToPEM` writes it; `RSA PUBLIC KEY` (PKCS#1) is also read.
 */
import {createPrivateKey, createPublicKey} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import type {PublicKeyInfo} from '@sigil/core'
import {KeyFileError} from './error.js'
import {describeSupportedKey} from './key-types.js'
import {decodePem, encodePem, isPrivateKeyPemType} from './pem.js'

/** Options of `parsePublicKeyPem`. */
export interface ParsePublicKeyOptions {
  /** Names the key in error messages (a path, `env://VAR`). Default `the public key`. */
  readonly source?: string
}

/**
 * Parse a public key PEM (`PUBLIC KEY` or `RSA PUBLIC KEY`) and check it is a supported type.
 * A private key PEM is rejected with a message saying verification needs the `.pub`.
 * @throws KeyFileError KEY_INVALID (not a public key PEM, corrupt), KEY_UNSUPPORTED (key type)
 */
export function parsePublicKeyPem(pem: string | Uint8Array, options: ParsePublicKeyOptions = {}): PublicKeyInfo {
  const source = options.source ?? 'the public key'
  const block = decodePem(pem)
  if (!block) {
    throw new KeyFileError('KEY_INVALID', `PEM decoding failed: ${source} does not contain a PEM public key`)
  }
  let format: 'spki' | 'pkcs1'
  if (block.type === 'PUBLIC KEY') {
    format = 'spki'
  } else if (block.type === 'RSA PUBLIC KEY') {
    format = 'pkcs1'
  } else if (isPrivateKeyPemType(block.type)) {
    throw new KeyFileError(
      'KEY_INVALID',
      `${source} (${block.type}) is a private key; verification needs the public key (cosign.pub)`,
    )
  } else {
    throw new KeyFileError(
      'KEY_INVALID',
      `unknown Public key PEM file type: ${block.type}. Are you passing the correct public key?`,
    )
  }
  let key: KeyObject
  try {
    key = createPublicKey({key: Buffer.from(block.bytes), format: 'der', type: format})
  } catch (err) {
    throw new KeyFileError('KEY_INVALID', `${source} is not a valid ${block.type}: ${(err as Error).message}`, {
      cause: err,
    })
  }
  return publicKeyInfo(key, source, format === 'spki' ? block.bytes : undefined)
}

/**
 * The public half of a PKCS#8 private key (as cosign derives `cosign.pub` from `cosign.key`).
 * @throws KeyFileError KEY_INVALID (not PKCS#8), KEY_UNSUPPORTED (key type)
 */
export function publicKeyFromPkcs8(pkcs8: Uint8Array): PublicKeyInfo {
  let key: KeyObject
  try {
    key = createPrivateKey({key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8'})
  } catch (err) {
    throw new KeyFileError('KEY_INVALID', `not a PKCS#8 private key: ${(err as Error).message}`, {cause: err})
  }
  return publicKeyInfo(key, 'the private key')
}

/** PEM `PUBLIC KEY` for SPKI DER, byte for byte what Go's `pem.EncodeToMemory` writes. */
export function encodePublicKeyPem(spki: Uint8Array): string {
  return encodePem('PUBLIC KEY', spki)
}

/**
 * The canonical SPKI encodings of EC (named curve, uncompressed point) and Ed25519 public keys:
 * a fixed prefix and a fixed length. DER read from a file in one of these forms is, byte for
 * byte, what Node's export writes for the key, so it is used as is: the first export of a
 * process sets up OpenSSL's encoders, ~0.5 ms of every `sigil verify`.
 */
const CANONICAL_SPKI: ReadonlyArray<{readonly prefix: Buffer; readonly length: number}> = [
  {prefix: Buffer.from('3059301306072a8648ce3d020106082a8648ce3d03010703420004', 'hex'), length: 91}, // P-256
  {prefix: Buffer.from('3076301006072a8648ce3d020106052b8104002203620004', 'hex'), length: 120}, // P-384
  {prefix: Buffer.from('30819b301006072a8648ce3d020106052b810400230381860004', 'hex'), length: 158}, // P-521
  {prefix: Buffer.from('302a300506032b6570032100', 'hex'), length: 44}, // Ed25519
]

function isCanonicalSpki(der: Uint8Array): boolean {
  return CANONICAL_SPKI.some(({prefix, length}) => der.length === length && Buffer.from(der.buffer, der.byteOffset, prefix.length).equals(prefix))
}

/**
 * Build PublicKeyInfo from a node key (public, or private: its public half). `der`: the SPKI DER
 * `key` was read from, if any (used as is when canonical, see above). Internal.
 */
export function publicKeyInfo(key: KeyObject, source: string, der?: Uint8Array): PublicKeyInfo {
  const description = describeSupportedKey(key, source)
  let spki: Uint8Array
  if (der !== undefined && key.type === 'public' && isCanonicalSpki(der)) {
    spki = new Uint8Array(der)
  } else {
    const publicKey = key.type === 'private' ? createPublicKey(key) : key
    spki = new Uint8Array(publicKey.export({format: 'der', type: 'spki'}))
  }
  return {...description, spki, pem: encodePublicKeyPem(spki)}
}
