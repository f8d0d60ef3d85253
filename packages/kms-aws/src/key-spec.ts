/**
 * What a KMS key's spec and signing algorithm mean locally: sigil's algorithm name, the hash
 * to compute before `Sign`, and how to verify (spec §5; cosign uses SigningAlgorithms[0]).
 */
import {createPublicKey} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {canonicalSpki, createLocalVerifier, encodePublicKeyPem} from '@sigil/core'
import type {PublicKeyInfo, SignatureAlgorithm, Verifier} from '@sigil/core'
import {AwsKmsError} from './error.js'

/** Key specs sigil can sign with. */
export const SUPPORTED_KEY_SPECS = [
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
] as const

/** One of `SUPPORTED_KEY_SPECS`. */
export type AwsKmsKeySpec = (typeof SUPPORTED_KEY_SPECS)[number]

/** How a KMS signing algorithm is applied. */
export interface AwsSigningScheme {
  /** KMS `SigningAlgorithm`, e.g. `ECDSA_SHA_256`. */
  readonly awsAlgorithm: string
  /** sigil's name for it. */
  readonly algorithm: SignatureAlgorithm
  /** Hash computed locally; its digest is what `Sign` receives. */
  readonly hash: 'sha256' | 'sha384' | 'sha512'
  readonly padding: 'ecdsa' | 'pkcs1' | 'pss'
}

const EC_SPECS: Readonly<Record<string, {curve: NonNullable<PublicKeyInfo['curve']>; nodeCurve: string; awsAlgorithm: string; algorithm: SignatureAlgorithm; hash: AwsSigningScheme['hash']}>> = {
  ECC_NIST_P256: {curve: 'P-256', nodeCurve: 'prime256v1', awsAlgorithm: 'ECDSA_SHA_256', algorithm: 'ecdsa-p256-sha256', hash: 'sha256'},
  ECC_NIST_P384: {curve: 'P-384', nodeCurve: 'secp384r1', awsAlgorithm: 'ECDSA_SHA_384', algorithm: 'ecdsa-p384-sha384', hash: 'sha384'},
  ECC_NIST_P521: {curve: 'P-521', nodeCurve: 'secp521r1', awsAlgorithm: 'ECDSA_SHA_512', algorithm: 'ecdsa-p521-sha512', hash: 'sha512'},
  ECC_SECG_P256K1: {curve: 'secp256k1', nodeCurve: 'secp256k1', awsAlgorithm: 'ECDSA_SHA_256', algorithm: 'ecdsa-secp256k1-sha256', hash: 'sha256'},
}

const RSA_SPECS: Readonly<Record<string, number>> = {RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096}

const RSA_ALGORITHMS: Readonly<Record<string, Omit<AwsSigningScheme, 'awsAlgorithm'>>> = {
  RSASSA_PKCS1_V1_5_SHA_256: {algorithm: 'rsa-pkcs1v15-sha256', hash: 'sha256', padding: 'pkcs1'},
  RSASSA_PKCS1_V1_5_SHA_384: {algorithm: 'rsa-pkcs1v15-sha384', hash: 'sha384', padding: 'pkcs1'},
  RSASSA_PKCS1_V1_5_SHA_512: {algorithm: 'rsa-pkcs1v15-sha512', hash: 'sha512', padding: 'pkcs1'},
  RSASSA_PSS_SHA_256: {algorithm: 'rsa-pss-sha256', hash: 'sha256', padding: 'pss'},
  RSASSA_PSS_SHA_384: {algorithm: 'rsa-pss-sha384', hash: 'sha384', padding: 'pss'},
  RSASSA_PSS_SHA_512: {algorithm: 'rsa-pss-sha512', hash: 'sha512', padding: 'pss'},
}


/**
 * The scheme for a key: its spec must be supported and `signingAlgorithms[0]` (what cosign
 * uses) must belong to it.
 * @throws AwsKmsError KEY_UNSUPPORTED
 */
export function signingScheme(keySpec: string | undefined, signingAlgorithms: readonly string[] | undefined, keyRef: string): AwsSigningScheme {
  const first = signingAlgorithms?.[0]
  const unsupported = (why: string) =>
    new AwsKmsError('KEY_UNSUPPORTED', `AWS KMS key ${keyRef} ${why}; sigil signs with ${SUPPORTED_KEY_SPECS.join(', ')} keys`)
  const ec = keySpec === undefined ? undefined : EC_SPECS[keySpec]
  if (ec) {
    if (first !== ec.awsAlgorithm) throw unsupported(`(${keySpec}) offers signing algorithm ${first ?? '(none)'}, expected ${ec.awsAlgorithm}`)
    return {awsAlgorithm: first, algorithm: ec.algorithm, hash: ec.hash, padding: 'ecdsa'}
  }
  if (keySpec !== undefined && RSA_SPECS[keySpec] !== undefined) {
    const rsa = first === undefined ? undefined : RSA_ALGORITHMS[first]
    if (!rsa || first === undefined) throw unsupported(`(${keySpec}) offers signing algorithm ${first ?? '(none)'}`)
    return {awsAlgorithm: first, ...rsa}
  }
  throw unsupported(`has key spec ${keySpec ?? '(unknown)'}`)
}

/**
 * PublicKeyInfo for a GetPublicKey DER SPKI, checked against the key spec.
 * @throws AwsKmsError KMS_INTEGRITY (not a valid SPKI, or not the key the spec says)
 */
export function publicKeyInfoFromSpki(spki: Uint8Array, keySpec: string, keyRef: string): PublicKeyInfo {
  let key: KeyObject
  try {
    key = createPublicKey({key: Buffer.from(spki), format: 'der', type: 'spki'})
  } catch (err) {
    throw new AwsKmsError('KMS_INTEGRITY', `AWS KMS returned an unreadable public key for ${keyRef}: ${(err as Error).message}`, {cause: err})
  }
  const mismatch = () =>
    new AwsKmsError('KMS_INTEGRITY', `the public key AWS KMS returned for ${keyRef} is not a ${keySpec} key`)
  const details = key.asymmetricKeyDetails ?? {}
  const ec = EC_SPECS[keySpec]
  // What cosign would write: an EC point KMS gave compressed is shown and exported uncompressed.
  const canonical = canonicalSpki(spki)
  const pem = encodePublicKeyPem(canonical)
  if (ec) {
    if (key.asymmetricKeyType !== 'ec' || details.namedCurve !== ec.nodeCurve) throw mismatch()
    return {kind: 'ecdsa', curve: ec.curve, spki: canonical, pem}
  }
  const bits = RSA_SPECS[keySpec]
  if (bits === undefined || key.asymmetricKeyType !== 'rsa' || details.modulusLength !== bits) throw mismatch()
  return {kind: 'rsa', bits, spki: canonical, pem}
}

/**
 * A local Verifier for a KMS key, as cosign builds it from the key's algorithm: ECDSA (DER,
 * or raw r‖s), RSA PKCS#1 v1.5, or RSA-PSS with the salt length auto-detected (Go's
 * `PSSSaltLengthAuto`; KMS signs with salt length = digest length). The hash is fixed by the
 * key, so `VerifyOptions.hash` is ignored. Never throws for a bad signature.
 */
export function createKmsVerifier(publicKey: PublicKeyInfo, scheme: AwsSigningScheme): Verifier {
  return createLocalVerifier(publicKey, {padding: scheme.padding === 'pss' ? 'pss' : 'pkcs1v15', hash: scheme.hash})
}
