/**
 * `copy SRC DST` (cosign 2.5's `copy`, which cosign 3 removed): an image — an index with every
 * manifest it lists, nested ones too, and every blob — and what is attached to each of its
 * digests, in both storage formats, into another repository or registry.
 *
 * Order, so an interrupted copy never looks complete and a rerun finishes it: blobs, then
 * manifests by digest (children before the index listing them), then the attachments, then the
 * destination tag. Attachments are merged into what the destination already has, never
 * replacing it: `.sig`/`.att`/`.sbom` layers are added to the tag's manifest, and on a registry
 * without the referrers API the `sha256-<hex>` fallback index is rewritten for the destination
 * (its entries are the referrers just copied there, added to the entries already listed).
 */
import {SigilError, ATTACHMENT_KINDS} from '@sigil/core'
import type {AttachmentKind, ImageReference} from '@sigil/core'
import type {RegistryClient, RepositoryRef} from '@sigil/oci'
import {blobCopier} from './copy-blobs.js'
import {copyLegacyTag} from './copy-legacy-tags.js'
import {at, blobsOf, fetchOrNotFound, forPlatform, mediaTypeOf, putIfMissing, resolveIfExists, walk} from './copy-manifests.js'
import {copyReferrers} from './copy-referrers.js'
import {SigningError} from './error.js'
import {isIndexMediaType} from './recursive.js'
import type {ReferrersApiMemory} from './referrers-store.js'
import {mapLimit} from './map-limit.js'


/** Options of {@link copyImage}. */
export interface CopyImageOptions {
  readonly client: RegistryClient
  /**
   * cosign's `--only`: copy only these kinds of attachment, and leave the destination tag alone.
   * The image's manifests and blobs are still copied by digest (as cosign 2.5 does), since an
   * attachment needs its subject. Default: the image, its tag and every attachment.
   */
  readonly only?: readonly AttachmentKind[]
  /** Point the destination tag at the copy even when it names another manifest (`-f`). Default false: that is an error. */
  readonly force?: boolean
  /** Copy one platform (`os/arch[/variant]`) of an index: that manifest becomes the copy. */
  readonly platform?: string
  /** Prefix of the legacy tags (`--attachment-tag-prefix`), at both ends. Default ''. */
  readonly attachmentTagPrefix?: string
  /** Whether the destination registry serves the referrers API, as its adapter declares. Default: `memory`, else what it answers. */
  readonly referrersApi?: boolean
  readonly memory?: ReferrersApiMemory
  /** Blobs and referrers copied at once. Default 4. */
  readonly concurrency?: number
  /** Bound on read-modify-write rounds of a shared tag under concurrent writers. Default 6. */
  readonly maxRounds?: number
  /** Least pause before reading a shared tag back, in ms. Default 25. */
  readonly settleMs?: number
  readonly onEvent?: (event: CopyEvent) => void
}

/** What {@link copyImage} reports as it goes. */
export type CopyEvent =
  /** The image walked: its manifests, and its distinct blobs with their total size. */
  | {readonly kind: 'resolved'; readonly digest: string; readonly manifests: number; readonly blobs: number; readonly bytes: number}
  /** Blobs done of those known so far, and the bytes moved through this process (mounts move none). */
  | {readonly kind: 'progress'; readonly done: number; readonly total: number; readonly bytes: number}
  /** Something is about to be written at the destination. */
  | {readonly kind: 'write'; readonly location: string}

/** One attachment found at the source. */
export interface CopiedAttachment {
  /** `other`: a referrer that is none of the three (copied unless `only` is given). */
  readonly kind: AttachmentKind | 'other'
  readonly format: 'legacy-tag' | 'referrer'
  /** Digest of the manifest it is attached to. */
  readonly subject: string
  readonly source: string
  readonly destination: string
  /** False when the destination had it already. */
  readonly written: boolean
}

/** What {@link copyImage} did. */
export interface CopyImageResult {
  /** `registry/repository@digest` of what was copied. */
  readonly source: string
  readonly destination: string
  readonly digest: string
  /** Every manifest of the image, children before the index listing them. */
  readonly manifests: ReadonlyArray<{readonly digest: string; readonly mediaType: string; readonly platform?: string; readonly written: boolean}>
  readonly blobs: {readonly total: number; readonly present: number; readonly mounted: number; readonly uploaded: number; readonly bytes: number}
  readonly attachments: readonly CopiedAttachment[]
  /** Fallback indexes (`sha256-<hex>`) written at the destination, with the entries added. */
  readonly referrersIndexes: ReadonlyArray<{readonly location: string; readonly added: number}>
  /** The destination tag, unless `only` was given or the destination names a digest. */
  readonly tag?: {readonly name: string; readonly written: boolean}
}


const KINDS = ATTACHMENT_KINDS
const repoOf = (r: RepositoryRef): RepositoryRef => ({registry: r.registry, repository: r.repository})

/**
 * Copy `source` and its attachments to `destination` (see the file comment for the order and
 * the merge rules). Throws `IMAGE_NOT_FOUND` when the source (or the platform asked for) is not
 * there, `DESTINATION_EXISTS` when the destination tag names another manifest and `force` is
 * not set (checked before anything is written), registry errors as they come. Running it again
 * writes nothing.
 */
export async function copyImage(source: ImageReference, destination: ImageReference, options: CopyImageOptions): Promise<CopyImageResult> {
  const {client} = options
  const src = repoOf(source)
  const dst = repoOf(destination)
  const only = options.only !== undefined && options.only.length > 0 ? new Set(options.only) : undefined
  const limit = Math.max(1, options.concurrency ?? 4)
  const emit = options.onEvent ?? (() => {})

  let top = await fetchOrNotFound(client, src, source.digest ?? source.tag ?? 'latest', `image tag not found: ${source.name}`)
  let topPlatform: string | undefined
  if (options.platform !== undefined) ({manifest: top, platform: topPlatform} = await forPlatform(client, src, top, options.platform, source.name))
  if (destination.digest !== undefined && destination.digest !== top.digest) {
    throw new SigilError('INVALID_ARGUMENT', `the destination ${destination.name} names another digest than the source's (${top.digest}); name a tag, or the same digest`)
  }
  const dstTag = only !== undefined || destination.digest !== undefined ? undefined : (destination.tag ?? 'latest')
  let tagDigest: string | undefined
  if (dstTag !== undefined) {
    tagDigest = (await resolveIfExists(client, dst, dstTag))?.digest
    if (tagDigest !== undefined && tagDigest !== top.digest && !options.force) {
      throw new SigningError('DESTINATION_EXISTS', `${destination.name} already exists and names ${tagDigest}, not ${top.digest}; use -f (--force) to overwrite it`)
    }
  }

  const manifests = await walk(client, src, top, topPlatform, limit, source.name)
  const blobs = blobCopier(client, src, dst, limit, emit)
  const imageBlobs = manifests.filter((m) => !isIndexMediaType(m.mediaType)).flatMap((m) => blobsOf(m.bytes, at(src, m.digest)))
  const distinct = new Map(imageBlobs.map((b) => [b.digest, b.size]))
  emit({kind: 'resolved', digest: top.digest, manifests: manifests.length, blobs: distinct.size, bytes: [...distinct.values()].reduce((x, y) => x + y, 0)})
  await blobs.copy(imageBlobs)

  // Children first: a registry may refuse an index whose manifests it does not have.
  const pushedNow = new Set<string>()
  for (let height = 0; height <= Math.max(...manifests.map((m) => m.height)); height++) {
    await mapLimit(
      manifests.filter((m) => m.height === height),
      limit,
      async (m) => (await putIfMissing(client, dst, m, emit)) && pushedNow.add(m.digest),
    )
  }
  const written = manifests.map((m) => ({digest: m.digest, mediaType: m.mediaType, ...(m.platform && {platform: m.platform}), written: pushedNow.has(m.digest)}))

  const rw = {client, maxRounds: options.maxRounds ?? 6, settleMs: options.settleMs, force: options.force ?? false, emit}
  // Each manifest's tags and referrers are apart from every other's: several at once.
  const perManifest = await mapLimit(manifests, limit, async (m) => {
    const kinds = KINDS.filter((kind) => only === undefined || only.has(kind))
    const [legacy, referrers] = await Promise.all([
      Promise.all(kinds.map((kind) => copyLegacyTag(rw, src, dst, m.digest, kind, options.attachmentTagPrefix ?? '', blobs))),
      copyReferrers(rw, src, dst, m.digest, only, limit, blobs, options),
    ])
    return {attachments: [...legacy.filter((a) => a !== undefined), ...referrers.attachments], index: referrers.index}
  })
  const attachments = perManifest.flatMap((p) => p.attachments)
  const referrersIndexes = perManifest.flatMap((p) => (p.index ? [p.index] : []))

  let tag: CopyImageResult['tag']
  if (dstTag !== undefined) {
    const name = at(dst, dstTag)
    if (tagDigest === top.digest) {
      tag = {name, written: false}
    } else {
      emit({kind: 'write', location: name})
      await client.putManifest(dst, dstTag, top.bytes, mediaTypeOf(top))
      tag = {name, written: true}
    }
  }
  return {
    source: `${src.registry}/${src.repository}@${top.digest}`,
    destination: destination.digest !== undefined || dstTag === undefined ? `${dst.registry}/${dst.repository}@${top.digest}` : at(dst, dstTag),
    digest: top.digest,
    manifests: written,
    blobs: blobs.stats(),
    attachments,
    referrersIndexes,
    ...(tag && {tag}),
  }
}

