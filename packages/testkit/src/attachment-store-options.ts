/**
 * What the attachment-store suite is given: the store under test, and a writer backdoor that puts
 * attachments in place the way a real producer would (cosign, `sigil sign`), so the suite checks
 * the store's reads against storage it did not write itself.
 */
import type {AttachmentKind, AttachmentStore, AttachmentSubject, StoredAttachment} from '@sigil/core'

/** How a store keeps attachments: `StoredAttachment['format']`. */
export type AttachmentFormat = StoredAttachment['format']

/**
 * One attachment as its producer made it, tagged by the format it is stored in:
 *
 * - `simple-signing`: a legacy signature, the payload (a layer blob) and its raw signature (the
 *   layer's `dev.cosignproject.cosign/signature` annotation, std base64), as `cosign sign` writes;
 * - `dsse-envelope`: a legacy attestation, the DSSE envelope (a layer blob, media type
 *   `application/vnd.dsse.envelope.v1+json`) and its statement's predicate type (the layer's
 *   `predicateType` annotation), as `cosign attest` writes;
 * - `sigstore-bundle`: a sigstore bundle v0.3 (the blob of an OCI 1.1 referrer manifest) and its
 *   statement's predicate type (the manifest's `dev.sigstore.bundle.predicateType`), as cosign 3 writes.
 */
export type AttachmentItem =
  | {readonly format: 'simple-signing'; readonly payload: Uint8Array; readonly signature: Uint8Array}
  | {readonly format: 'dsse-envelope'; readonly envelope: Uint8Array; readonly predicateType: string}
  | {readonly format: 'sigstore-bundle'; readonly bundle: Uint8Array; readonly predicateType: string}

/**
 * The writer backdoor, implemented by the caller with whatever writes the store's storage (for a
 * registry store: a registry client and `@sigil/core`'s builders), never through the store.
 */
export interface AttachmentStoreBackdoor {
  /**
   * Attach `items` to `subject` as a producer would, after whatever is attached already (a second
   * call is a second signer). `kind` is what the suite will list them as: for legacy tags it picks
   * the tag (`.sig`, `.att`); for sigstore bundles the predicate type decides and `kind` is only
   * informative.
   */
  seed(subject: AttachmentSubject, kind: AttachmentKind, items: readonly AttachmentItem[]): Promise<void>
  /**
   * Make listing `kind` on `subject` fail as corrupt storage would: garbage where the store reads
   * its listing (an index at the `.sig` tag, an image manifest at the `sha256-<hex>` index tag).
   * Omit when the store's listing cannot be corrupted from outside (the referrers API is answered
   * by the registry); the fault test is then skipped.
   */
  breakListing?(subject: AttachmentSubject, kind: AttachmentKind): Promise<void>
}

/** What the suite needs, and the genuine differences between stores, each with its default. */
export interface AttachmentStoreSuiteOptions extends AttachmentStoreBackdoor {
  /** A fresh store for each test (it may share the backing storage with other tests). */
  readonly store: () => AttachmentStore | Promise<AttachmentStore>
  /**
   * A fresh subject nothing is attached to. With `sibling`, another subject in the same
   * repository. The subject must be a real manifest if the backdoor needs one (a referrer names its
   * subject's media type and size). Default: a random `sha256` digest in a random repository
   * `kit/<hex>` on `registry.kit.test`, the sibling a random digest beside it.
   */
  readonly subject?: (sibling?: AttachmentSubject) => Promise<AttachmentSubject>
  /**
   * The kinds the store keeps, each with the one format it lists it in; kinds left out must list
   * nothing. Default `{signature: 'simple-signing', attestation: 'dsse-envelope'}`: cosign's legacy
   * tags. A referrers store: `{signature: 'sigstore-bundle', attestation: 'sigstore-bundle'}`.
   */
  readonly formats?: Readonly<Partial<Record<AttachmentKind, AttachmentFormat>>>
  /**
   * The order `list` returns several attachments in: `'seeded'` (the order they were attached:
   * legacy tags append layers) or `'unspecified'` (compared as sets: a referrers index is sorted by
   * manifest digest). Default `'unspecified'`.
   */
  readonly order?: 'seeded' | 'unspecified'
  /** The `code` of the error `list` rejects with on a broken listing. Default `INVALID_SIGNATURE_MANIFEST`. */
  readonly faultCode?: string
  /** How many writers `add` at once in the concurrency test. Default 6. */
  readonly concurrentWriters?: number
}

/** The default of {@link AttachmentStoreSuiteOptions.formats}: cosign's legacy tags. */
export const LEGACY_ATTACHMENT_FORMATS: Readonly<Partial<Record<AttachmentKind, AttachmentFormat>>> = Object.freeze({
  signature: 'simple-signing',
  attestation: 'dsse-envelope',
})
