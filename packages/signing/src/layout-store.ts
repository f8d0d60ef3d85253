import {
  LAYOUT_KINDS,
  LAYOUT_KIND_ANNOTATION,
  LAYOUT_REF_NAME_ANNOTATION,
  MAX_BUNDLE_BYTES,
  MAX_REFERRER_MANIFEST_BYTES,
  OCI_MANIFEST_MEDIA_TYPE,
  isSigilError,
  parseReferrerManifest,
  parseSignatureManifest,
  signatureTag,
  ATTACHMENT_TAG_SUFFIX,
} from '@sigil/core'
import type {AttachmentKind, AttachmentStore, AttachmentSubject, IndexDescriptor, LayoutIndex, StoredAttachment} from '@sigil/core'
import type {OciLayoutReader} from '@sigil/oci'
import {SigningError} from './error.js'
import {MAX_PAYLOAD_BYTES} from './legacy-tag-store.js'
import {bundleAttachment} from './referrers-store.js'

/** Options of {@link ociLayoutStore}. */
export interface OciLayoutStoreOptions {
  /** The prefix the attachments' tags were saved with (`--attachment-tag-prefix`). Default ''. */
  readonly attachmentTagPrefix?: string
  /** Largest payload read. Default 128 MiB. */
  readonly maxPayloadBytes?: number
}

/** The `kind` annotation of each attachment kind's entries. */
export const LAYOUT_KIND_OF: Readonly<Record<AttachmentKind, string>> = {signature: LAYOUT_KINDS.sigs, attestation: LAYOUT_KINDS.atts, sbom: LAYOUT_KINDS.sboms}

/** The image entry of a layout: the first marked `…/image` or `…/imageIndex`; else the only entry. */
export function layoutImageEntry(index: LayoutIndex): IndexDescriptor | undefined {
  const marked = index.manifests.find((d) => {
    const kind = d.annotations?.[LAYOUT_KIND_ANNOTATION]
    return kind === LAYOUT_KINDS.image || kind === LAYOUT_KINDS.imageIndex
  })
  return marked ?? (index.manifests.length === 1 ? index.manifests[0] : undefined)
}

/**
 * Referrer manifests present in the layout's blobs but not listed in `index.json`: cosign 3.1.1's
 * `save` writes its bundle referrers so. A blob is read only when it is small enough for a
 * manifest and starts as JSON does; what each blob is, is remembered in `seen` (blobs are
 * content-addressed, so it never changes).
 */
export async function unlistedReferrers(
  layout: OciLayoutReader,
  index: LayoutIndex,
  seen: Map<string, {bytes: Uint8Array; subject: string} | null> = new Map(),
): Promise<Array<{digest: string; size: number; bytes: Uint8Array; subject: string}>> {
  const listed = new Set(index.manifests.map((d) => d.digest))
  const out: Array<{digest: string; size: number; bytes: Uint8Array; subject: string}> = []
  for (const blob of await layout.listBlobs()) {
    if (listed.has(blob.digest) || blob.size > MAX_REFERRER_MANIFEST_BYTES) continue
    let known = seen.get(blob.digest)
    if (known === undefined) {
      known = null
      const start = await layout.peekBlob(blob.digest, 1)
      if (start[0] === 0x7b /* { */) {
        const bytes = await layout.readBlob(blob.digest, {size: blob.size, maxBytes: MAX_REFERRER_MANIFEST_BYTES})
        try {
          const manifest = parseReferrerManifest(bytes)
          if (manifest.mediaType === OCI_MANIFEST_MEDIA_TYPE && manifest.subject) known = {bytes, subject: manifest.subject.digest}
        } catch {
          // a config or another JSON blob: not a referrer
        }
      }
      seen.set(blob.digest, known)
    }
    if (known) out.push({digest: blob.digest, size: blob.size, ...known})
  }
  return out
}

/**
 * The attachments kept in an OCI image layout written by `sigil save` or `cosign save`, read
 * with no network at all, for `verify --local-image`. Legacy attachments are the entries marked
 * `kind` = `dev.cosignproject.cosign/sigs|atts|sboms`: those naming their tag
 * (`org.opencontainers.image.ref.name` = `sha256-<hex>.sig`) belong to that digest, those naming
 * none (cosign's) to the layout's image. Bundles are the referrer manifests listed in
 * `index.json` whose `subject` is the digest, and those cosign 3.1.1 leaves unlisted (found among
 * the blobs). Every blob read is checked against its digest.
 * Read-only: it has no `add` or `delete`.
 */
export function ociLayoutStore(layout: OciLayoutReader, options: OciLayoutStoreOptions = {}): AttachmentStore {
  const limit = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES
  const manifestOf = (entry: IndexDescriptor) => layout.readBlob(entry.digest, {size: entry.size, maxBytes: MAX_REFERRER_MANIFEST_BYTES})

  async function legacy(index: LayoutIndex, subject: AttachmentSubject, kind: AttachmentKind): Promise<StoredAttachment[]> {
    const tag = signatureTag(subject.digest, ATTACHMENT_TAG_SUFFIX[kind], options.attachmentTagPrefix ?? '')
    const image = layoutImageEntry(index)
    const entries = index.manifests.filter((d) => {
      if (d.annotations?.[LAYOUT_KIND_ANNOTATION] !== LAYOUT_KIND_OF[kind]) return false
      const ref = d.annotations[LAYOUT_REF_NAME_ANNOTATION]
      return ref === undefined ? image?.digest === subject.digest : ref === tag
    })
    const out: StoredAttachment[] = []
    for (const entry of entries) {
      const location = `${layout.dir}:${tag}`
      let layers
      try {
        layers = parseSignatureManifest(await manifestOf(entry)).layers
      } catch (err) {
        if (isSigilError(err) && err.code !== 'INVALID_LAYOUT') throw new SigningError('INVALID_SIGNATURE_MANIFEST', `${location}: ${err.message}`, {cause: err})
        throw err
      }
      for (const layer of layers) {
        out.push({
          kind,
          format: kind === 'attestation' ? 'dsse-envelope' : 'simple-signing',
          location,
          digest: layer.digest,
          mediaType: layer.mediaType,
          size: layer.size,
          ...(layer.annotations ? {annotations: layer.annotations} : {}),
        })
      }
    }
    return out
  }

  const seen = new Map<string, {bytes: Uint8Array; subject: string} | null>()
  async function bundles(index: LayoutIndex, subject: AttachmentSubject, kind: AttachmentKind): Promise<StoredAttachment[]> {
    const out: StoredAttachment[] = []
    for (const unlisted of await unlistedReferrers(layout, index, seen)) {
      if (unlisted.subject !== subject.digest) continue
      const found = bundleAttachment(kind, `${layout.dir}@${unlisted.digest}`, unlisted.bytes)
      if (found) out.push(found)
    }
    for (const entry of index.manifests) {
      if (entry.annotations?.[LAYOUT_KIND_ANNOTATION] !== undefined || entry.mediaType !== OCI_MANIFEST_MEDIA_TYPE) continue
      const bytes = await manifestOf(entry)
      let referrer
      try {
        referrer = parseReferrerManifest(bytes)
      } catch {
        continue // not a manifest we can read: never a signature
      }
      if (referrer.subject?.digest !== subject.digest) continue
      const found = bundleAttachment(kind, `${layout.dir}@${entry.digest}`, bytes)
      if (found) out.push(found)
    }
    return out
  }

  return {
    name: 'oci-layout',

    async list(subject, kind) {
      const index = await layout.index()
      return [...(await legacy(index, subject, kind)), ...(await bundles(index, subject, kind))]
    },

    read(_subject, attachment) {
      const max = attachment.format === 'sigstore-bundle' ? MAX_BUNDLE_BYTES : limit
      if (attachment.size > max) {
        return Promise.reject(new SigningError('INVALID_PAYLOAD', `${attachment.location}: ${attachment.digest} is ${attachment.size} bytes, over the ${max}-byte limit`))
      }
      return layout.readBlob(attachment.digest, {size: attachment.size, maxBytes: max})
    },
  }
}
