/**
 * Signing with a decrypted file key, as cosign ≤ 2.5 signs with cosign.key (spec §3).
 */
import {constants, createPrivateKey, privateEncrypt, sign} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {checkDigestArgs, checkDigestLength, defaultSignatureAlgorithm, publicKeyInfoFromKey, sha256DigestInfo} from '@sigil/core'
import type {HashAlgorithm, PublicKeyInfo, SignatureAlgorithm, Signer} from '@sigil/core'
import {KeyFileError} from './error.js'

/**
 * Schemes a file signer uses. P-384/P-521 sign over SHA-256, as cosign ≤ 2.5 does for a
 * cosign.key, so every cosign verifies them with default flags.
 */
export type FileSignerAlgorithm = SignatureAlgorithm

/** Options of `createSigner`. */
export interface CreateSignerOptions {
  /** Names the key in error messages. Default `the private key`. */
  readonly source?: string
}

/**
 * A Signer for a PKCS#8 private key: ECDSA → ASN.1 DER over SHA-256 (any curve), RSA →
 * PKCS#1 v1.5 SHA-256, Ed25519 → pure Ed25519.
 *
 * Why SHA-256 for P-384/P-521: cosign 2.0–2.5 always signs with SHA-256 and every cosign
 * (and containers/image) verifies with SHA-256 unless told otherwise; cosign ≥ 2.6 would use
 * SHA-384/SHA-512, whose signatures then need `--signature-digest-algorithm` to verify.
 * @throws KeyFileError KEY_INVALID (not PKCS#8), KEY_UNSUPPORTED (key type)
 */
export function createSigner(pkcs8: Uint8Array, options: CreateSignerOptions = {}): Signer {
  const source = options.source ?? 'the private key'
  let key: KeyObject
  try {
    key = createPrivateKey({key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8'})
  } catch (err) {
    throw new KeyFileError('KEY_INVALID', `${source} is not a PKCS#8 private key: ${(err as Error).message}`, {
      cause: err,
    })
  }
  const info = publicKeyInfoFromKey(key, source)
  const algorithm: FileSignerAlgorithm = defaultSignatureAlgorithm(info)
  const hash = info.kind === 'ed25519' ? null : 'sha256'
  const signOptions =
    info.kind === 'ecdsa'
      ? {key, dsaEncoding: 'der' as const}
      : info.kind === 'rsa'
        ? {key, padding: constants.RSA_PKCS1_PADDING}
        : key
  const signDigest = digestSigner(key, info, source)
  return {
    algorithm,
    publicKey: () => Promise.resolve(info),
    ...(signDigest && {
      async signDigest(digest: Uint8Array, hashName: HashAlgorithm): Promise<Uint8Array> {
        // ECDSA signs any digest (the hash is not part of the signature): OpenSSH wants SHA-384
        // for P-384 and SHA-512 for P-521, where cosign's key files hash with SHA-256.
        if (info.kind === 'ecdsa') checkDigestLength(digest, hashName)
        else checkDigestArgs(algorithm, digest, hashName)
        try {
          return await signDigest(digest)
        } catch (err) {
          if (err instanceof KeyFileError) throw err // KEY_INVALID: no private scalar
          throw new KeyFileError('SIGNING_FAILED', `signing with ${source} failed: ${(err as Error).message}`, {cause: err})
        }
      },
    }),
    sign(message: Uint8Array): Promise<Uint8Array> {
      return new Promise((resolve, reject) => {
        // The callback form runs on the thread pool (RSA-4096 takes milliseconds).
        sign(hash, message, signOptions, (err, signature) => {
          if (err) reject(new KeyFileError('SIGNING_FAILED', `signing with ${source} failed: ${err.message}`, {cause: err}))
          else resolve(new Uint8Array(signature.buffer, signature.byteOffset, signature.byteLength))
        })
      })
    },
  }
}

/**
 * noble's curve for an ECDSA key, loaded on first use: only signing a digest needs it (sign-blob,
 * git), and at ~200 KB it would otherwise be read on every start of sigil.
 */
async function curveOf(name: 'P-256' | 'P-384' | 'P-521' | 'secp256k1') {
  if (name === 'secp256k1') return (await import('@noble/curves/secp256k1.js')).secp256k1
  const nist = await import('@noble/curves/nist.js')
  return name === 'P-256' ? nist.p256 : name === 'P-384' ? nist.p384 : nist.p521
}

/**
 * Signing a SHA-256 digest computed elsewhere, with the same result `sign` gives for the message:
 * RSA as PKCS#1 v1.5 over the DigestInfo (node:crypto `privateEncrypt` pads with block type 1,
 * deterministic, so byte-identical to `sign`); ECDSA with noble (`prehash: false`: node:crypto
 * always hashes again; hedged nonces), ASN.1 DER; undefined for Ed25519 (pure Ed25519 signs the message).
 */
function digestSigner(key: KeyObject, info: PublicKeyInfo, source: string): ((digest: Uint8Array) => Promise<Uint8Array>) | undefined {
  if (info.kind === 'rsa') {
    return async (digest) => new Uint8Array(privateEncrypt({key, padding: constants.RSA_PKCS1_PADDING}, sha256DigestInfo(digest)))
  }
  if (info.kind !== 'ecdsa' || info.curve === undefined) return undefined
  const curveName = info.curve
  // The private scalar, exported on the first signDigest only (most signers never call it).
  let scalar: Uint8Array | undefined
  const scalarOf = (): Uint8Array => {
    if (scalar) return scalar
    const jwk = key.export({format: 'jwk'})
    if (typeof jwk.d !== 'string') throw new KeyFileError('KEY_INVALID', `${source} has no private scalar`)
    return (scalar = new Uint8Array(Buffer.from(jwk.d, 'base64url')))
  }
  // extraEntropy: hedged, randomized nonces like Go's (not plain RFC 6979).
  return async (digest) => (await curveOf(curveName)).sign(digest, scalarOf(), {prehash: false, format: 'der', extraEntropy: true})
}
