/**
 * Internal: DSSE envelope JSON objects, shared by the envelope and bundle codecs.
 */
import {encodeStdBase64} from './base64.js'
import type {DsseEnvelope, DsseSignature} from './dsse.js'
import {SigilError} from './errors.js'
import {decodeLenientBase64, isJsonObject, kindOf, protoField, readOptionalString, readString} from './json-input.js'
import type {Fail} from './json-input.js'

/** Most signatures an envelope may carry. */
export const MAX_DSSE_SIGNATURES = 32

export function checkEnvelope(envelope: DsseEnvelope): void {
  if (envelope.signatures.length === 0) throw new SigilError('INVALID_ARGUMENT', 'a DSSE envelope needs at least one signature')
}

/** decode an envelope object (from its own JSON or a bundle's `dsseEnvelope`). */
export function readDsseEnvelope(value: unknown, path: string, fail: Fail): DsseEnvelope {
  if (!isJsonObject(value)) return fail(`${path} must be an object, got ${kindOf(value)}`)
  const payloadType = readString(protoField(value, 'payloadType', 'payload_type', `${path}.payloadType`, fail), `${path}.payloadType`, fail)
  if (payloadType === '') fail(`${path}.payloadType is empty`)
  const payloadText = readString(protoField(value, 'payload', 'payload', `${path}.payload`, fail), `${path}.payload`, fail)
  const payload = decodeLenientBase64(payloadText)
  if (payload === undefined) return fail(`${path}.payload is not base64`, 'bad-base64')
  const list = protoField(value, 'signatures', 'signatures', `${path}.signatures`, fail)
  if (list !== undefined && !Array.isArray(list)) return fail(`${path}.signatures must be a list, got ${kindOf(list)}`)
  if (list === undefined || list.length === 0) return fail(`${path} has no signatures`, 'no-signatures')
  if (list.length > MAX_DSSE_SIGNATURES) fail(`${path} has ${list.length} signatures, more than the limit of ${MAX_DSSE_SIGNATURES}`, 'too-many-signatures')
  const signatures = list.map((entry, i): DsseSignature => {
    const at = `${path}.signatures[${i}]`
    if (!isJsonObject(entry)) return fail(`${at} must be an object, got ${kindOf(entry)}`)
    const sigText = readString(protoField(entry, 'sig', 'sig', `${at}.sig`, fail), `${at}.sig`, fail)
    const sig = decodeLenientBase64(sigText)
    if (sig === undefined) return fail(`${at}.sig is not base64`, 'bad-base64')
    if (sig.length === 0) return fail(`${at}.sig is empty`, 'no-signatures')
    const keyid = readOptionalString(protoField(entry, 'keyid', 'keyid', `${at}.keyid`, fail), `${at}.keyid`, fail)
    return keyid === undefined ? {sig} : {sig, keyid}
  })
  return {payloadType, payload, signatures}
}

/** the envelope as a protobuf-JSON object (`payload`, `payloadType`, `signatures[{sig, keyid if set}]`). */
export function dsseEnvelopeProtoJson(envelope: DsseEnvelope): Record<string, unknown> {
  checkEnvelope(envelope)
  return {
    payload: encodeStdBase64(envelope.payload) || undefined,
    payloadType: envelope.payloadType || undefined,
    signatures: envelope.signatures.map((s) => ({sig: encodeStdBase64(s.sig), keyid: s.keyid || undefined})),
  }
}

