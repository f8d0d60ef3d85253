import {COSIGN_SIGN_PREDICATE_TYPE, DSSE_ENVELOPE_MEDIA_TYPE, checkAttestationStatement} from '@sigil/core'
import type {AttachmentStore, AttachmentSubject, DsseEnvelope, HashAlgorithm, ImageReference, InTotoStatement, StoredAttachment, Verifier} from '@sigil/core'
import type {RegistryClient} from '@sigil/oci'
import {SigningError} from './error.js'
import {checkDsseBundle, keyErrorsFirst, listEveryStore} from './verify-common.js'
import {legacyTagStore} from './legacy-tag-store.js'
import {mapLimit} from './map-limit.js'
import {resolveForVerification} from './resolve.js'
import {signatureLocation} from './signature-location.js'
import type {SignatureLocationOptions} from './signature-location.js'

/** Options of {@link verifyAttestations}. */
export interface VerifyAttestationsOptions extends SignatureLocationOptions {
  readonly client: RegistryClient
  /** The key's verifier, or a promise of it (the registry is asked while it loads; its failure is reported first). */
  readonly verifier: Verifier | PromiseLike<Verifier>
  /**
   * Where attestations are looked for, all of them, always (a registry's referrers and `.att`
   * tag, an offline layout…). Default: the legacy `.att` tag of this call's client and location.
   */
  readonly stores?: readonly AttachmentStore[]
  /** Keep only attestations of this predicate type (a URI: resolve `--type` shortcuts first). Default all. */
  readonly predicateType?: string
  /** Check that a subject names the image digest. Default true, as cosign. */
  readonly checkClaims?: boolean
  /** Signature hash (`--signature-digest-algorithm`). Default sha256. */
  readonly hash?: HashAlgorithm
  /** Resolve a tag with HEAD, for registries whose GETs count as pulls. Default false. */
  readonly resolveWithHead?: boolean
  /** Attestations checked at once. Default 10. */
  readonly concurrency?: number
}

/** One attestation that passed every check. */
export interface VerifiedAttestation {
  /** Where it was: `registry/repo:sha256-<hex>.att` or the referrer `registry/repo@sha256:…`. */
  readonly location: string
  readonly format: StoredAttachment['format']
  readonly envelope: DsseEnvelope
  readonly statement: InTotoStatement
}

/** The outcome of a successful verification. */
export interface VerifyAttestationsResult {
  readonly image: ImageReference
  readonly digest: string
  /** Never empty; only the wanted predicate type when one was given. */
  readonly attestations: readonly VerifiedAttestation[]
  /** Why the others did not verify. */
  readonly rejected: ReadonlyArray<{readonly location: string; readonly reason: string}>
}

type Outcome = {ok: true; value: VerifiedAttestation} | {ok: false; reason: string}

async function checkOne(
  store: AttachmentStore,
  subject: AttachmentSubject,
  attachment: StoredAttachment,
  options: VerifyAttestationsOptions,
  verifier: Promise<Verifier>,
): Promise<Outcome> {
  const where = attachment.format === 'sigstore-bundle' ? `bundle ${attachment.location}` : `attestation layer ${attachment.digest}`
  if (attachment.format === 'simple-signing' || (attachment.format === 'dsse-envelope' && attachment.mediaType !== DSSE_ENVELOPE_MEDIA_TYPE)) {
    return {ok: false, reason: `${where} has media type ${attachment.mediaType}, not a DSSE envelope`}
  }
  // A registry fault while reading is a fault, not a bad attestation: let it throw.
  const bytes = await store.read(subject, attachment)
  const key = await verifier
  const checked = checkDsseBundle(bytes, attachment.format === 'sigstore-bundle' ? 'bundle' : 'envelope', where, key, options.hash)
  if (!checked.ok) return checked
  const {parsed} = checked
  // An image signature (cosign 3's sign predicate) is never an attestation, claims checked or not.
  const claims =
    options.checkClaims === false
      ? parsed.statement.predicateType === COSIGN_SIGN_PREDICATE_TYPE
        ? {ok: false as const, reason: `predicate type ${COSIGN_SIGN_PREDICATE_TYPE} is an image signature, not an attestation`}
        : {ok: true as const}
      : checkAttestationStatement(parsed.statement, {digest: subject.digest})
  if (!claims.ok) return {ok: false, reason: `${where}: ${claims.reason}`}
  return {ok: true, value: {location: attachment.location, format: attachment.format, envelope: parsed.envelope, statement: parsed.statement}}
}

/**
 * Verify an image's attestations as `cosign verify-attestation --key … --insecure-ignore-tlog`
 * does (spec §7.2), in every store given (cosign 3's referrers and the legacy `.att` tag): DSSE
 * signature by the key, payloadType in-toto, a subject naming the image digest, then the
 * predicate type filter. Throws `IMAGE_NOT_FOUND`, `NO_SIGNATURES_FOUND` (none stored),
 * `NO_MATCHING_SIGNATURES` (none verify, or none of the wanted type) or a registry error.
 */
export async function verifyAttestations(image: ImageReference, options: VerifyAttestationsOptions): Promise<VerifyAttestationsResult> {
  return keyErrorsFirst(options.verifier, (verifier) => verifyWith(image, options, verifier))
}

async function verifyWith(image: ImageReference, options: VerifyAttestationsOptions, verifier: Promise<Verifier>): Promise<VerifyAttestationsResult> {
  const {client} = options
  const digest = await resolveForVerification(client, image, {head: options.resolveWithHead})
  const subject: AttachmentSubject = {registry: image.registry, repository: image.repository, digest}
  const stores = options.stores ?? [legacyTagStore({client, signatureRepository: options.signatureRepository, attachmentTagPrefix: options.attachmentTagPrefix})]
  const listed = await listEveryStore(stores, subject, 'attestation')
  if (listed.length === 0) {
    throw new SigningError('NO_SIGNATURES_FOUND', 'no attestations found', {details: {location: signatureLocation(image, digest, options, 'att').name}})
  }
  const outcomes = await mapLimit(listed, options.concurrency ?? 10, ({store, attachment}) => checkOne(store, subject, attachment, options, verifier))
  const verified: VerifiedAttestation[] = []
  const rejected: Array<{location: string; reason: string}> = []
  outcomes.forEach((o, i) => (o.ok ? verified.push(o.value) : rejected.push({location: listed[i]!.attachment.location, reason: o.reason})))
  if (verified.length === 0) {
    const reasons = [...new Set(rejected.map((r) => r.reason))]
    throw new SigningError('NO_MATCHING_SIGNATURES', `no matching attestations: ${reasons.join('; ')}`, {details: {reasons: rejected.map((r) => r.reason)}})
  }
  const wanted = options.predicateType
  const attestations = wanted === undefined ? verified : verified.filter((a) => a.statement.predicateType === wanted)
  if (attestations.length === 0) {
    const found = [...new Set(verified.map((a) => a.statement.predicateType))]
    throw new SigningError('NO_MATCHING_SIGNATURES', `none of the attestations matched the predicate type: ${wanted}, found: ${found.join(',')}`)
  }
  return {image, digest, attestations, rejected}
}
