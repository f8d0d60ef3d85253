/**
 * Which keys sigil accepts, mirroring sigstore's `cryptoutils.ValidatePubKey`: ECDSA
 * P-256/P-384/P-521, RSA 2048–4096 bits (PKCS#1 v1.5 `rsaEncryption` keys) and Ed25519.
 */
import type {KeyObject} from 'node:crypto'
import type {PublicKeyInfo} from './contracts.js'
import {SigilError} from './errors.js'

/** A supported key's family and size. */
export interface KeyDescription {
  readonly kind: PublicKeyInfo['kind']
  readonly curve?: 'P-256' | 'P-384' | 'P-521'
  readonly bits?: number
}

/** Smallest RSA modulus accepted (sigstore rejects anything below). */
export const MIN_RSA_BITS = 2048
/** Largest RSA modulus accepted. */
export const MAX_RSA_BITS = 4096

const CURVES: Readonly<Record<string, 'P-256' | 'P-384' | 'P-521'>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
}

/**
 * Describe `key` (public or private), or throw `KEY_UNSUPPORTED` naming what is wrong.
 * `source` names the key in messages (a path, `env://VAR`).
 */
export function describeSupportedKey(key: KeyObject, source = 'the key'): KeyDescription {
  const type = key.asymmetricKeyType
  const details = key.asymmetricKeyDetails ?? {}
  switch (type) {
    case 'ec': {
      const curve = CURVES[details.namedCurve ?? '']
      if (!curve) {
        throw new SigilError(
          'KEY_UNSUPPORTED',
          `${source} uses the elliptic curve ${details.namedCurve ?? '(unknown)'}; supported curves are P-256, P-384 and P-521`,
        )
      }
      return {kind: 'ecdsa', curve}
    }
    case 'rsa': {
      const bits = details.modulusLength ?? 0
      if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
        throw new SigilError(
          'KEY_UNSUPPORTED',
          `${source} is a ${bits}-bit RSA key; RSA keys must be ${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits`,
        )
      }
      return {kind: 'rsa', bits}
    }
    case 'ed25519':
      return {kind: 'ed25519'}
    case 'rsa-pss':
      throw new SigilError(
        'KEY_UNSUPPORTED',
        `${source} is an RSA-PSS (id-RSASSA-PSS) key; cosign key files need a plain RSA (rsaEncryption) key`,
      )
    default:
      throw new SigilError(
        'KEY_UNSUPPORTED',
        `${source} is a ${type ?? 'unknown'} key; supported keys are ECDSA P-256/P-384/P-521, RSA ${MIN_RSA_BITS}-${MAX_RSA_BITS} and Ed25519`,
      )
  }
}
