/**
 * Attachments as their producers make them, for the suite to seed: real payloads, statements,
 * envelopes and bundles built with `@sigil/core`, signed with a throwaway P-256 key, each one
 * distinct (a random annotation or predicate field).
 */
import {generateKeyPairSync, randomBytes, sign} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {
  COSIGN_PREDICATE_TYPES,
  COSIGN_SIGN_PREDICATE_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  buildAttestationStatement,
  buildCosignSignStatement,
  buildDsseBundle,
  buildDsseEnvelope,
  buildPayload,
  dssePae,
  parseDigest,
  publicKeyHint,
  sha256Digest,
} from '@sigil/core'
import type {AttachmentKind, AttachmentSubject} from '@sigil/core'
import type {AttachmentFormat, AttachmentItem} from './attachment-store-options.js'

/** The predicate type the suite's attestations carry (cosign's `--type slsaprovenance`). */
export const ATTESTATION_PREDICATE_TYPE = COSIGN_PREDICATE_TYPES.slsaprovenance!

let key: {privateKey: KeyObject; spki: Uint8Array} | undefined
function signingKey(): {privateKey: KeyObject; spki: Uint8Array} {
  if (!key) {
    const pair = generateKeyPairSync('ec', {namedCurve: 'P-256'})
    key = {privateKey: pair.privateKey, spki: new Uint8Array(pair.publicKey.export({type: 'spki', format: 'der'}))}
  }
  return key
}

const signBytes = (message: Uint8Array): Uint8Array => new Uint8Array(sign('sha256', message, {key: signingKey().privateKey, dsaEncoding: 'der'}))

function statementFor(subject: AttachmentSubject, kind: AttachmentKind, nonce: string): {statement: Uint8Array; predicateType: string} {
  if (kind === 'signature') return {statement: buildCosignSignStatement({digest: subject.digest, annotations: {'kit.nonce': nonce}}), predicateType: COSIGN_SIGN_PREDICATE_TYPE}
  const {algorithm, hex} = parseDigest(subject.digest)
  const statement = buildAttestationStatement({
    subjects: [{name: `${subject.registry}/${subject.repository}`, digest: {[algorithm]: hex}}],
    predicateType: ATTESTATION_PREDICATE_TYPE,
    predicate: {buildType: 'https://kit.sigil.test/build', invocation: {parameters: {nonce}}},
  })
  return {statement, predicateType: ATTESTATION_PREDICATE_TYPE}
}

/** A new attachment of `kind` on `subject`, as a producer writing `format` makes it. */
export function makeAttachmentItem(subject: AttachmentSubject, kind: AttachmentKind, format: AttachmentFormat): AttachmentItem {
  const nonce = randomBytes(8).toString('hex')
  if (format === 'simple-signing') {
    const payload = buildPayload({dockerReference: `${subject.registry}/${subject.repository}`, manifestDigest: subject.digest, annotations: {'kit.nonce': nonce}})
    return {format, payload, signature: signBytes(payload)}
  }
  const {statement, predicateType} = statementFor(subject, kind, nonce)
  const signatures = [{sig: signBytes(dssePae(IN_TOTO_PAYLOAD_TYPE, statement))}]
  if (format === 'dsse-envelope') return {format, envelope: buildDsseEnvelope({payloadType: IN_TOTO_PAYLOAD_TYPE, payload: statement, signatures}), predicateType}
  const bundle = buildDsseBundle({envelope: {payloadType: IN_TOTO_PAYLOAD_TYPE, payload: statement, signatures}, publicKeyHint: publicKeyHint(signingKey().spki)})
  return {format, bundle, predicateType}
}

/** What `read` must return for `item`: the payload, the envelope or the bundle. */
export function contentOf(item: AttachmentItem): Uint8Array {
  return item.format === 'simple-signing' ? item.payload : item.format === 'dsse-envelope' ? item.envelope : item.bundle
}

/** `sha256:<hex>` of `item`'s content, which a listed attachment's `digest` names. */
export const contentDigest = (item: AttachmentItem): string => sha256Digest(contentOf(item))
