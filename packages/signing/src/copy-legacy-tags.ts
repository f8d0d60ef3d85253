/** `copy`'s legacy attachments: a `.sig`/`.att`/`.sbom` tag merged into the destination's. */
import {signatureTag, ATTACHMENT_TAG_SUFFIX} from '@sigil/core'
import type {AttachmentKind} from '@sigil/core'
import type {RegistryClient, RepositoryRef} from '@sigil/oci'
import type {BlobCopier} from './copy-blobs.js'
import type {CopiedAttachment, CopyEvent} from './copy.js'
import {at} from './copy-manifests.js'
import {SigningError} from './error.js'
import {mergeIntoLegacyTag, readSignatureManifest} from './legacy-tag-write.js'

const SUFFIX = ATTACHMENT_TAG_SUFFIX

/** What the attachment copiers share: the client, the bounds of a read-modify-write, `force`, events. */
export interface ReadWrite {
  readonly client: RegistryClient
  readonly maxRounds: number
  readonly settleMs?: number
  readonly force: boolean
  readonly emit: (e: CopyEvent) => void
}

/**
 * The `.sig`/`.att`/`.sbom` tag of `subject` at `dst`, holding every layer the source's has:
 * the source's manifest as is when `dst` has none, else the destination's with the missing
 * layers appended (a read-modify-write read back like the legacy store's `add`).
 */
export async function copyLegacyTag(
  rw: ReadWrite,
  src: RepositoryRef,
  dst: RepositoryRef,
  subject: string,
  kind: AttachmentKind,
  prefix: string,
  blobs: BlobCopier,
): Promise<CopiedAttachment | undefined> {
  const {client} = rw
  const tag = signatureTag(subject, SUFFIX[kind], prefix)
  const found = await client.getManifestIfExists(src, tag)
  if (!found) return undefined
  const source = at(src, tag)
  const destination = at(dst, tag)
  const parsed = readSignatureManifest(found.bytes, source)
  const result = (written: boolean): CopiedAttachment => ({kind, format: 'legacy-tag', subject, source, destination, written})
  // The destination's tag is read first: the same manifest there needs no blob checked.
  const first = await client.getManifestIfExists(dst, tag)
  if (first?.digest === found.digest) return result(false)
  await blobs.copy([parsed.config, ...parsed.layers])
  const written = await mergeIntoLegacyTag(rw, dst, tag, {bytes: found.bytes, digest: found.digest, parsed}, {
    location: destination,
    first: {manifest: first},
    unreadable: (err) => {
      if (!rw.force) throw new SigningError('INVALID_SIGNATURE_MANIFEST', `${err.message}; refusing to overwrite it (use -f to replace it with the source's)`, {cause: err})
    },
    onWrite: () => rw.emit({kind: 'write', location: destination}),
    lost: `${rw.maxRounds} attempts to add ${source}'s layers to ${destination} lost to concurrent writers; copy again`,
  })
  return result(written)
}
