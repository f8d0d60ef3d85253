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
 * a fixed prefix and a fixed length. It is what Go writes (`x509.MarshalPKIXPublicKey`), and
 * the only EC form Go reads: a compressed or hybrid point in cosign.pub would be unreadable by
 * cosign, so EC keys are always written this way, whatever form they were read in. DER read in
 * this form is kept as is: the first export of a process sets up OpenSSL's encoders, ~0.5 ms of
 * every `sigil verify`.
 */
const CANONICAL_SPKI = {
  'P-256': {prefix: Buffer.from('3059301306072a8648ce3d020106082a8648ce3d03010703420004', 'hex'), length: 91},
  'P-384': {prefix: Buffer.from('3076301006072a8648ce3d020106052b8104002203620004', 'hex'), length: 120},
  'P-521': {prefix: Buffer.from('30819b301006072a8648ce3d020106052b810400230381860004', 'hex'), length: 158},
  Ed25519: {prefix: Buffer.from('302a300506032b6570032100', 'hex'), length: 44},
} as const

function isCanonicalSpki(der: Uint8Array): boolean {
  return Object.values(CANONICAL_SPKI).some(
    ({prefix, length}) => der.length === length && Buffer.from(der.buffer, der.byteOffset, prefix.length).equals(prefix),
  )
}

/** The canonical SPKI of an EC key on `curve`: the prefix, then X and Y at the curve's size. */
function canonicalEcSpki(key: KeyObject, curve: 'P-256' | 'P-384' | 'P-521'): Uint8Array {
  const {prefix, length} = CANONICAL_SPKI[curve]
  const jwk = key.export({format: 'jwk'})
  const size = (length - prefix.length) / 2
  const coordinate = (b64: string | undefined): Buffer => {
    const bytes = Buffer.from(b64 ?? '', 'base64url')
    return Buffer.concat([Buffer.alloc(Math.max(0, size - bytes.length)), bytes])
  }
  return new Uint8Array(Buffer.concat([prefix, coordinate(jwk.x), coordinate(jwk.y)]))
}

/**
 * Build PublicKeyInfo from a node key (public, or private: its public half). `der`: the SPKI DER
 * `key` was read from, if any (kept when canonical, see above). Internal.
 */
export function publicKeyInfo(key: KeyObject, source: string, der?: Uint8Array): PublicKeyInfo {
  const description = describeSupportedKey(key, source)
  const publicKey = key.type === 'private' ? createPublicKey(key) : key
  let spki: Uint8Array
  if (der !== undefined && key.type === 'public' && isCanonicalSpki(der)) {
    spki = new Uint8Array(der)
  } else if (description.kind === 'ecdsa' && (description.curve === 'P-256' || description.curve === 'P-384' || description.curve === 'P-521')) {
    spki = canonicalEcSpki(publicKey, description.curve)
  } else {
    spki = new Uint8Array(publicKey.export({format: 'der', type: 'spki'}))
  }
  return {...description, spki, pem: encodePublicKeyPem(spki)}
}
