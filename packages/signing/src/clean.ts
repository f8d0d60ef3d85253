import {SigilError, isSigilError} from '@sigil/core'
import type {AttachmentKind, AttachmentStore, ImageReference} from '@sigil/core'
import type {RegistryClient} from '@sigil/oci'
import {resolveExisting} from './resolve.js'

/** Options of {@link cleanAttachments}. */
export interface CleanAttachmentsOptions {
  readonly client: RegistryClient
  /** Where attachments are removed from (the legacy tags, cosign 3's referrers). */
  readonly stores: readonly AttachmentStore[]
  readonly kinds: readonly AttachmentKind[]
  /** Told after each removal, as it happens. */
  readonly onRemoved?: (removed: CleanedLocation) => void
}

/** One place emptied: a `.sig`/`.att`/`.sbom` tag, or one referrer. */
export interface CleanedLocation {
  readonly kind: AttachmentKind
  readonly store: string
  readonly location: string
}

/** What {@link cleanAttachments} did. */
export interface CleanAttachmentsResult {
  readonly digest: string
  readonly removed: readonly CleanedLocation[]
}

/** The registry said it does not delete manifests (distribution without `delete: enabled`: 405 UNSUPPORTED). */
function deletesRefused(err: unknown): boolean {
  const details = (err as {details?: {status?: number; registryErrors?: Array<{code?: string}>}})?.details
  return details?.status === 405 || (details?.registryErrors ?? []).some((e) => e.code === 'UNSUPPORTED')
}

/**
 * Remove the attachments of `kinds` from an image, in every store: a legacy tag's manifest is
 * deleted by digest (as `cosign clean`), each referrer is deleted and dropped from the
 * `sha256-<hex>` index tag. One place at a time; on a failure the error says what had already
 * been removed, and nothing after it is touched.
 */
export async function cleanAttachments(image: ImageReference, options: CleanAttachmentsOptions): Promise<CleanAttachmentsResult> {
  const digest = await resolveExisting(options.client, image)
  const subject = {registry: image.registry, repository: image.repository, digest}
  const removed: CleanedLocation[] = []
  const done = (entry: CleanedLocation) => {
    removed.push(entry)
    options.onRemoved?.(entry)
  }
  let current = ''
  try {
    for (const kind of options.kinds) {
      for (const store of options.stores) {
        current = `the ${kind}s in ${store.name}`
        if (store.clear) {
          const location = await store.clear(subject, kind)
          if (location !== undefined) done({kind, store: store.name, location})
          continue
        }
        if (!store.delete) continue
        for (const attachment of await store.list(subject, kind)) {
          current = attachment.location
          if (await store.delete(subject, attachment)) done({kind, store: store.name, location: attachment.location})
        }
      }
    }
  } catch (err) {
    const before = removed.length === 0 ? 'nothing was removed' : `removed before that: ${removed.map((r) => r.location).join(', ')}`
    if (deletesRefused(err)) {
      throw new SigilError('REGISTRY_ERROR', `the registry refuses to delete ${current}: deletion is disabled on it (${(err as Error).message}); ${before}`, {cause: err})
    }
    if (removed.length === 0) throw err
    throw new SigilError(isSigilError(err) ? err.code : 'REGISTRY_ERROR', `${(err as Error).message}; ${before}`, {cause: err, details: {removed}})
  }
  return {digest, removed}
}
