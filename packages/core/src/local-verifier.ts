/**
 * Local signature verification, the one implementation every key provider uses (file keys,
 * KMS keys after fetching their public key, HSMs, executable plugins). Pure computation with
 * node:crypto; no I/O. Semantics follow sigstore's verifiers, which cosign uses:
 * ECDSA accepts ASN.1 DER and, for bytes that are not DER, raw IEEE-P1363 r‖s; high-S is fine
 * (Go and OpenSSL produce it). RSA is PKCS#1 v1.5 or PSS with the salt length auto-detected
 * (Go's `PSSSaltLengthAuto`). Ed25519 is pure Ed25519.
 */
import {constants, createPublicKey, createVerify, verify} from 'node:crypto'
import type {KeyObject, VerifyKeyObjectInput} from 'node:crypto'
import type {HashAlgorithm, MessageVerification, PublicKeyInfo, Verifier, VerifyOptions} from './contracts.js'
import {readDerElement, readDerUnsignedInteger} from './der.js'
import {SigilError} from './errors.js'
import {EC_COORDINATE_BYTES} from './spki.js'

/** How a key's signatures are made, when the key fixes it (KMS keys). */
export interface VerificationScheme {
  /** RSA padding. Default `pkcs1v15` (all a PEM file can say, as with cosign). Ignored for EC and Ed25519. */
  readonly padding?: 'pkcs1v15' | 'pss'
  /**
   * A hash the key fixes (e.g. an AWS `ECDSA_SHA_384` key). When absent, each call's
   * `VerifyOptions.hash` applies, default SHA-256, as `cosign verify --key file.pub` does.
   */
  readonly hash?: HashAlgorithm
}

const HASHES: ReadonlySet<string> = new Set<HashAlgorithm>(['sha224', 'sha256', 'sha384', 'sha512'])

const COORDINATE_BYTES: Readonly<Record<string, number>> = {
  prime256v1: EC_COORDINATE_BYTES['P-256'],
  secp384r1: EC_COORDINATE_BYTES['P-384'],
  secp521r1: EC_COORDINATE_BYTES['P-521'],
  secp256k1: EC_COORDINATE_BYTES.secp256k1,
}

/**
 * True when `sig` starts with an ASN.1 `SEQUENCE { INTEGER r, INTEGER s }` whose integers are
 * non-empty, minimal and non-negative: how sigstore tells DER from raw r‖s. Bytes after the
 * sequence are tolerated here, as Go's `asn1.Unmarshal` does when probing (verification then
 * fails on them anyway).
 */
export function isDerSignature(sig: Uint8Array): boolean {
  const seq = readDerElement(sig, 0)
  if (!seq || seq.tag !== 0x30) return false
  const r = readDerUnsignedInteger(sig, seq.start)
  const s = r && readDerUnsignedInteger(sig, r.end)
  return s !== undefined && s.end === seq.end
}

/** sigstore's raw fallback: even length up to 132 bytes, halves are big-endian r and s. */
function toP1363(signature: Uint8Array, size: number): Uint8Array | undefined {
  if (size === 0 || signature.length > 132 || signature.length % 2 !== 0) return undefined
  const half = signature.length / 2
  const out = new Uint8Array(2 * size)
  for (const [index, part] of [signature.subarray(0, half), signature.subarray(half)].entries()) {
    let start = 0
    while (start < part.length && part[start] === 0) start++
    const digits = part.subarray(start)
    if (digits.length > size) return undefined
    out.set(digits, (index + 1) * size - digits.length)
  }
  return out
}

type Check = (message: Uint8Array, signature: Uint8Array, hash: HashAlgorithm) => boolean
/** A streaming check: the message comes in chunks (node:crypto `Verify`), then the signature. */
type StreamCheck = (hash: HashAlgorithm) => {update(chunk: Uint8Array): void; check(signature: Uint8Array): boolean}
/** The key options and signature bytes node:crypto checks a signature with; undefined when the bytes cannot be one. */
type SignatureForm = (signature: Uint8Array) => {key: VerifyKeyObjectInput; signature: Uint8Array} | undefined

/**
 * How an RSA or EC key's signatures are checked: RSA with the scheme's padding (PSS with the
 * salt length auto-detected), ECDSA as DER or else raw P1363 r‖s. Undefined for other key types.
 */
function signatureForm(key: KeyObject, scheme: VerificationScheme): SignatureForm | undefined {
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss': {
      const options: VerifyKeyObjectInput =
        scheme.padding === 'pss'
          ? {key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO}
          : {key, padding: constants.RSA_PKCS1_PADDING}
      return (signature) => ({key: options, signature})
    }
    case 'ec': {
      const size = COORDINATE_BYTES[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 0
      return (signature) => {
        if (isDerSignature(signature)) return {key: {key, dsaEncoding: 'der'}, signature}
        const raw = toP1363(signature, size)
        return raw === undefined ? undefined : {key: {key, dsaEncoding: 'ieee-p1363'}, signature: raw}
      }
    }
    default:
      return undefined
  }
}

/** The same decisions as `checker`, over a message fed in chunks; undefined for Ed25519 (pure: no streaming). */
function streamChecker(key: KeyObject, scheme: VerificationScheme): StreamCheck | undefined {
  const form = signatureForm(key, scheme)
  if (!form) return undefined
  return (hash) => {
    const v = createVerify(hash)
    return {
      update: (chunk) => void v.update(chunk),
      check(signature) {
        const f = form(signature)
        return f !== undefined && v.verify(f.key, f.signature)
      },
    }
  }
}

function checker(key: KeyObject, scheme: VerificationScheme): Check {
  if (key.asymmetricKeyType === 'ed25519') return (message, signature) => verify(null, message, key, signature)
  const form = signatureForm(key, scheme)
  if (!form) throw new SigilError('KEY_UNSUPPORTED', `unsupported public key type: ${key.asymmetricKeyType ?? 'unknown'}`)
  return (message, signature, hash) => {
    const f = form(signature)
    return f !== undefined && verify(hash, message, f.key, f.signature)
  }
}

/**
 * A Verifier for `publicKey` (its `spki` is what counts). `verify` returns false for any bad or
 * malformed signature; it throws only for an unknown hash name.
 * @throws SigilError KEY_INVALID (bad SPKI), KEY_UNSUPPORTED (key type)
 */
export function createLocalVerifier(publicKey: PublicKeyInfo, scheme: VerificationScheme = {}): Verifier {
  let key: KeyObject
  try {
    key = createPublicKey({key: Buffer.from(publicKey.spki), format: 'der', type: 'spki'})
  } catch (err) {
    throw new SigilError('KEY_INVALID', `invalid public key: ${(err as Error).message}`, {cause: err})
  }
  const check = checker(key, scheme)
  const stream = streamChecker(key, scheme)
  const hashFor = (options: VerifyOptions): HashAlgorithm => {
    const hash = scheme.hash ?? options.hash ?? 'sha256'
    if (!HASHES.has(hash)) throw new SigilError('INVALID_ARGUMENT', `unsupported signature digest algorithm: ${String(hash)}`)
    return hash
  }
  return {
    publicKey,
    ...(stream && {
      createVerification(options: VerifyOptions = {}): MessageVerification {
        const session = stream(hashFor(options))
        let used = false
        return {
          update: (chunk) => session.update(chunk),
          verify(signature: Uint8Array): boolean {
            if (used) throw new SigilError('INVALID_ARGUMENT', 'a streaming verification checks one signature; start another')
            used = true
            if (signature.length === 0) return false
            try {
              return session.check(signature)
            } catch {
              return false
            }
          },
        }
      },
    }),
    verify(message: Uint8Array, signature: Uint8Array, options: VerifyOptions = {}): boolean {
      const hash = hashFor(options)
      if (signature.length === 0) return false
      try {
        return check(message, signature, hash)
      } catch {
        // OpenSSL throws for some malformed inputs (e.g. a bad Ed25519 length): just "invalid".
        return false
      }
    },
  }
}
