import {BUNDLE_ANNOTATION, CERTIFICATE_ANNOTATION, CHAIN_ANNOTATION, SIGNATURE_ANNOTATION, encodeStdBase64, goMarshal} from '@sigil/core'
import type {AttachmentKind, AttachmentStore, ImageReference, StoredAttachment} from '@sigil/core'
import type {RegistryClient} from '@sigil/oci'
import {SigningError} from './error.js'
import {resolveExisting} from './resolve.js'
import {listEveryStore} from './verify-common.js'

/** cosign's RFC 3161 timestamp layer annotation. */
const RFC3161_ANNOTATION = 'dev.sigstore.cosign/rfc3161timestamp'

/** Options of {@link downloadAttachments}. */
export interface DownloadAttachmentsOptions {
  readonly client: RegistryClient
  /** Where to look, in this order (the legacy tags, cosign 3's referrers). */
  readonly stores: readonly AttachmentStore[]
}

/** One downloaded attachment: the line cosign's `download` prints for it, and where it was. */
export interface DownloadedAttachment {
  readonly kind: AttachmentKind
  readonly format: StoredAttachment['format']
  readonly location: string
  /** The layer's media type (an SBOM's: `text/spdx`, `application/vnd.cyclonedx+json`…). */
  readonly mediaType: string
  /** One line of JSON (no newline), as `cosign download signature|attestation` prints it; an SBOM as stored. */
  readonly line: string
}

/** What {@link downloadAttachments} found. */
export interface DownloadAttachmentsResult {
  readonly digest: string
  readonly attachments: readonly DownloadedAttachment[]
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', {fatal: true}).decode(bytes))
  } catch (err) {
    throw new SigningError('INVALID_PAYLOAD', `${what} is not JSON (${(err as Error).message})`, {cause: err})
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/** An annotation holding JSON, re-encoded through `shape` (Go struct order), or null when absent. */
function annotationJson(annotations: Readonly<Record<string, string>> | undefined, key: string, shape: (doc: Record<string, unknown>) => unknown): unknown {
  const text = annotations?.[key]
  if (text === undefined || text === '') return null
  const doc = parseJson(new TextEncoder().encode(text), `the ${key} annotation`)
  return typeof doc === 'object' && doc !== null ? shape(doc as Record<string, unknown>) : null
}

/** cosign's `SignedPayload` (Go field names and order) of a legacy signature layer. */
function signedPayloadLine(attachment: StoredAttachment, payload: Uint8Array): string {
  const a = attachment.annotations
  return goMarshal({
    Base64Signature: a?.[SIGNATURE_ANNOTATION] ?? '',
    Payload: encodeStdBase64(payload),
    // cosign marshals Go's x509.Certificate struct here; sigil signs with keys only and gives the PEM.
    Cert: a?.[CERTIFICATE_ANNOTATION] || null,
    Chain: a?.[CHAIN_ANNOTATION] || null,
    Bundle: annotationJson(a, BUNDLE_ANNOTATION, (b) => {
      const p = (b.Payload ?? {}) as Record<string, unknown>
      return {SignedEntryTimestamp: b.SignedEntryTimestamp ?? null, Payload: {body: p.body ?? null, integratedTime: p.integratedTime ?? 0, logIndex: p.logIndex ?? 0, logID: str(p.logID)}}
    }),
    RFC3161Timestamp: annotationJson(a, RFC3161_ANNOTATION, (t) => ({SignedRFC3161Timestamp: t.SignedRFC3161Timestamp ?? null})),
  })
}

/** cosign's `AttestationPayload` of a legacy `.att` layer (a DSSE envelope): its three fields, in order. */
function attestationLine(attachment: StoredAttachment, envelope: Uint8Array): string {
  const doc = parseJson(envelope, `the attestation ${attachment.digest} in ${attachment.location}`) as Record<string, unknown>
  const signatures = Array.isArray(doc?.signatures) ? doc.signatures.map((s: Record<string, unknown> | null) => ({keyid: str(s?.keyid), sig: str(s?.sig)})) : null
  return goMarshal({payloadType: str(doc?.payloadType), payload: str(doc?.payload), signatures})
}

/** A sigstore bundle on one line: as stored (cosign wrote it compact), else re-encoded compactly. */
function bundleLine(attachment: StoredAttachment, bundle: Uint8Array): string {
  const text = new TextDecoder().decode(bundle)
  if (!/[\r\n]/.test(text)) {
    parseJson(bundle, `the bundle ${attachment.digest} in ${attachment.location}`)
    return text
  }
  return goMarshal(parseJson(bundle, `the bundle ${attachment.digest} in ${attachment.location}`))
}

/** The line for one attachment; SBOMs are printed as stored. */
function lineOf(attachment: StoredAttachment, bytes: Uint8Array): string {
  if (attachment.format === 'sigstore-bundle') return bundleLine(attachment, bytes)
  if (attachment.kind === 'attestation') return attestationLine(attachment, bytes)
  if (attachment.kind === 'sbom') return new TextDecoder().decode(bytes)
  return signedPayloadLine(attachment, bytes)
}

/**
 * The attachments of `kind` of an image, from every store, each as the JSON line `cosign
 * download` prints (cosign 2's `SignedPayload` / `AttestationPayload` for the legacy tags,
 * the bundle for cosign 3's referrers). None is an empty list; a missing image is
 * `IMAGE_NOT_FOUND`; an attachment that cannot be read is an error, never skipped.
 */
export async function downloadAttachments(image: ImageReference, kind: AttachmentKind, options: DownloadAttachmentsOptions): Promise<DownloadAttachmentsResult> {
  const digest = await resolveExisting(options.client, image)
  const subject = {registry: image.registry, repository: image.repository, digest}
  const listed = await listEveryStore(options.stores, subject, kind)
  const attachments = await Promise.all(
    listed.map(async ({store, attachment: a}) => ({kind, format: a.format, location: a.location, mediaType: a.mediaType, line: lineOf(a, await store.read(subject, a))})),
  )
  return {digest, attachments}
}
