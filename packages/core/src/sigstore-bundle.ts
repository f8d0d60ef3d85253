/**
 * Sigstore bundles (protobuf-specs `dev.sigstore.bundle.v1.Bundle`, JSON), what cosign 3 signs
 * into by default (spec §2.7): media types and versions, a validating decoder, and the two
 * key-based shapes cosign 3.1.1 writes, byte for byte.
 */
import {createHash} from 'node:crypto'
import {encodeStdBase64} from './base64.js'
import {DIGEST_HEX_LENGTH} from './digest.js'
import {dsseEnvelopeProtoJson, readDsseEnvelope} from './dsse-json.js'
import type {DsseEnvelope} from './dsse.js'
import {SigilError} from './errors.js'
import {decodeLenientBase64, failWith, isJsonObject, kindOf, parseJsonLimited, protoField, readOptionalString} from './json-input.js'
import type {Fail} from './json-input.js'
import {protoMarshal} from './proto-json.js'

/** The bundle media type cosign 3 writes (bundle v0.3), also the referrer's artifactType and layer media type. */
export const SIGSTORE_BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json'
/** Every bundle media type sigil reads, with its version (sigstore-go's list, < v0.4). */
export const SIGSTORE_BUNDLE_MEDIA_TYPES: Readonly<Record<string, SigstoreBundleVersion>> = Object.freeze({
  'application/vnd.dev.sigstore.bundle+json;version=0.1': 'v0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2': 'v0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3': 'v0.3',
  'application/vnd.dev.sigstore.bundle.v0.1+json': 'v0.1',
  'application/vnd.dev.sigstore.bundle.v0.2+json': 'v0.2',
  'application/vnd.dev.sigstore.bundle.v0.3+json': 'v0.3',
})
/** Largest bundle `parseSigstoreBundle` decodes unless told otherwise (16 MiB: attestation bundles carry SBOMs). */
export const MAX_BUNDLE_BYTES = 16 * 1024 * 1024
/** Most transparency-log entries and most signed timestamps a bundle may carry (sigstore-go's limits). */
export const MAX_BUNDLE_TLOG_ENTRIES = 32
export const MAX_BUNDLE_TIMESTAMPS = 32

/** A bundle version sigil reads. */
export type SigstoreBundleVersion = 'v0.1' | 'v0.2' | 'v0.3'

/** What a bundle says about the signing key. Exactly one of the three is set (a hint may be `''`). */
export interface BundleVerificationMaterial {
  /** `publicKey.hint`: for cosign, std-base64(sha256(SPKI DER)) (`publicKeyHint`). */
  readonly publicKeyHint?: string
  /** `certificate.rawBytes` (DER). */
  readonly certificate?: Uint8Array
  /** `x509CertificateChain.certificates[].rawBytes` (DER, leaf first); not allowed in v0.3. */
  readonly certificateChain?: readonly Uint8Array[]
  /** `tlogEntries`, as JSON; exposed, not checked (key-based sigil does not use a log). */
  readonly tlogEntries: readonly unknown[]
  /** `timestampVerificationData`, as JSON; exposed, not checked. */
  readonly timestampVerificationData?: unknown
}

/** `messageSignature` content (`sign-blob`). */
export interface BundleMessageSignature {
  /** `messageDigest`, when present: algorithm name (`SHA2_256`) and raw digest. */
  readonly messageDigest?: {readonly algorithm: string; readonly digest: Uint8Array}
  /** The signature over the artifact bytes. */
  readonly signature: Uint8Array
}

/** A decoded bundle. Exactly one of `dsseEnvelope` and `messageSignature` is set. */
export interface SigstoreBundle {
  readonly mediaType: string
  readonly version: SigstoreBundleVersion
  readonly verificationMaterial: BundleVerificationMaterial
  readonly dsseEnvelope?: DsseEnvelope
  readonly messageSignature?: BundleMessageSignature
}

/** Options of `parseSigstoreBundle`. */
export interface ParseSigstoreBundleOptions {
  /** Size limit checked before decoding; default `MAX_BUNDLE_BYTES`. */
  readonly maxBytes?: number
}

/**
 * cosign's key hint: std-base64 of the SHA-256 of the public key's SubjectPublicKeyInfo DER
 * (sigstore-go `KeyHint` as cosign fills it). 44 characters.
 */
export function publicKeyHint(spki: Uint8Array): string {
  return encodeStdBase64(new Uint8Array(createHash('sha256').update(spki).digest()))
}

function readBytes(value: unknown, path: string, fail: Fail): Uint8Array {
  if (typeof value !== 'string') return fail(`${path} must be a base64 string, got ${kindOf(value)}`)
  const bytes = decodeLenientBase64(value)
  return bytes ?? fail(`${path} is not base64`, 'bad-base64')
}

function readCertificate(value: unknown, path: string, fail: Fail): Uint8Array {
  if (!isJsonObject(value)) return fail(`${path} must be an object, got ${kindOf(value)}`)
  const raw = protoField(value, 'rawBytes', 'raw_bytes', `${path}.rawBytes`, fail)
  if (raw === undefined) return fail(`${path}.rawBytes is missing`)
  return readBytes(raw, `${path}.rawBytes`, fail)
}

function readVerificationMaterial(value: unknown, version: SigstoreBundleVersion, fail: Fail): BundleVerificationMaterial {
  const path = 'verificationMaterial'
  if (value === undefined) return fail('verificationMaterial is missing', 'no-verification-material')
  if (!isJsonObject(value)) return fail(`${path} must be an object, got ${kindOf(value)}`)
  const publicKey = protoField(value, 'publicKey', 'public_key', `${path}.publicKey`, fail)
  const certificate = protoField(value, 'certificate', 'certificate', `${path}.certificate`, fail)
  const chain = protoField(value, 'x509CertificateChain', 'x509_certificate_chain', `${path}.x509CertificateChain`, fail)
  const set = [publicKey, certificate, chain].filter((v) => v !== undefined).length
  if (set === 0) fail(`${path} has none of publicKey, certificate, x509CertificateChain`, 'no-verification-material')
  if (set > 1) fail(`${path} has more than one of publicKey, certificate, x509CertificateChain`)

  const material: {-readonly [K in keyof BundleVerificationMaterial]: BundleVerificationMaterial[K]} = {tlogEntries: []}
  if (publicKey !== undefined) {
    if (!isJsonObject(publicKey)) return fail(`${path}.publicKey must be an object, got ${kindOf(publicKey)}`)
    material.publicKeyHint = readOptionalString(protoField(publicKey, 'hint', 'hint', `${path}.publicKey.hint`, fail), `${path}.publicKey.hint`, fail) ?? ''
  }
  if (certificate !== undefined) material.certificate = readCertificate(certificate, `${path}.certificate`, fail)
  if (chain !== undefined) {
    if (version === 'v0.3') fail(`${path}.x509CertificateChain is not allowed in a v0.3 bundle (only a single certificate)`)
    if (!isJsonObject(chain)) return fail(`${path}.x509CertificateChain must be an object, got ${kindOf(chain)}`)
    const certs = protoField(chain, 'certificates', 'certificates', `${path}.x509CertificateChain.certificates`, fail) ?? []
    if (!Array.isArray(certs)) return fail(`${path}.x509CertificateChain.certificates must be a list`)
    if (certs.length === 0) fail(`${path}.x509CertificateChain has no certificates`, 'no-verification-material')
    if (certs.length > 32) fail(`${path}.x509CertificateChain has ${certs.length} certificates, more than 32`)
    material.certificateChain = certs.map((c, i) => readCertificate(c, `${path}.x509CertificateChain.certificates[${i}]`, fail))
  }
  const tlog = protoField(value, 'tlogEntries', 'tlog_entries', `${path}.tlogEntries`, fail)
  if (tlog !== undefined) {
    if (!Array.isArray(tlog)) return fail(`${path}.tlogEntries must be a list, got ${kindOf(tlog)}`)
    if (tlog.length > MAX_BUNDLE_TLOG_ENTRIES) fail(`${path} has ${tlog.length} tlog entries, more than the limit of ${MAX_BUNDLE_TLOG_ENTRIES}`)
    tlog.forEach((entry, i) => isJsonObject(entry) || fail(`${path}.tlogEntries[${i}] must be an object`))
    material.tlogEntries = tlog
  }
  const timestamps = protoField(value, 'timestampVerificationData', 'timestamp_verification_data', `${path}.timestampVerificationData`, fail)
  if (timestamps !== undefined) {
    if (!isJsonObject(timestamps)) return fail(`${path}.timestampVerificationData must be an object`)
    const list = protoField(timestamps, 'rfc3161Timestamps', 'rfc3161_timestamps', `${path}.timestampVerificationData.rfc3161Timestamps`, fail)
    if (list !== undefined && (!Array.isArray(list) || list.length > MAX_BUNDLE_TIMESTAMPS)) {
      fail(`${path}.timestampVerificationData.rfc3161Timestamps must be a list of at most ${MAX_BUNDLE_TIMESTAMPS}`)
    }
    material.timestampVerificationData = timestamps
  }
  return material
}

function readMessageSignature(value: unknown, fail: Fail): BundleMessageSignature {
  const path = 'messageSignature'
  if (!isJsonObject(value)) return fail(`${path} must be an object, got ${kindOf(value)}`)
  const sig = protoField(value, 'signature', 'signature', `${path}.signature`, fail)
  if (sig === undefined) return fail(`${path}.signature is missing`, 'no-signatures')
  const signature = readBytes(sig, `${path}.signature`, fail)
  if (signature.length === 0) fail(`${path}.signature is empty`, 'no-signatures')
  const md = protoField(value, 'messageDigest', 'message_digest', `${path}.messageDigest`, fail)
  if (md === undefined) return {signature}
  if (!isJsonObject(md)) return fail(`${path}.messageDigest must be an object, got ${kindOf(md)}`)
  const algorithm = readOptionalString(protoField(md, 'algorithm', 'algorithm', `${path}.messageDigest.algorithm`, fail), `${path}.messageDigest.algorithm`, fail) ?? 'HASH_ALGORITHM_UNSPECIFIED'
  const rawDigest = protoField(md, 'digest', 'digest', `${path}.messageDigest.digest`, fail)
  const digest = rawDigest === undefined ? new Uint8Array(0) : readBytes(rawDigest, `${path}.messageDigest.digest`, fail)
  return {messageDigest: {algorithm, digest}, signature}
}

/**
 * Decode a sigstore bundle. Checks, in order: size (`RESPONSE_TOO_LARGE`, before decoding),
 * JSON object, a known media type (`SIGSTORE_BUNDLE_MEDIA_TYPES`: v0.1–v0.3; `details.reason`
 * `unknown-media-type` otherwise), exactly one of `dsseEnvelope` / `messageSignature` (a DSSE
 * envelope needs a signature), verification material with exactly one of `publicKey`,
 * `certificate`, `x509CertificateChain` (the chain not in v0.3), at most 32 tlog entries and
 * timestamps. Log entries and timestamps are exposed, not verified. Unknown fields are ignored.
 * Throws `INVALID_PAYLOAD` with `details.reason` (`not-json`, `unknown-media-type`,
 * `no-content`, `no-signatures`, `no-verification-material`, `bad-base64`, `invalid`).
 */
export function parseSigstoreBundle(input: Uint8Array | string, options: ParseSigstoreBundleOptions = {}): SigstoreBundle {
  const fail = failWith('INVALID_PAYLOAD', 'invalid sigstore bundle', 'sigstore-bundle')
  const doc = parseJsonLimited(input, options.maxBytes ?? MAX_BUNDLE_BYTES, 'sigstore bundle', 'sigstore-bundle', fail)
  if (!isJsonObject(doc)) return fail(`not a JSON object (got ${kindOf(doc)})`)
  const mediaType = protoField(doc, 'mediaType', 'media_type', 'mediaType', fail)
  if (typeof mediaType !== 'string') return fail(mediaType === undefined ? 'mediaType is missing' : `mediaType must be a string, got ${kindOf(mediaType)}`, 'unknown-media-type')
  const version = Object.hasOwn(SIGSTORE_BUNDLE_MEDIA_TYPES, mediaType) ? SIGSTORE_BUNDLE_MEDIA_TYPES[mediaType] : undefined
  if (version === undefined) return fail(`unsupported media type ${JSON.stringify(mediaType)} (sigil reads bundle v0.1 to v0.3)`, 'unknown-media-type')
  const dsse = protoField(doc, 'dsseEnvelope', 'dsse_envelope', 'dsseEnvelope', fail)
  const message = protoField(doc, 'messageSignature', 'message_signature', 'messageSignature', fail)
  if (dsse === undefined && message === undefined) fail('it has neither dsseEnvelope nor messageSignature', 'no-content')
  if (dsse !== undefined && message !== undefined) fail('it has both dsseEnvelope and messageSignature')
  const verificationMaterial = readVerificationMaterial(protoField(doc, 'verificationMaterial', 'verification_material', 'verificationMaterial', fail), version, fail)
  return {
    mediaType,
    version,
    verificationMaterial,
    ...(dsse !== undefined ? {dsseEnvelope: readDsseEnvelope(dsse, 'dsseEnvelope', fail)} : {messageSignature: readMessageSignature(message, fail)}),
  }
}

function hintJson(hint: string): Record<string, unknown> {
  return {publicKey: {hint: hint || undefined}}
}

/** Input of `buildDsseBundle`. */
export interface BuildDsseBundleOptions {
  /** The signed envelope (cosign: payloadType `application/vnd.in-toto+json`, one signature, no keyid). */
  readonly envelope: DsseEnvelope
  /** `publicKeyHint(spki)` of the signing key. */
  readonly publicKeyHint: string
}

/**
 * A v0.3 bundle around a DSSE envelope, byte for byte as cosign 3.1.1 writes it for a key
 * (`sign`, `attest`): `{"mediaType":…,"verificationMaterial":{"publicKey":{"hint":…}},
 * "dsseEnvelope":{"payload":…,"payloadType":…,"signatures":[{"sig":…}]}}`, no newline.
 * Throws `INVALID_ARGUMENT` for an envelope without signatures.
 */
export function buildDsseBundle(options: BuildDsseBundleOptions): Uint8Array {
  const json = protoMarshal({
    mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: hintJson(options.publicKeyHint),
    dsseEnvelope: dsseEnvelopeProtoJson(options.envelope),
  })
  return new TextEncoder().encode(json)
}

/** Input of `buildMessageSignatureBundle`. */
export interface BuildMessageSignatureBundleOptions {
  /** Lower-case hex SHA-256 of the artifact. */
  readonly digestHex: string
  /** The signature over the artifact bytes. */
  readonly signature: Uint8Array
  /** `publicKeyHint(spki)` of the signing key. */
  readonly publicKeyHint: string
}

/**
 * A v0.3 bundle with a `messageSignature`, byte for byte as `cosign sign-blob --bundle`
 * (3.1.1) writes it for a key: `messageDigest` `{"algorithm":"SHA2_256","digest":<b64>}`,
 * then `signature`; no newline. Throws `INVALID_ARGUMENT` for a digest that is not 64 hex
 * characters or an empty signature.
 */
export function buildMessageSignatureBundle(options: BuildMessageSignatureBundleOptions): Uint8Array {
  const hex = options.digestHex
  if (hex.length !== DIGEST_HEX_LENGTH.sha256 || !/^[0-9a-f]+$/.test(hex)) {
    throw new SigilError('INVALID_ARGUMENT', `digestHex must be 64 lower-case hex characters, got ${JSON.stringify(hex)}`)
  }
  if (options.signature.length === 0) throw new SigilError('INVALID_ARGUMENT', 'a message signature bundle needs a signature')
  const digest = new Uint8Array(hex.match(/../g)!.map((b) => parseInt(b, 16)))
  const json = protoMarshal({
    mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: hintJson(options.publicKeyHint),
    messageSignature: {messageDigest: {algorithm: 'SHA2_256', digest: encodeStdBase64(digest)}, signature: encodeStdBase64(options.signature)},
  })
  return new TextEncoder().encode(json)
}
