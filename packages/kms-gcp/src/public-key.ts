/**
 * The public key of a Cloud KMS key version, checked against its algorithm and shown as cosign
 * writes it, and the local verifier built from it.
 */
import {createPublicKey} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {canonicalSpki, createLocalVerifier, decodePem, encodePublicKeyPem} from '@sigil/core'
import type {PublicKeyInfo, Verifier} from '@sigil/core'
import type {GcpKmsAlgorithmInfo} from './algorithms.js'
import {GcpKmsError} from './error.js'

const CURVES: Record<string, 'P-256' | 'P-384' | 'secp256k1'> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp256k1: 'secp256k1',
}

/**
 * PublicKeyInfo for the PEM GetPublicKey returned, checked against `algorithm`. The SPKI is kept
 * as Cloud KMS sent it unless cosign would write it otherwise (an EC point is always uncompressed).
 * @throws GcpKmsError KMS_ERROR (unreadable PEM, or a key that does not match the algorithm)
 */
export function publicKeyFromPem(pem: string, algorithm: GcpKmsAlgorithmInfo, versionName: string): PublicKeyInfo {
  let key: KeyObject
  try {
    key = createPublicKey({key: pem, format: 'pem'})
  } catch (err) {
    throw new GcpKmsError('KMS_ERROR', `GetPublicKey for ${versionName} returned an unreadable PEM`, {cause: err})
  }
  const details = key.asymmetricKeyDetails ?? {}
  const spki = canonicalSpki(decodePem(pem)?.bytes ?? key.export({format: 'der', type: 'spki'}))
  const publicKeyPem = encodePublicKeyPem(spki)
  const expected = algorithm.key
  const mismatch = () =>
    new GcpKmsError('KMS_ERROR', `GetPublicKey for ${versionName} returned a key that does not match ${algorithm.name}`)
  if (expected.kind === 'ecdsa') {
    const curve = key.asymmetricKeyType === 'ec' ? CURVES[details.namedCurve ?? ''] : undefined
    if (curve !== expected.curve) throw mismatch()
    return {kind: 'ecdsa', curve, spki, pem: publicKeyPem}
  }
  if (key.asymmetricKeyType !== 'rsa' || details.modulusLength !== expected.bits) throw mismatch()
  return {kind: 'rsa', bits: expected.bits, spki, pem: publicKeyPem}
}

/** Local verification with the version's algorithm (its hash and padding are fixed by the key). */
export function createKmsVerifier(publicKey: PublicKeyInfo, algorithm: GcpKmsAlgorithmInfo): Verifier {
  const spec = algorithm.key
  return createLocalVerifier(publicKey, {padding: spec.kind === 'rsa' && spec.padding === 'pss' ? 'pss' : 'pkcs1v15', hash: algorithm.digest})
}
