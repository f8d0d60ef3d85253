import {
  COSIGN_SIGN_PREDICATE_TYPE,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  checkClaims,
  checkImageSignatureStatement,
  cosignVerifyOutputEntry,
  parsePayload,
} from '@sigil/core'
import type {AttachmentStore, AttachmentSubject, Descriptor, HashAlgorithm, ImageReference, SimpleSigningPayload, StoredAttachment, Verifier} from '@sigil/core'
import type {RegistryClient} from '@sigil/oci'
import {SigningError} from './error.js'
import {checkDsseBundle, keyErrorsFirst, listEveryStore} from './verify-common.js'
import {mapLimit} from './map-limit.js'
import {MAX_PAYLOAD_BYTES, legacyTagStore} from './legacy-tag-store.js'
import {resolveForVerification} from './resolve.js'
import {signatureLocation} from './signature-location.js'
import type {SignatureLocationOptions} from './signature-location.js'

export {MAX_PAYLOAD_BYTES}

/** Options of `verifyImage`. */
export interface VerifyImageOptions extends SignatureLocationOptions {
  readonly client: RegistryClient
  /**
   * The key's verifier, or a promise of it: the registry is then asked while the key is still
   * being read, and a failure to load it is reported before any registry error (as if it had
   * been loaded first).
   */
  readonly verifier: Verifier | PromiseLike<Verifier>
  /** Check the payload's digest claim (and `annotations`). Default true, as cosign. */
  readonly checkClaims?: boolean
  /** `-a key=value`: each must be in the payload's `optional`. Default none. */
  readonly annotations?: Readonly<Record<string, string>>
  /** `--signature-digest-algorithm`. Default sha256. */
  readonly hash?: HashAlgorithm
  /** Largest payload accepted. Default 128 MiB. */
  readonly maxPayloadBytes?: number
  /**
   * Resolve a tag with HEAD (the registry's `Docker-Content-Digest`) instead of GET, for
   * registries whose manifest GETs count against a pull limit. Default false.
   */
  readonly resolveWithHead?: boolean
  /** Layers checked at once. Default 10 (cosign's `--max-workers`). */
  readonly concurrency?: number
  /**
   * Where signatures are looked for, all of them, always. Default: cosign's legacy `.sig` tag
   * ({@link legacyTagStore} with this call's client and location options).
   */
  readonly stores?: readonly AttachmentStore[]
}

/** One signature that passed every check. */
export interface VerifiedSignature {
  readonly layer: Descriptor
  /** The exact signed bytes. */
  readonly payloadBytes: Uint8Array
  readonly payload: SimpleSigningPayload
}

/** The outcome of a successful verification. */
export interface VerifyImageResult {
  readonly image: ImageReference
  readonly digest: string
  readonly signatureLocation: string
  /** In layer order. Never empty. */
  readonly signatures: readonly VerifiedSignature[]
  /** Why the other layers did not verify. */
  readonly rejected: ReadonlyArray<{readonly layer: Descriptor; readonly reason: string}>
}

type LayerOutcome = {ok: true; value: VerifiedSignature} | {ok: false; reason: string}

function descriptorOf(a: StoredAttachment): Descriptor {
  return {mediaType: a.mediaType, size: a.size, digest: a.digest, ...(a.annotations ? {annotations: a.annotations} : {})}
}

/**
 * A cosign 3 signature: a sigstore bundle whose DSSE envelope the key signed, holding an in-toto
 * statement of predicate type `https://sigstore.dev/cosign/sign/v1` for this digest (an
 * attestation made with the same key is not a signature). A bundle whose key hint names another
 * key is passed over without any cryptography.
 */
async function checkBundle(
  store: AttachmentStore,
  subject: AttachmentSubject,
  attachment: StoredAttachment,
  image: ImageReference,
  options: VerifyImageOptions,
  verifier: Promise<Verifier>,
): Promise<LayerOutcome> {
  const layer = descriptorOf(attachment)
  const bytes = await store.read(subject, attachment)
  const where = `bundle ${attachment.location}`
  let key
  try {
    key = await verifier
  } catch (err) {
    return {ok: false, reason: `${where}: ${(err as Error).message}`}
  }
  const checked = checkDsseBundle(bytes, 'bundle', where, key, options.hash)
  if (!checked.ok) return checked
  const {parsed} = checked
  if (options.checkClaims === false) {
    if (parsed.statement.predicateType !== COSIGN_SIGN_PREDICATE_TYPE) {
      return {ok: false, reason: `bundle ${attachment.location}: predicate type ${parsed.statement.predicateType} is not an image signature`}
    }
  } else {
    const claims = checkImageSignatureStatement(parsed.statement, {digest: subject.digest, annotations: options.annotations})
    if (!claims.ok) return {ok: false, reason: `bundle ${attachment.location}: ${claims.reason}`}
  }
  const payload = cosignVerifyOutputEntry(parsed.statement, {reference: image.name})
  return {ok: true, value: {layer, payloadBytes: parsed.envelope.payload, payload}}
}

async function checkLayer(
  store: AttachmentStore,
  subject: AttachmentSubject,
  attachment: StoredAttachment,
  options: VerifyImageOptions,
  verifier: Promise<Verifier>,
): Promise<LayerOutcome> {
  const layer = descriptorOf(attachment)
  if (attachment.format !== 'simple-signing' || layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) {
    return {ok: false, reason: `signature layer ${layer.digest} has media type ${layer.mediaType}, not a simple-signing payload`}
  }
  const encoded = layer.annotations?.[SIGNATURE_ANNOTATION]
  if (encoded === undefined) {
    return {ok: false, reason: `signature layer ${layer.digest} is missing "${SIGNATURE_ANNOTATION}" annotation`}
  }
  const limit = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES
  if (layer.size > limit) {
    return {ok: false, reason: `signature layer ${layer.digest} is ${layer.size} bytes, over the ${limit}-byte limit`}
  }
  const signature = Buffer.from(encoded, 'base64')
  if (signature.length === 0) {
    return {ok: false, reason: `signature layer ${layer.digest} has an empty signature`}
  }
  // A registry fault while reading a blob is a fault, not a bad signature: let it throw.
  const payloadBytes = await store.read(subject, attachment)
  if (!(await verifier).verify(payloadBytes, signature, {hash: options.hash})) {
    return {ok: false, reason: 'invalid signature when validating ASN.1 encoded signature'}
  }
  let payload: SimpleSigningPayload
  try {
    payload = parsePayload(payloadBytes)
  } catch (err) {
    return {ok: false, reason: `signature layer ${layer.digest}: ${(err as Error).message}`}
  }
  if (options.checkClaims !== false) {
    const claims = checkClaims(payload, {manifestDigest: subject.digest, annotations: options.annotations ? {...options.annotations} : undefined})
    if (!claims.ok) return {ok: false, reason: claims.reason}
  }
  return {ok: true, value: {layer, payloadBytes, payload}}
}

/**
 * Verify an image's key-based signatures as `cosign verify --key … --insecure-ignore-tlog`
 * does (spec §6.1). Throws `IMAGE_NOT_FOUND` (tag missing), `NO_SIGNATURES_FOUND` (no `.sig`),
 * `NO_MATCHING_SIGNATURES` (none verify) or a registry error; never reports a fault as unsigned.
 */
export async function verifyImage(image: ImageReference, options: VerifyImageOptions): Promise<VerifyImageResult> {
  return keyErrorsFirst(options.verifier, (verifier) => verifyWith(image, options, verifier))
}

async function verifyWith(image: ImageReference, options: VerifyImageOptions, verifier: Promise<Verifier>): Promise<VerifyImageResult> {
  const {client} = options
  const digest = await resolveForVerification(client, image, {head: options.resolveWithHead})
  const location = signatureLocation(image, digest, options)
  const subject: AttachmentSubject = {registry: image.registry, repository: image.repository, digest}
  const stores = options.stores ?? [
    legacyTagStore({client, signatureRepository: options.signatureRepository, attachmentTagPrefix: options.attachmentTagPrefix, maxPayloadBytes: options.maxPayloadBytes}),
  ]
  // Every store is asked; a fault in any of them is an error, never "unsigned".
  const listed = await listEveryStore(stores, subject, 'signature')
  if (listed.length === 0) {
    throw new SigningError('NO_SIGNATURES_FOUND', 'no signatures found', {details: {signatureLocation: location.name}})
  }

  const outcomes = await mapLimit(listed, options.concurrency ?? 10, ({store, attachment}) =>
    attachment.format === 'sigstore-bundle' ? checkBundle(store, subject, attachment, image, options, verifier) : checkLayer(store, subject, attachment, options, verifier),
  )
  const signatures: VerifiedSignature[] = []
  const rejected: Array<{layer: Descriptor; reason: string}> = []
  outcomes.forEach((o, i) => (o.ok ? signatures.push(o.value) : rejected.push({layer: descriptorOf(listed[i]!.attachment), reason: o.reason})))
  if (signatures.length === 0) {
    // One line, each distinct reason once (twenty layers rejected for one reason say it once).
    const reasons = [...new Set(rejected.map((r) => r.reason))]
    throw new SigningError('NO_MATCHING_SIGNATURES', `no matching signatures: ${reasons.join('; ')}`, {
      details: {signatureLocation: location.name, reasons: rejected.map((r) => r.reason)},
    })
  }
  return {image, digest, signatureLocation: location.name, signatures, rejected}
}
