/**
 * Cloud KMS signing algorithms (`CryptoKeyVersionAlgorithm`) and what they mean locally: the
 * digest sent to AsymmetricSign, the padding, and sigil's `SignatureAlgorithm` name.
 */
import type {SignatureAlgorithm} from '@sigil/core'

/** Digests AsymmetricSign accepts (`Digest` oneof). */
export type GcpKmsDigest = 'sha256' | 'sha384' | 'sha512'

/** How one Cloud KMS signing algorithm signs. */
export interface GcpKmsAlgorithmInfo {
  /** The Cloud KMS enum name, e.g. `EC_SIGN_P256_SHA256`. */
  readonly name: string
  /** sigil's name for the scheme. */
  readonly signatureAlgorithm: SignatureAlgorithm
  readonly digest: GcpKmsDigest
  /** Key family and details. */
  readonly key:
    | {readonly kind: 'ecdsa'; readonly curve: 'P-256' | 'P-384' | 'secp256k1'}
    | {readonly kind: 'rsa'; readonly bits: number; readonly padding: 'pkcs1' | 'pss'}
}

const TABLE: readonly GcpKmsAlgorithmInfo[] = [
  {name: 'EC_SIGN_P256_SHA256', signatureAlgorithm: 'ecdsa-p256-sha256', digest: 'sha256', key: {kind: 'ecdsa', curve: 'P-256'}},
  {name: 'EC_SIGN_P384_SHA384', signatureAlgorithm: 'ecdsa-p384-sha384', digest: 'sha384', key: {kind: 'ecdsa', curve: 'P-384'}},
  {
    name: 'EC_SIGN_SECP256K1_SHA256',
    signatureAlgorithm: 'ecdsa-secp256k1-sha256',
    digest: 'sha256',
    key: {kind: 'ecdsa', curve: 'secp256k1'},
  },
  ...([2048, 3072, 4096] as const).flatMap((bits) =>
    (['pkcs1', 'pss'] as const).map(
      (padding): GcpKmsAlgorithmInfo => ({
        name: `RSA_SIGN_${padding.toUpperCase()}_${bits}_SHA256`,
        signatureAlgorithm: padding === 'pss' ? 'rsa-pss-sha256' : 'rsa-pkcs1v15-sha256',
        digest: 'sha256',
        key: {kind: 'rsa', bits, padding},
      }),
    ),
  ),
  {name: 'RSA_SIGN_PKCS1_4096_SHA512', signatureAlgorithm: 'rsa-pkcs1v15-sha512', digest: 'sha512', key: {kind: 'rsa', bits: 4096, padding: 'pkcs1'}},
  {name: 'RSA_SIGN_PSS_4096_SHA512', signatureAlgorithm: 'rsa-pss-sha512', digest: 'sha512', key: {kind: 'rsa', bits: 4096, padding: 'pss'}},
]

const BY_NAME = new Map(TABLE.map((info) => [info.name, info]))

/** Every Cloud KMS algorithm sigil can sign with, by enum name. */
export const GCP_KMS_SIGNING_ALGORITHMS: readonly string[] = TABLE.map((info) => info.name)

/** What `name` means, or undefined if sigil cannot sign with it (Ed25519, raw PKCS#1, ML-DSA, …). */
export function gcpKmsAlgorithm(name: string): GcpKmsAlgorithmInfo | undefined {
  return BY_NAME.get(name)
}
