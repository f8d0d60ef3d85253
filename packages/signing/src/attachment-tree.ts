import {ATTACHMENT_KINDS} from '@sigil/core'
import type {AttachmentKind, AttachmentStore, ImageReference} from '@sigil/core'
import type {RegistryClient} from '@sigil/oci'
import {legacyTagStore} from './legacy-tag-store.js'
import {resolveForVerification} from './resolve.js'
import type {SignatureLocationOptions} from './signature-location.js'

/** Options of {@link attachmentTree}. */
export interface AttachmentTreeOptions extends SignatureLocationOptions {
  readonly client: RegistryClient
  /** Where attachments are looked for. Default: cosign's legacy tags ({@link legacyTagStore}). */
  readonly stores?: readonly AttachmentStore[]
}

/** One place attachments of one kind are kept (a `.sig` tag, a referrer manifest). */
export interface AttachmentBranch {
  readonly kind: AttachmentKind
  /** `registry/repo:sha256-<hex>.sig`, `registry/repo@sha256:<referrer>`. */
  readonly location: string
  /** One per signature, attestation or SBOM there, in the order stored. */
  readonly layers: ReadonlyArray<{readonly digest: string; readonly mediaType: string; readonly size: number}>
  /** A referrer's predicate type (cosign 3 bundles record it in the manifest's annotations). */
  readonly predicateType?: string
}

/** What {@link attachmentTree} found. */
export interface AttachmentTree {
  readonly digest: string
  /**
   * Only the kinds present: the legacy tags first (signatures, attestations, SBOMs), then the
   * referrers in the same kind order.
   */
  readonly branches: readonly AttachmentBranch[]
}

const KINDS = ATTACHMENT_KINDS

/**
 * The signatures, attestations and SBOMs attached to an image, from every store (cosign's
 * legacy tags, cosign 3's referrers), read at once. None of a kind is an empty list; a registry
 * fault, or a listing that is not what it should be, is an error, never "nothing attached".
 */
export async function attachmentTree(image: ImageReference, options: AttachmentTreeOptions): Promise<AttachmentTree> {
  const digest = await resolveForVerification(options.client, image)
  const stores = options.stores ?? [legacyTagStore(options)]
  const subject = {registry: image.registry, repository: image.repository, digest}
  // A store that keeps every kind in one place (the referrers index) is read once for all of them.
  const byStore = await Promise.all(stores.map((store) => store.listKinds?.(subject, KINDS) ?? Promise.all(KINDS.map((kind) => store.list(subject, kind)))))
  const listed = KINDS.flatMap((kind, k) => byStore.map((lists) => ({kind, items: lists[k]!})))
  const branches: AttachmentBranch[] = []
  for (const {kind, items} of listed) {
    const byLocation = new Map<string, {layers: AttachmentBranch['layers'][number][]; predicateType?: string}>()
    for (const a of items) {
      const branch = byLocation.get(a.location) ?? {layers: [], ...(a.predicateType === undefined ? {} : {predicateType: a.predicateType})}
      branch.layers.push({digest: a.digest, mediaType: a.mediaType, size: a.size})
      byLocation.set(a.location, branch)
    }
    for (const [location, branch] of byLocation) branches.push({kind, location, ...branch})
  }
  // Tags before referrers (as cosign 3 prints them); the sort is stable, so kinds keep their order.
  branches.sort((a, b) => Number(isReferrer(a)) - Number(isReferrer(b)))
  return {digest, branches}
}

/** A referrer is named by digest (`repo@sha256:…`), a legacy attachment by tag. */
function isReferrer(branch: AttachmentBranch): boolean {
  return branch.location.includes('@')
}
