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
import {
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
  COSIGN_SIGN_PREDICATE_TYPE,
  DOCKER_CONFIG_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  OCI_CONFIG_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  SIGNATURE_ANNOTATION,
  SigilError,
  addToReferrersIndex,
  buildSignatureConfig,
  buildSignatureManifest,
  isDigestSyntax,
  isSigilError,
  parseReferrerManifest,
  parseReferrersIndex,
  parseSignatureManifest,
  referrersIndexEntry,
  referrersTag,
  sha256Digest,
  sigstoreBundleLayer,
  signatureTag,
} from '@sigil/core'
import type {AttachmentKind, Descriptor, ImageReference, IndexDescriptor, SignatureManifest} from '@sigil/core'
import type {FetchedManifest, RegistryClient, RepositoryRef} from '@sigil/oci'
import {SigningError} from './error.js'
import {MAX_INDEX_DEPTH, indexChildren, isIndexMediaType, platformString} from './recursive.js'
import type {ReferrersApiMemory} from './referrers-store.js'
import {readBack, settleDelay, sleep} from './settle.js'
import {mapLimit} from './verify-image.js'

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

interface ManifestNode {
  readonly digest: string
  readonly mediaType: string
  readonly bytes: Uint8Array
  readonly height: number
  readonly platform?: string
}

/**
 * Largest blob copied between registries: it is held in memory between download and upload
 * (a mount, on one registry, has no limit). Bigger is refused before it is downloaded.
 */
export const MAX_COPY_BLOB_BYTES = 1024 * 1024 * 1024

const SUFFIX: Readonly<Record<AttachmentKind, 'sig' | 'att' | 'sbom'>> = {signature: 'sig', attestation: 'att', sbom: 'sbom'}
const KINDS: readonly AttachmentKind[] = ['signature', 'attestation', 'sbom']
const repoOf = (r: RepositoryRef): RepositoryRef => ({registry: r.registry, repository: r.repository})
const at = (r: RepositoryRef, reference: string): string => `${r.registry}/${r.repository}${isDigestSyntax(reference) ? '@' : ':'}${reference}`

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

async function fetchOrNotFound(client: RegistryClient, repo: RepositoryRef, reference: string, message: string): Promise<FetchedManifest> {
  try {
    return await client.getManifest(repo, reference)
  } catch (err) {
    if (isSigilError(err) && err.code === 'MANIFEST_UNKNOWN') throw new SigningError('IMAGE_NOT_FOUND', message, {cause: err})
    throw err
  }
}

async function resolveIfExists(client: RegistryClient, repo: RepositoryRef, reference: string): Promise<{digest: string} | undefined> {
  try {
    return await client.resolveDigest(repo, reference)
  } catch (err) {
    if (isSigilError(err) && err.code === 'MANIFEST_UNKNOWN') return undefined
    throw err
  }
}

/** The manifest's media type, from the registry or its own `mediaType` field. */
function mediaTypeOf(m: {bytes: Uint8Array; mediaType: string; digest: string}): string {
  if (m.mediaType !== '') return m.mediaType
  throw new SigningError('REGISTRY_PROTOCOL', `the manifest ${m.digest} has no media type; cannot push it`)
}

/** The manifest of one platform of the index `top` (cosign's `--platform`: `os/arch[/variant]`). */
async function forPlatform(client: RegistryClient, repo: RepositoryRef, top: FetchedManifest, wanted: string, name: string): Promise<{manifest: FetchedManifest; platform: string}> {
  const parts = wanted.split('/')
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new SigilError('INVALID_ARGUMENT', `invalid --platform "${wanted}": expected os/arch or os/arch/variant, e.g. linux/amd64`)
  }
  if (!isIndexMediaType(top.mediaType)) {
    throw new SigilError('INVALID_ARGUMENT', `--platform ${wanted}: ${name} is a single image (${top.mediaType}), not a multi-platform index`)
  }
  const [os, architecture, variant] = parts
  const children = indexChildren(top.bytes, {what: `index ${repo.registry}/${repo.repository}@${top.digest}`})
  const match = children.find((c) => c.platform?.os === os && c.platform.architecture === architecture && (variant === undefined || c.platform.variant === variant))
  if (!match) {
    const offered = children.flatMap((c) => (c.platform ? [platformString(c.platform)] : []))
    throw new SigningError('IMAGE_NOT_FOUND', `${name} has no platform ${wanted} (it has ${offered.length > 0 ? offered.join(', ') : 'none named'})`)
  }
  const manifest = await fetchOrNotFound(client, repo, match.digest, `${name} lists ${match.digest} for ${wanted}, which ${repo.registry}/${repo.repository} does not have`)
  return {manifest, platform: platformString(match.platform!)}
}

/**
 * `top` and every manifest it lists (nested indexes walked), each once, children before their
 * index (depth first). `height` is 0 for an image manifest, else one more than its highest child:
 * manifests of one height never list each other.
 */
async function walk(client: RegistryClient, repo: RepositoryRef, top: FetchedManifest, platform: string | undefined, limit: number, name: string): Promise<ManifestNode[]> {
  const out: ManifestNode[] = []
  const heights = new Map<string, number>()
  const visit = async (m: FetchedManifest, depth: number, plat: string | undefined): Promise<number> => {
    let height = 0
    if (isIndexMediaType(m.mediaType)) {
      if (depth >= MAX_INDEX_DEPTH) throw new SigningError('REGISTRY_PROTOCOL', `${name}: indexes nest more than ${MAX_INDEX_DEPTH} levels deep; refusing to copy`)
      const listed = indexChildren(m.bytes, {what: `index ${repo.registry}/${repo.repository}@${m.digest}`})
      const children = listed.filter((c, i) => listed.findIndex((d) => d.digest === c.digest) === i)
      const fetched = await mapLimit(children, limit, async (c) =>
        heights.has(c.digest) ? undefined : await fetchOrNotFound(client, repo, c.digest, `index ${m.digest} lists ${c.digest}, which ${repo.registry}/${repo.repository} does not have`),
      )
      for (let i = 0; i < children.length; i++) {
        const c = children[i]!
        const known = heights.get(c.digest)
        const h = known ?? (await visit(fetched[i]!, depth + 1, c.platform && platformString(c.platform)))
        height = Math.max(height, h + 1)
      }
    }
    if (!heights.has(m.digest)) {
      heights.set(m.digest, height)
      out.push({digest: m.digest, mediaType: mediaTypeOf(m), bytes: m.bytes, height, ...(plat && {platform: plat})})
    }
    return heights.get(m.digest)!
  }
  await visit(top, 0, platform)
  return out
}

/** The blobs an image manifest names: its config and layers (foreign, non-distributable layers left out, as registries serve them elsewhere). */
function blobsOf(bytes: Uint8Array, what: string): Descriptor[] {
  let doc: {config?: unknown; layers?: unknown}
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes)) as typeof doc
  } catch {
    throw new SigningError('REGISTRY_PROTOCOL', `${what} is not JSON`)
  }
  const list = [doc.config, ...(Array.isArray(doc.layers) ? doc.layers : [])].filter((d) => d !== undefined && d !== null)
  return list.flatMap((d, i) => {
    const {digest, size, mediaType} = d as {digest?: unknown; size?: unknown; mediaType?: unknown}
    if (typeof digest !== 'string' || typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw new SigningError('REGISTRY_PROTOCOL', `${what}: descriptor ${i} has no valid digest and size`)
    }
    const type = typeof mediaType === 'string' ? mediaType : ''
    return /foreign|nondistributable/.test(type) ? [] : [{digest, size, mediaType: type}]
  })
}

interface BlobCopier {
  copy(descriptors: readonly Descriptor[]): Promise<void>
  stats(): CopyImageResult['blobs']
}

/**
 * Blobs into `dst`, each once per run: skipped when there (HEAD), mounted from `src` on the same
 * registry, else downloaded (verified, no more than its descriptor's size) and uploaded.
 */
function blobCopier(client: RegistryClient, src: RepositoryRef, dst: RepositoryRef, limit: number, emit: (e: CopyEvent) => void): BlobCopier {
  const started = new Map<string, Promise<void>>()
  const stats = {total: 0, present: 0, mounted: 0, uploaded: 0, bytes: 0}
  let done = 0
  const mountable = src.registry === dst.registry && src.repository !== dst.repository
  const one = async (d: Descriptor): Promise<void> => {
    if (await client.blobExists(dst, d.digest)) {
      stats.present++
    } else if (mountable && (await client.mountBlob(dst, d.digest, src))) {
      stats.mounted++
    } else {
      if (d.size > MAX_COPY_BLOB_BYTES) {
        throw new SigningError('RESPONSE_TOO_LARGE', `blob ${d.digest} is ${d.size} bytes; sigil copies blobs of up to ${MAX_COPY_BLOB_BYTES} bytes between registries (on one registry they are mounted, whatever their size)`)
      }
      const bytes = await client.getBlob(src, d.digest, {maxBytes: d.size})
      emit({kind: 'write', location: at(dst, d.digest)})
      await client.uploadBlob(dst, d.digest, bytes)
      stats.uploaded++
      stats.bytes += bytes.length
    }
    done++
    emit({kind: 'progress', done, total: stats.total, bytes: stats.bytes})
  }
  return {
    async copy(descriptors) {
      const waits: Promise<void>[] = []
      const fresh: Array<{d: Descriptor; settle: (p: Promise<void>) => void}> = []
      for (const d of descriptors) {
        const known = started.get(d.digest)
        if (known) {
          waits.push(known)
          continue
        }
        let settle!: (p: Promise<void>) => void
        const p = new Promise<void>((resolve) => (settle = resolve))
        p.catch(() => {}) // awaited below
        started.set(d.digest, p)
        fresh.push({d, settle})
        waits.push(p)
      }
      stats.total += fresh.length
      await mapLimit(fresh, limit, async (f) => {
        const run = one(f.d)
        f.settle(run)
        await run.catch(() => {}) // reported through `waits`
      })
      await Promise.all(waits)
    },
    stats: () => ({...stats}),
  }
}

/** Push `m` by digest unless `dst` has it (HEAD). True when pushed. */
async function putIfMissing(client: RegistryClient, dst: RepositoryRef, m: {digest: string; bytes: Uint8Array; mediaType: string}, emit: (e: CopyEvent) => void): Promise<boolean> {
  if ((await resolveIfExists(client, dst, m.digest)) !== undefined) return false
  emit({kind: 'write', location: at(dst, m.digest)})
  await client.putManifest(dst, m.digest, m.bytes, m.mediaType)
  return true
}

interface ReadWrite {
  readonly client: RegistryClient
  readonly maxRounds: number
  readonly settleMs?: number
  readonly force: boolean
  readonly emit: (e: CopyEvent) => void
}

const layerKey = (l: Descriptor): string => `${l.digest} ${l.annotations?.[SIGNATURE_ANNOTATION] ?? ''}`

/**
 * The `.sig`/`.att`/`.sbom` tag of `subject` at `dst`, holding every layer the source's has:
 * the source's manifest as is when `dst` has none, else the destination's with the missing
 * layers appended (a read-modify-write read back like the legacy store's `add`).
 */
async function copyLegacyTag(
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
  let first: FetchedManifest | undefined = await client.getManifestIfExists(dst, tag)
  if (first?.digest === found.digest) return result(false)
  await blobs.copy([parsed.config, ...parsed.layers])
  const wanted = new Set(parsed.layers.map(layerKey))
  for (let round = 1; ; round++) {
    const started = performance.now()
    const existing = round === 1 ? first : await client.getManifestIfExists(dst, tag)
    first = undefined
    if (existing?.digest === found.digest) return result(round > 1)
    let manifest: Uint8Array
    let mediaType: string
    let existingLayers = 0
    let current: SignatureManifest | undefined
    try {
      current = existing && readSignatureManifest(existing.bytes, destination)
    } catch (err) {
      if (!rw.force) throw new SigningError('INVALID_SIGNATURE_MANIFEST', `${(err as Error).message}; refusing to overwrite it (use -f to replace it with the source's)`, {cause: err})
    }
    if (current === undefined) {
      ;[manifest, mediaType] = [found.bytes, parsed.mediaType]
    } else {
      const have = new Set(current.layers.map(layerKey))
      const missing = parsed.layers.filter((l) => !have.has(layerKey(l)))
      if (missing.length === 0) return result(round > 1)
      existingLayers = current.layers.length
      const layers = [...current.layers, ...missing]
      mediaType = current.mediaType
      const config = buildSignatureConfig(layers.map((l) => l.digest))
      const configDescriptor: Descriptor = {mediaType: mediaType === DOCKER_MANIFEST_MEDIA_TYPE ? DOCKER_CONFIG_MEDIA_TYPE : OCI_CONFIG_MEDIA_TYPE, size: config.length, digest: sha256Digest(config)}
      await client.uploadBlob(dst, configDescriptor.digest, config)
      manifest = buildSignatureManifest({mediaType, config: configDescriptor, layers, annotations: current.annotations, subject: current.subject})
    }
    rw.emit({kind: 'write', location: destination})
    await client.putManifest(dst, tag, manifest, mediaType)
    const after = await readBack(
      performance.now() - started,
      rw.settleMs,
      () => client.getManifestIfExists(dst, tag),
      (read) => read !== undefined && hasAll(read.bytes, wanted),
      () => round > 1 || existingLayers > 0,
    )
    if (after !== undefined && hasAll(after.bytes, wanted)) return result(true)
    if (round >= rw.maxRounds) throw new SigningError('SIGNING_FAILED', `${rw.maxRounds} attempts to add ${source}'s layers to ${destination} lost to concurrent writers; copy again`)
  }
}

function readSignatureManifest(bytes: Uint8Array, where: string): SignatureManifest {
  try {
    return parseSignatureManifest(bytes)
  } catch (err) {
    throw new SigningError('INVALID_SIGNATURE_MANIFEST', `${where}: ${(err as Error).message}`, {cause: err})
  }
}

function hasAll(bytes: Uint8Array, keys: ReadonlySet<string>): boolean {
  try {
    const have = new Set(parseSignatureManifest(bytes).layers.map(layerKey))
    return [...keys].every((k) => have.has(k))
  } catch {
    return false
  }
}

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
 * to list them too, merged with what it lists already (read back, bounded, as the store's add).
 */
async function copyReferrers(
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
  const added = await mergeFallbackIndex(rw, dst, subject, items.map((i) => i.descriptor))
  return {attachments, ...(added > 0 && {index: {location: at(dst, referrersTag(subject)), added}})}
}

/** Add `entries` to the `sha256-<hex>` index of `subject` at `dst`; the number added (0: all listed already). */
async function mergeFallbackIndex(rw: ReadWrite, dst: RepositoryRef, subject: string, entries: readonly IndexDescriptor[]): Promise<number> {
  const {client} = rw
  const tag = referrersTag(subject)
  const location = at(dst, tag)
  const listsAll = (bytes: Uint8Array | undefined): boolean => {
    if (bytes === undefined) return false
    try {
      const have = new Set(parseReferrersIndex(bytes).manifests.map((d) => d.digest))
      return entries.every((e) => have.has(e.digest))
    } catch {
      return false
    }
  }
  let total = 0
  for (let round = 1; ; round++) {
    const started = performance.now()
    const existing = await client.getManifestIfExists(dst, tag)
    let bytes: Uint8Array | undefined = existing?.bytes
    if (existing !== undefined) {
      try {
        parseReferrersIndex(existing.bytes)
      } catch (err) {
        // Never replace what we cannot read: it may list other writers' referrers.
        if (!rw.force) throw new SigningError('INVALID_SIGNATURE_MANIFEST', `the referrers index ${location} is not valid (${(err as Error).message}); refusing to overwrite it (use -f to replace it)`, {cause: err})
        bytes = undefined
      }
    }
    let added = 0
    for (const e of entries) {
      const r = addToReferrersIndex(bytes, e)
      if (r.added) added++
      bytes = r.bytes
    }
    if (added === 0) return total
    rw.emit({kind: 'write', location})
    await client.putManifest(dst, tag, bytes!, OCI_INDEX_MEDIA_TYPE)
    total = Math.max(total, added)
    const after = await readBack(
      performance.now() - started,
      rw.settleMs,
      () => client.getManifestIfExists(dst, tag),
      (read) => listsAll(read?.bytes),
      () => round > 1 || existing !== undefined,
    )
    if (listsAll(after?.bytes)) return total
    if (round >= rw.maxRounds) throw new SigningError('SIGNING_FAILED', `${rw.maxRounds} attempts to list the copied referrers in ${location} lost to concurrent writers; copy again`)
    await sleep(settleDelay(performance.now() - started, rw.settleMs))
  }
}
