/**
 * The public key a `sigstore-kms-*` executable reports (a PEM), as core's PublicKeyInfo, with the
 * key checks sigstore's `cryptoutils.ValidatePubKey` makes (ECDSA P-256/P-384/P-521, RSA
 * 2048–4096 bits, Ed25519). EC keys are re-encoded with the uncompressed point, the only form Go
 * reads, so a `.pub` written from them works with cosign.
 *
 * Interim: `@sigil/core` has no PEM/SPKI codec yet (key-file's `parsePublicKeyPem` is the only
 * one); this goes when core has one.
 */
import {createPublicKey} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {SigilError} from '@sigil/core'
import type {PublicKeyInfo} from '@sigil/core'

const CURVES: Readonly<Record<string, 'P-256' | 'P-384' | 'P-521'>> = {prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521'}

/** PEM `PUBLIC KEY`: 64-character base64 lines and a trailing newline, as Go's `pem.EncodeToMemory`. */
function encodePublicKeyPem(spki: Uint8Array): string {
  return `-----BEGIN PUBLIC KEY-----\n${Buffer.from(spki).toString('base64').replace(/.{1,64}/g, '$&\n')}-----END PUBLIC KEY-----\n`
}

/**
 * Read a `PUBLIC KEY` (or `RSA PUBLIC KEY`) PEM. `source` names it in messages.
 * @throws SigilError KEY_INVALID (not a public key PEM), KEY_UNSUPPORTED (key type or size)
 */
export function publicKeyFromPem(pem: string, source: string): PublicKeyInfo {
  const label = /-----BEGIN ([A-Z ]+)-----/.exec(pem)?.[1]
  if (label !== 'PUBLIC KEY' && label !== 'RSA PUBLIC KEY') {
    throw new SigilError('KEY_INVALID', `${source} did not return a PEM public key${label ? ` (got ${label})` : ''}`)
  }
  let key: KeyObject
  try {
    key = createPublicKey(pem)
  } catch (err) {
    throw new SigilError('KEY_INVALID', `${source} returned an unreadable public key: ${(err as Error).message}`, {cause: err})
  }
  const details = key.asymmetricKeyDetails ?? {}
  const unsupported = (what: string) =>
    new SigilError('KEY_UNSUPPORTED', `${source} returned ${what}; supported keys are ECDSA P-256/P-384/P-521, RSA 2048-4096 and Ed25519`)
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = CURVES[details.namedCurve ?? '']
      if (!curve) throw unsupported(`a key on the curve ${details.namedCurve ?? '(unknown)'}`)
      const canonical = createPublicKey({key: key.export({format: 'jwk'}), format: 'jwk'})
      const spki = new Uint8Array(canonical.export({type: 'spki', format: 'der'}))
      return {kind: 'ecdsa', curve, spki, pem: encodePublicKeyPem(spki)}
    }
    case 'rsa': {
      const bits = details.modulusLength ?? 0
      if (bits < 2048 || bits > 4096) throw unsupported(`a ${bits}-bit RSA key`)
      const spki = new Uint8Array(key.export({type: 'spki', format: 'der'}))
      return {kind: 'rsa', bits, spki, pem: encodePublicKeyPem(spki)}
    }
    case 'ed25519': {
      const spki = new Uint8Array(key.export({type: 'spki', format: 'der'}))
      return {kind: 'ed25519', spki, pem: encodePublicKeyPem(spki)}
    }
    default:
      throw unsupported(`a ${key.asymmetricKeyType ?? 'unknown'} key`)
  }
}
