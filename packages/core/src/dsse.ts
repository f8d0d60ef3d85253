/**
 * DSSE (Dead Simple Signing Envelope) as cosign uses it for attestations and, in cosign 3, for
 * image signatures inside sigstore bundles (spec §2.7, §7.2): the pre-authentication encoding
 * that is actually signed, and the envelope JSON in its two spellings.
 */
import {encodeStdBase64} from './base64.js'
import {goMarshal} from './go-json.js'
import {MAX_DSSE_SIGNATURES, checkEnvelope, dsseEnvelopeProtoJson, readDsseEnvelope} from './dsse-json.js'
import {failWith, parseJsonLimited} from './json-input.js'
import {protoMarshal} from './proto-json.js'

export {MAX_DSSE_SIGNATURES}

/** `payloadType` of an envelope holding an in-toto statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json'
/** Media type of a legacy `.att` layer holding a DSSE envelope. */
export const DSSE_ENVELOPE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json'
/** Largest envelope `parseDsseEnvelope` decodes unless told otherwise (16 MiB: SBOMs are big). */
export const MAX_DSSE_ENVELOPE_BYTES = 16 * 1024 * 1024

/** One signature of an envelope. */
export interface DsseSignature {
  /** The raw signature over `dssePae(payloadType, payload)`. */
  readonly sig: Uint8Array
  /** Key id; cosign writes none (bundles) or `""` (legacy `.att`). */
  readonly keyid?: string
}

/** A decoded envelope. */
export interface DsseEnvelope {
  readonly payloadType: string
  /** The decoded payload: the exact signed bytes (for cosign, an in-toto statement). */
  readonly payload: Uint8Array
  /** At least one. */
  readonly signatures: readonly DsseSignature[]
}

/** Options of `parseDsseEnvelope`. */
export interface ParseDsseEnvelopeOptions {
  /** Size limit checked before decoding; default `MAX_DSSE_ENVELOPE_BYTES`. */
  readonly maxBytes?: number
}

/**
 * The DSSE v1 pre-authentication encoding, what a DSSE signature signs:
 * `"DSSEv1" SP len(type) SP type SP len(payload) SP payload`, lengths as ASCII decimal byte counts.
 */
export function dssePae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = new TextEncoder().encode(payloadType)
  const head = new TextEncoder().encode(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `)
  const out = new Uint8Array(head.length + payload.length)
  out.set(head)
  out.set(payload, head.length)
  return out
}

/**
 * Decode a DSSE envelope (a legacy `.att` layer, or a `--no-upload` / bundle-extracted one).
 * Payload and signatures are base64 (standard, or URL-safe as Go readers also accept).
 * Throws `RESPONSE_TOO_LARGE` over `maxBytes` (before decoding) and `INVALID_PAYLOAD` for
 * anything that is not an envelope with at least one non-empty signature; `details.reason`
 * says which (`not-json`, `bad-base64`, `no-signatures`, `invalid`).
 */
export function parseDsseEnvelope(input: Uint8Array | string, options: ParseDsseEnvelopeOptions = {}): DsseEnvelope {
  const fail = failWith('INVALID_PAYLOAD', 'invalid DSSE envelope', 'dsse-envelope')
  const doc = parseJsonLimited(input, options.maxBytes ?? MAX_DSSE_ENVELOPE_BYTES, 'DSSE envelope', 'dsse-envelope', fail)
  return readDsseEnvelope(doc, 'envelope', fail)
}

/** Which writer's spelling `buildDsseEnvelope` reproduces. */
export type DsseEnvelopeStyle = 'legacy' | 'bundle'

/**
 * The envelope JSON, byte for byte as cosign writes it:
 * - `'legacy'` (default): cosign 2's `.att` layer and `attest --no-upload` (go-securesystemslib,
 *   `encoding/json`): `{"payloadType","payload","signatures":[{"keyid":"","sig"}]}`, `keyid` always present;
 * - `'bundle'`: the `dsseEnvelope` of a sigstore bundle (protojson): `{"payload","payloadType",
 *   "signatures":[{"sig"}]}`, `keyid` only when non-empty.
 * Throws `INVALID_ARGUMENT` for an envelope without signatures.
 */
export function buildDsseEnvelope(envelope: DsseEnvelope, style: DsseEnvelopeStyle = 'legacy'): Uint8Array {
  checkEnvelope(envelope)
  const json =
    style === 'bundle'
      ? protoMarshal(dsseEnvelopeProtoJson(envelope))
      : goMarshal({
          payloadType: envelope.payloadType,
          payload: encodeStdBase64(envelope.payload),
          signatures: envelope.signatures.map((s) => ({keyid: s.keyid ?? '', sig: encodeStdBase64(s.sig)})),
        })
  return new TextEncoder().encode(json)
}
