/** `copy`'s referrers: pushed by digest at the destination, and listed in its `sha256-<hex>` index when it has no referrers API. */
import {
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
  COSIGN_SIGN_PREDICATE_TYPE,
  parseReferrerManifest,
  referrersIndexEntry,
  sigstoreBundleLayer,
} from '@sigil/core'
import type {AttachmentKind, IndexDescriptor} from '@sigil/core'
import type {RepositoryRef} from '@sigil/oci'
import type {BlobCopier} from './copy-blobs.js'
import type {ReadWrite} from './copy-legacy-tags.js'
import type {CopiedAttachment, CopyImageOptions} from './copy.js'
import {at, blobsOf, mediaTypeOf, resolveIfExists} from './copy-manifests.js'
import {SigningError} from './error.js'
import {isIndexMediaType} from './recursive.js'
import {findReferrers} from './referrers-store.js'
import {mergeIntoReferrersIndex, referrersIndexLocation} from './referrers-index-write.js'
import {mapLimit} from './map-limit.js'

/** A referrer's kind: a bundle by its predicate type, an SBOM by its artifact type, else `other`. */
function referrerKind(bytes: Uint8Array): AttachmentKind | 'other' {
  let manifest
  try {
    manifest = parseReferrerManifest(bytes)
  } catch {
    return 'other'
  }
  if (sigstoreBundleLayer(manifest)) {
    const predicateType = manifest.annotations?.[BUNDLE_PREDICATE_TYPE_ANNOTATION]
    return predicateType === undefined || predicateType === COSIGN_SIGN_PREDICATE_TYPE ? 'signature' : 'attestation'
  }
  return /spdx|cyclonedx|sbom/i.test(manifest.artifactType ?? manifest.config.mediaType) ? 'sbom' : 'other'
}

/**
 * Every referrer of `subject` (of the kinds in `only`, when given) pushed by digest to `dst`,
 * its blobs first; then, unless `dst` serves the referrers API, its `sha256-<hex>` index made
 * to list them too, merged with what it lists already ({@link mergeIntoReferrersIndex}, as the store's add).
 */
export async function copyReferrers(
  rw: ReadWrite,
  src: RepositoryRef,
  dst: RepositoryRef,
  subject: string,
  only: ReadonlySet<AttachmentKind> | undefined,
  limit: number,
  blobs: BlobCopier,
  options: CopyImageOptions,
): Promise<{attachments: CopiedAttachment[]; index?: {location: string; added: number}}> {
  const {client} = rw
  // Every referrer (signatures, attestations, SBOMs…), the API asked with the memory only: `referrersApi` is the destination's.
  const listed = await findReferrers(client, src, subject, {memory: options.memory, subjectTagIsNoIndex: true})
  if (!listed) return {attachments: []}
  let pushed = 0
  let indexed = false
  const copied = await mapLimit(listed.manifests, limit, async (entry) => {
    const fetched = await client.getManifestIfExists(src, entry.digest)
    if (!fetched) return undefined // deleted since it was listed: nothing to copy, nothing to list
    const kind = referrerKind(fetched.bytes)
    if (only !== undefined && (kind === 'other' || !only.has(kind))) return undefined
    if (isIndexMediaType(fetched.mediaType)) return undefined // an index as a referrer: not something cosign writes; left out
    await blobs.copy(blobsOf(fetched.bytes, at(src, entry.digest)))
    let written = false
    if ((await resolveIfExists(client, dst, entry.digest)) === undefined) {
      rw.emit({kind: 'write', location: at(dst, entry.digest)})
      const put = await client.putManifest(dst, entry.digest, fetched.bytes, mediaTypeOf(fetched))
      pushed++
      if (put.ociSubject !== undefined) indexed = true
      written = true
    }
    let descriptor: IndexDescriptor = entry
    try {
      descriptor = referrersIndexEntry(fetched.bytes)
    } catch {
      // Not an OCI image manifest: listed as the source listed it.
    }
    const attachment: CopiedAttachment = {kind, format: 'referrer', subject, source: at(src, entry.digest), destination: at(dst, entry.digest), written}
    return {attachment, descriptor}
  })
  const items = copied.filter((c) => c !== undefined)
  if (items.length === 0) return {attachments: []}
  if (indexed) options.memory?.set(dst.registry, true)
  let api = options.referrersApi ?? (pushed > 0 ? indexed : options.memory?.get(dst.registry))
  if (api === undefined) {
    api = (await client.getReferrers(dst, subject)) !== undefined
    options.memory?.set(dst.registry, api)
  }
  const attachments = items.map((i) => i.attachment)
  if (api) return {attachments}
  const {index, added} = await mergeIntoReferrersIndex(rw, dst, subject, items.map((i) => i.descriptor), {
    unreadable: (err) => {
      if (!rw.force) throw new SigningError('INVALID_SIGNATURE_MANIFEST', `${err.message} (use -f to replace it)`, {cause: err.cause})
    },
    onWrite: () => rw.emit({kind: 'write', location: referrersIndexLocation(dst, subject)}),
    lost: `${rw.maxRounds} attempts to list the copied referrers in ${referrersIndexLocation(dst, subject)} lost to concurrent writers; copy again`,
  })
  return {attachments, ...(added > 0 && {index: {location: index, added}})}
}
