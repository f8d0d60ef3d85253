/** `copy`'s referrers: pushed by digest at the destination, and listed in its `sha256-<hex>` index when it has no referrers API. */
import {
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
  COSIGN_SIGN_PREDICATE_TYPE,
  parseReferrerManifest,
  parseReferrersIndex,
  referrersIndexEntry,
  referrersTag,
  sigstoreBundleLayer,
} from '@sigil/core'
import type {AttachmentKind, IndexDescriptor} from '@sigil/core'
import type {RegistryClient, RepositoryRef} from '@sigil/oci'
import type {BlobCopier} from './copy-blobs.js'
import type {ReadWrite} from './copy-legacy-tags.js'
import type {CopiedAttachment, CopyImageOptions} from './copy.js'
import {at, blobsOf, mediaTypeOf, resolveIfExists} from './copy-manifests.js'
import {SigningError} from './error.js'
import {isIndexMediaType} from './recursive.js'
import type {ReferrersApiMemory} from './referrers-store.js'
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

/** The referrers of `subject` at `repo`: from the referrers API, else the fallback index. */
async function referrersAt(client: RegistryClient, repo: RepositoryRef, subject: string, memory: ReferrersApiMemory | undefined): Promise<{entries: readonly IndexDescriptor[]; location: string} | undefined> {
  const known = memory?.get(repo.registry)
  if (known !== false) {
    const answer = await client.getReferrers(repo, subject)
    if (known === undefined) memory?.set(repo.registry, answer !== undefined)
    if (answer) return {entries: readIndex(answer.bytes, `${repo.registry}/${repo.repository}/referrers/${subject}`), location: `${repo.registry}/${repo.repository}/referrers/${subject}`}
  }
  const tag = referrersTag(subject)
  const fallback = await client.getManifestIfExists(repo, tag)
  // cosign 2's copy tags each copied manifest `sha256-<hex>`: the image itself, no index.
  if (!fallback || fallback.digest === subject) return undefined
  return {entries: readIndex(fallback.bytes, at(repo, tag)), location: at(repo, tag)}
}

function readIndex(bytes: Uint8Array, where: string): readonly IndexDescriptor[] {
  try {
    return parseReferrersIndex(bytes).manifests
  } catch (err) {
    throw new SigningError('INVALID_SIGNATURE_MANIFEST', `${where}: ${(err as Error).message}`, {cause: err})
  }
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
  const listed = await referrersAt(client, src, subject, options.memory)
  if (!listed) return {attachments: []}
  let pushed = 0
  let indexed = false
  const copied = await mapLimit(listed.entries, limit, async (entry) => {
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
