/**
 * The bundle files `sign-blob --bundle` writes: cosign 3's sigstore bundle v0.3 with a
 * `messageSignature` (built by `buildMessageSignatureBundle`, sigstore-bundle.ts) and cosign 2's
 * legacy `LocalSignedPayload` JSON `{"base64Signature":…,"cert":…,"rekorBundle":…}` (spec §7.1).
 * `parseBlobBundle` tells them apart by content, as a verifier must.
 */
import {decodeStdBase64, encodeStdBase64} from './base64.js'
import {goMarshal} from './go-json.js'
import {failWith, isJsonObject, kindOf, parseJsonLimited} from './json-input.js'
import {MAX_BUNDLE_BYTES, parseSigstoreBundle} from './sigstore-bundle.js'
import type {SigstoreBundle} from './sigstore-bundle.js'

/** cosign 2's legacy blob bundle, decoded. */
export interface LegacyBlobBundle {
  /** `base64Signature`, decoded. */
  readonly signature: Uint8Array
  /** `cert`, decoded (base64 of a PEM certificate or public key); absent or empty for key-signed bundles. */
  readonly cert?: Uint8Array
  /** `rekorBundle`, when present (exposed, not checked: sigil uses no log). */
  readonly rekorBundle?: unknown
}

/** A bundle file as `verify-blob --bundle` reads it. */
export type BlobBundle = {readonly format: 'sigstore-bundle'; readonly bundle: SigstoreBundle} | {readonly format: 'legacy'; readonly legacy: LegacyBlobBundle}

/**
 * cosign 2's legacy bundle for a key-signed blob, byte for byte (Go `json.Marshal` of
 * `LocalSignedPayload` with `cert` and `rekorBundle` omitted): `{"base64Signature":"…"}`, no newline.
 */
export function buildLegacyBlobBundle(signature: Uint8Array): Uint8Array {
  return new TextEncoder().encode(goMarshal({base64Signature: encodeStdBase64(signature)}))
}

/**
 * Decode a blob bundle file: a sigstore bundle (has `mediaType`; see `parseSigstoreBundle`, which
 * must then hold a `messageSignature`) or a legacy bundle (has `base64Signature`, std base64, as
 * cosign decodes it). Size-limited (`MAX_BUNDLE_BYTES`).
 * @throws SigilError INVALID_PAYLOAD (`details.reason`: `not-json`, `unknown-format`, `no-signatures`,
 * `bad-base64`, `not-a-blob-bundle`, or parseSigstoreBundle's reasons), RESPONSE_TOO_LARGE
 */
export function parseBlobBundle(input: Uint8Array | string): BlobBundle {
  const fail = failWith('INVALID_PAYLOAD', 'invalid bundle', 'blob-bundle')
  const doc = parseJsonLimited(input, MAX_BUNDLE_BYTES, 'bundle', 'blob-bundle', fail)
  if (!isJsonObject(doc)) return fail(`not a JSON object (got ${kindOf(doc)})`)
  if (Object.hasOwn(doc, 'mediaType') || Object.hasOwn(doc, 'media_type')) {
    const bundle = parseSigstoreBundle(input)
    if (bundle.messageSignature === undefined) fail('it holds a DSSE envelope (an attestation or image signature), not a blob signature', 'not-a-blob-bundle')
    return {format: 'sigstore-bundle', bundle}
  }
  if (!Object.hasOwn(doc, 'base64Signature')) {
    return fail('neither a sigstore bundle (mediaType) nor a cosign 2 bundle (base64Signature)', 'unknown-format')
  }
  const b64 = doc.base64Signature
  if (typeof b64 !== 'string') return fail(`base64Signature must be a string, got ${kindOf(b64)}`)
  if (b64 === '') return fail('base64Signature is empty', 'no-signatures')
  const signature = decodeStdBase64(b64) ?? fail('base64Signature is not base64', 'bad-base64')
  const certText = doc.cert
  if (certText !== undefined && typeof certText !== 'string') return fail(`cert must be a string, got ${kindOf(certText)}`)
  const cert = certText ? (decodeStdBase64(certText) ?? fail('cert is not base64', 'bad-base64')) : undefined
  return {format: 'legacy', legacy: {signature, ...(cert && {cert}), ...(doc.rekorBundle != null && {rekorBundle: doc.rekorBundle})}}
}
