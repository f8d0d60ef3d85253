import {buildAttestationStatement, buildDsseEnvelope, parseDigest} from '@sigil/core'
import type {AttachmentStore, ImageReference, Signer} from '@sigil/core'
import type {RegistryClient} from '@sigil/oci'
import {legacyTagStore} from './legacy-tag-store.js'
import {resolveForSigning} from './resolve.js'
import {referrersStore} from './referrers-store.js'
import type {ReferrersApiMemory} from './referrers-store.js'
import {pushStatementBundle} from './sign-bundle.js'
import type {SignEvent} from './sign-image.js'
import {signStatement} from './sign-statement.js'
import {signatureLocation} from './signature-location.js'
import type {SignatureLocationOptions} from './signature-location.js'

/** Options of {@link attestImage}. */
export interface AttestImageOptions extends SignatureLocationOptions {
  readonly client: RegistryClient
  /** The signer, or a promise of it (unlocked while the image is resolved). */
  readonly signer: Signer | Promise<Signer>
  /** The statement's predicate type and predicate, as `attestationPredicate` makes them from `--type` and the file. */
  readonly predicateType: string
  readonly predicate: Record<string, unknown> | string
  /** `'legacy'` (default): a layer of the `.att` tag; `'bundle'`: cosign 3's sigstore-bundle referrer. */
  readonly format?: 'legacy' | 'bundle'
  /** Drop earlier attestations of the same predicate type (`--replace`). Default false. */
  readonly replace?: boolean
  /** Only sign; push nothing (`--no-upload`, legacy format). Default true. */
  readonly upload?: boolean
  /** Bundle format: see `SignImageBundleOptions.referrersApi`. */
  readonly referrersApi?: boolean
  readonly memory?: ReferrersApiMemory
  /** Write Docker schema 2 media types for a new `.att` manifest. Default false (OCI). */
  readonly dockerMediaTypes?: boolean
  readonly onEvent?: (event: SignEvent) => void
  /** Where the attestation goes. Default: the legacy tag store, or the referrers store for `'bundle'`. */
  readonly store?: AttachmentStore
}

/** What {@link attestImage} did. */
export interface AttestImageResult {
  readonly image: ImageReference
  readonly digest: string
  /** `registry/repo:sha256-<hex>.att`, or the referrer `registry/repo@sha256:…`. */
  readonly location: string
  /** The signed statement. */
  readonly statement: Uint8Array
  /** The legacy envelope JSON (legacy format), or the bundle (bundle format). */
  readonly envelope?: Uint8Array
  readonly bundle?: Uint8Array
  /** False when an identical attestation was already there. */
  readonly added: boolean
  /** How many earlier attestations `replace` removed (bundle format; legacy ones go in the same write). */
  readonly replaced?: number
}

/**
 * Attest one image as `cosign attest --key` does: an in-toto v0.1 statement whose subject is the
 * image's repository and digest, signed into a DSSE envelope, stored as a layer of the `.att` tag
 * (lossless and deduplicated under concurrent writers) or, in the bundle format, as a sigstore
 * bundle referrer with the predicate type annotation.
 */
export async function attestImage(image: ImageReference, options: AttestImageOptions): Promise<AttestImageResult> {
  const {client, predicateType, predicate} = options
  const statementFor = (digest: string, name: string) => {
    const {algorithm, hex} = parseDigest(digest)
    return buildAttestationStatement({subjects: [{name, digest: {[algorithm]: hex}}], predicateType, predicate})
  }
  if (options.format === 'bundle') {
    const store =
      options.store ??
      referrersStore({
        client,
        ...(options.signatureRepository ? {signatureRepository: options.signatureRepository} : {}),
        ...(options.referrersApi === undefined ? {} : {referrersApi: options.referrersApi}),
        ...(options.memory ? {memory: options.memory} : {}),
      })
    const pushed = await pushStatementBundle(image, {client, signer: options.signer, store, ...(options.onEvent ? {onEvent: options.onEvent} : {})}, {
      kind: 'attestation',
      predicateType,
      statement: statementFor,
    })
    let replaced = 0
    if (options.replace) {
      const subject = {registry: image.registry, repository: image.repository, digest: pushed.digest}
      for (const old of await store.list(subject, 'attestation')) {
        if (old.location !== pushed.referrer && old.predicateType === predicateType && (await store.delete!(subject, old))) replaced++
      }
    }
    return {image, digest: pushed.digest, location: pushed.referrer, statement: statementFor(pushed.digest, image.repositoryName), bundle: pushed.bundle, added: true, replaced}
  }

  const digest = await resolveForSigning(client, image)
  options.onEvent?.({kind: 'resolved', image, digest, fromTag: image.digest === undefined})
  const statement = statementFor(digest, image.repositoryName)
  const signing = signStatement(options.signer, statement).then((e) => buildDsseEnvelope(e))
  signing.catch(() => {}) // awaited below, on every path
  const attLocation = signatureLocation(image, digest, options, 'att').name
  if (options.upload === false) return {image, digest, location: attLocation, statement, envelope: await signing, added: false}
  const store =
    options.store ??
    legacyTagStore({
      client,
      signatureRepository: options.signatureRepository,
      attachmentTagPrefix: options.attachmentTagPrefix,
      dockerMediaTypes: options.dockerMediaTypes,
    })
  const added = await store.add!(
    {registry: image.registry, repository: image.repository, digest},
    {kind: 'attestation', format: 'dsse-envelope', envelope: signing, predicateType},
    {
      onWrite: (where) => options.onEvent?.({kind: 'pushing', location: where}),
      ...(options.replace ? {replace: (l) => l.annotations?.predicateType === predicateType} : {}),
    },
  )
  if (!added.added) options.onEvent?.({kind: 'duplicate', location: added.location})
  return {image, digest, location: added.location, statement, envelope: await signing, added: added.added}
}
