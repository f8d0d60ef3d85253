import {LAYOUT_KINDS, LAYOUT_KIND_ANNOTATION, LAYOUT_REF_NAME_ANNOTATION, SIGSTORE_BUNDLE_V03_MEDIA_TYPE, signatureTag, ATTACHMENT_TAG_SUFFIX, ATTACHMENT_KINDS} from '@sigil/core'
import type {AttachmentKind, ImageReference, IndexDescriptor} from '@sigil/core'
import {createOciLayout} from '@sigil/oci'
import type {OciLayoutWriter, RegistryClient, RepositoryRef} from '@sigil/oci'
import {SigningError} from './error.js'
import {LAYOUT_KIND_OF} from './layout-store.js'
import {manifestReferences} from './manifest-references.js'
import {notFound} from './resolve.js'
import type {ReferrersApiMemory} from './referrers-store.js'
import {findReferrers} from './referrers-store.js'
import type {SignatureLocationOptions} from './signature-location.js'

/** Options of {@link saveImage}. */
export interface SaveImageOptions extends SignatureLocationOptions {
  readonly client: RegistryClient
  /** Where the layout goes: absent or an empty directory (an existing layout only with `force`). */
  readonly dir: string
  /** Replace an existing layout at `dir`. Default false. */
  readonly force?: boolean
  /** Whether the registry serves the OCI 1.1 referrers API (see `referrersStore`). Default: ask. */
  readonly referrersApi?: boolean
  readonly memory?: ReferrersApiMemory
  /** Largest blob saved (blobs are streamed to disk in constant memory). Default: no limit but each blob's declared size. */
  readonly maxBlobBytes?: number
  /** Told of the bytes of each blob chunk written (progress). */
  readonly onBytes?: (count: number) => void
  /** Told of each attachment manifest saved (progress). */
  readonly onAttachment?: (what: {kind: AttachmentKind | 'referrer'; location: string}) => void
}

/** What {@link saveImage} wrote. */
export interface SaveImageResult {
  readonly dir: string
  readonly digest: string
  readonly mediaType: string
  /** Manifests (images, indexes, attachments) and blobs written, and their bytes. */
  readonly manifests: number
  readonly blobs: number
  readonly bytes: number
  /** Legacy attachment images saved (`.sig`, `.att`, `.sbom` tags) and bundle referrers. */
  readonly attachments: {readonly sig: number; readonly att: number; readonly sbom: number; readonly referrers: number}
}

const KINDS = ATTACHMENT_KINDS
const MAX_DEPTH = 4

/**
 * Save an image (an index with every platform, or one manifest) and what is attached to it (and
 * to an index's children) in both storage formats — cosign's `.sig`/`.att`/`.sbom` images and
 * cosign 3's bundle referrers — as an OCI image layout at `dir`, the way `cosign save` does
 * (its `kind` annotations, so cosign reads it), plus what cosign leaves out (SBOMs, children's
 * attachments, referrers; see `@sigil/core`'s `oci-layout`). Every blob is checked against its
 * digest; the layout appears at `dir` complete or not at all.
 */
export async function saveImage(image: ImageReference, options: SaveImageOptions): Promise<SaveImageResult> {
  const {client} = options
  const repository: RepositoryRef = {registry: image.registry, repository: image.repository}
  const signatureRepository = options.signatureRepository ?? repository
  const writer = await createOciLayout(options.dir, {force: options.force})
  try {
    let top
    try {
      top = await client.getManifest(repository, image.digest ?? image.tag ?? 'latest')
    } catch (err) {
      notFound(image, err)
    }
    const copier = manifestCopier(client, writer, options.maxBlobBytes ?? Number.MAX_SAFE_INTEGER, options.onBytes)
    const topRefs = await copier.copy(repository, top.digest, top.bytes, 0)
    const entries: IndexDescriptor[] = [
      {mediaType: topRefs.mediaType, size: top.bytes.length, digest: top.digest, annotations: {[LAYOUT_KIND_ANNOTATION]: topRefs.manifests.length > 0 || topRefs.blobs.length === 0 ? LAYOUT_KINDS.imageIndex : LAYOUT_KINDS.image}},
    ]
    const subjects = [top.digest, ...topRefs.manifests.map((d) => d.digest)]
    const counts = {sig: 0, att: 0, sbom: 0, referrers: 0}
    for (const digest of subjects) {
      for (const kind of KINDS) {
        const tag = signatureTag(digest, ATTACHMENT_TAG_SUFFIX[kind], options.attachmentTagPrefix ?? '')
        const found = await client.getManifestIfExists(signatureRepository, tag)
        if (!found) continue
        const refs = await copier.copy(signatureRepository, found.digest, found.bytes, MAX_DEPTH)
        entries.push({mediaType: refs.mediaType, size: found.bytes.length, digest: found.digest, annotations: {[LAYOUT_KIND_ANNOTATION]: LAYOUT_KIND_OF[kind], [LAYOUT_REF_NAME_ANNOTATION]: tag}})
        counts[ATTACHMENT_TAG_SUFFIX[kind]]++
        options.onAttachment?.({kind, location: `${signatureRepository.registry}/${signatureRepository.repository}:${tag}`})
      }
    }
    for (const digest of subjects) {
      const listed = await findReferrers(client, signatureRepository, digest, {referrersApi: options.referrersApi, memory: options.memory, artifactType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE})
      for (const entry of listed?.manifests ?? []) {
        // A referrer deleted since the index was written is skipped, as verify skips it.
        const found = await client.getManifestIfExists(signatureRepository, entry.digest)
        if (!found) continue
        const refs = await copier.copy(signatureRepository, found.digest, found.bytes, MAX_DEPTH)
        const parsed = JSON.parse(new TextDecoder().decode(found.bytes)) as {artifactType?: unknown; annotations?: unknown; config?: {mediaType?: unknown}}
        const artifactType = typeof parsed.artifactType === 'string' ? parsed.artifactType : typeof parsed.config?.mediaType === 'string' ? parsed.config.mediaType : undefined
        const annotations = parsed.annotations && typeof parsed.annotations === 'object' ? (parsed.annotations as Record<string, string>) : undefined
        entries.push({mediaType: refs.mediaType, size: found.bytes.length, digest: found.digest, ...(annotations && {annotations}), ...(artifactType && {artifactType})})
        counts.referrers++
        options.onAttachment?.({kind: 'referrer', location: `${signatureRepository.registry}/${signatureRepository.repository}@${found.digest}`})
      }
    }
    await writer.commit(entries)
    return {dir: options.dir, digest: top.digest, mediaType: topRefs.mediaType, ...copier.stats(), attachments: counts}
  } catch (err) {
    await writer.abort()
    throw err
  }
}

/** Copies manifests (children first) and their blobs from a registry into a layout, each once. */
function manifestCopier(client: RegistryClient, writer: OciLayoutWriter, maxBlobBytes: number, onBytes?: (count: number) => void) {
  const done = new Set<string>()
  let manifests = 0
  let blobs = 0
  let bytes = 0
  const put = async (digest: string, content: Uint8Array) => {
    if (done.has(digest)) return false
    done.add(digest)
    await writer.writeBlob(digest, content)
    bytes += content.length
    return true
  }
  const copy = async (repository: RepositoryRef, digest: string, content: Uint8Array, depth: number): Promise<ReturnType<typeof manifestReferences>> => {
    const refs = manifestReferences(content, (reason) => {
      throw new SigningError('REGISTRY_PROTOCOL', `${repository.registry}/${repository.repository}@${digest} is not a valid manifest: ${reason}`)
    })
    if (done.has(digest)) return refs
    for (const child of refs.manifests) {
      if (depth >= MAX_DEPTH) throw new SigningError('REGISTRY_PROTOCOL', `${repository.registry}/${repository.repository}@${digest}: indexes nested more than ${MAX_DEPTH} deep`)
      if (done.has(child.digest)) continue
      const fetched = await client.getManifest(repository, child.digest)
      await copy(repository, child.digest, fetched.bytes, depth + 1)
    }
    for (const blob of refs.blobs) {
      if (done.has(blob.digest)) continue
      if (blob.size > maxBlobBytes) throw new SigningError('RESPONSE_TOO_LARGE', `blob ${blob.digest} of ${repository.registry}/${repository.repository}@${digest} is ${blob.size} bytes, over the ${maxBlobBytes}-byte limit`)
      done.add(blob.digest)
      // Streamed to a temporary file, verified as it is written, renamed into the layout only when it matched.
      await writer.writeBlobStream(blob.digest, blob.size, await client.getBlobStream(repository, blob.digest, {size: blob.size, onBytes}))
      bytes += blob.size
      blobs++
    }
    if (await put(digest, content)) manifests++
    return refs
  }
  return {copy, stats: () => ({manifests, blobs, bytes})}
}
