import {
  LAYOUT_KINDS,
  LAYOUT_KIND_ANNOTATION,
  LAYOUT_REF_NAME_ANNOTATION,
  SigilError,
  parseSignatureManifest,
  signatureTag,
  ATTACHMENT_KINDS,
  ATTACHMENT_TAG_SUFFIX,
} from '@sigil/core'
import type {Descriptor, ImageReference, IndexDescriptor} from '@sigil/core'
import type {OciLayoutReader, RegistryClient, RepositoryRef} from '@sigil/oci'
import {LAYOUT_KIND_OF, layoutImageEntry, unlistedReferrers} from './layout-store.js'
import {manifestReferences} from './manifest-references.js'
import type {ManifestReferences} from './manifest-references.js'
import {mergeIntoLegacyTag} from './legacy-tag-write.js'
import {listInReferrersIndex} from './referrers-store.js'
import type {SignatureLocationOptions} from './signature-location.js'

/** Options of {@link loadImage}. */
export interface LoadImageOptions extends SignatureLocationOptions {
  readonly client: RegistryClient
  /** The registry serves the OCI 1.1 referrers API (no fallback index needed). Default: as its answers say. */
  readonly referrersApi?: boolean
  /** Largest blob pushed (blobs are streamed from disk in constant memory). Default: no limit. */
  readonly maxBlobBytes?: number
  /** Told of the bytes of each blob chunk uploaded (progress). */
  readonly onBytes?: (count: number) => void
  /** Told of each attachment written (progress). */
  readonly onAttachment?: (location: string) => void
}

/** What {@link loadImage} pushed. */
export interface LoadImageResult {
  readonly image: string
  readonly digest: string
  readonly manifests: number
  readonly blobs: number
  /** Attachment images written to their tags, and referrers pushed. */
  readonly attachments: {readonly tags: readonly string[]; readonly referrers: number}
}

interface Node {
  readonly digest: string
  readonly bytes: Uint8Array
  readonly refs: ManifestReferences
}

/** The tag suffix of an index.json entry's `kind` (`dev.cosignproject.cosign/sigs` → `sig`). */
const SUFFIX_OF: Readonly<Record<string, 'sig' | 'att' | 'sbom'>> = Object.fromEntries(ATTACHMENT_KINDS.map((k) => [LAYOUT_KIND_OF[k], ATTACHMENT_TAG_SUFFIX[k]]))
const MAX_DEPTH = 4
/** Rounds of a `.sig`/`.att`/`.sbom` tag's read-modify-write lost to concurrent writers before giving up (as `copy`'s default). */
const MAX_ROUNDS = 6

function invalid(layout: OciLayoutReader, message: string): SigilError {
  return new SigilError('INVALID_LAYOUT', `the layout ${layout.dir}: ${message}`)
}

/**
 * Push an image layout written by `sigil save` or `cosign save` to `destination`: the image
 * (index, children, blobs), its `.sig`/`.att`/`.sbom` images under their tags in the
 * destination repository (merged with what is there already: nobody's signature is dropped), and
 * its bundle referrers (listed in the `sha256-<hex>` fallback index when the registry has no
 * referrers API). Everything is read and checked against its digest before the first request,
 * so a missing or corrupt blob pushes nothing; then blobs go first, manifests children first,
 * and the image's tag last.
 */
export async function loadImage(layout: OciLayoutReader, destination: ImageReference, options: LoadImageOptions): Promise<LoadImageResult> {
  const {client} = options
  const repository: RepositoryRef = {registry: destination.registry, repository: destination.repository}
  const signatureRepository = options.signatureRepository ?? repository
  const maxBlobBytes = options.maxBlobBytes ?? Number.MAX_SAFE_INTEGER
  const index = await layout.index()
  const image = layoutImageEntry(index)
  if (!image) throw invalid(layout, `index.json has no image (an entry with annotation kind=${LAYOUT_KINDS.image} or ${LAYOUT_KINDS.imageIndex})`)
  if (destination.digest !== undefined && destination.digest !== image.digest) {
    throw new SigilError('INVALID_ARGUMENT', `the layout holds ${image.digest}, not ${destination.digest}: give a tag (or that digest) as the destination`)
  }

  // 1. Read and check everything (no network yet).
  const nodes = new Map<string, Node>()
  const blobs = new Map<string, Descriptor>()
  const read = async (descriptor: {digest: string; size: number}, depth: number): Promise<Node> => {
    const known = nodes.get(descriptor.digest)
    if (known) return known
    const bytes = await layout.readBlob(descriptor.digest, {size: descriptor.size, maxBytes: 4 * 1024 * 1024})
    const refs = manifestReferences(bytes, (reason) => {
      throw invalid(layout, `${descriptor.digest} is not a valid manifest: ${reason}`)
    })
    for (const child of refs.manifests) {
      if (depth >= MAX_DEPTH) throw invalid(layout, `indexes nested more than ${MAX_DEPTH} deep`)
      await read(child, depth + 1)
    }
    for (const blob of refs.blobs) {
      if (blobs.has(blob.digest)) continue
      if (blob.size > maxBlobBytes) throw invalid(layout, `blob ${blob.digest} is ${blob.size} bytes, over the ${maxBlobBytes}-byte limit`)
      await layout.checkBlob(blob)
      blobs.set(blob.digest, blob)
    }
    const node = {digest: descriptor.digest, bytes, refs}
    nodes.set(descriptor.digest, node)
    return node
  }
  const main = await read(image, 0)
  const tagged: Array<{tag: string; node: Node}> = []
  const referrers: Node[] = []
  for (const entry of index.manifests) {
    if (entry === image) continue
    const kind = entry.annotations?.[LAYOUT_KIND_ANNOTATION]
    const suffix = kind === undefined ? undefined : SUFFIX_OF[kind]
    if (suffix !== undefined) {
      tagged.push({tag: attachmentTag(layout, entry, suffix, image.digest, options.attachmentTagPrefix ?? ''), node: await read(entry, MAX_DEPTH)})
    } else if (kind === undefined) {
      const node = await read(entry, MAX_DEPTH)
      if (node.refs.subject !== undefined) referrers.push(node)
    }
  }
  // cosign 3.1.1 saves its bundle referrers without listing them in index.json.
  for (const unlisted of await unlistedReferrers(layout, index)) {
    if (nodes.has(unlisted.subject) && !referrers.some((r) => r.digest === unlisted.digest)) referrers.push(await read(unlisted, MAX_DEPTH))
  }

  // 2. Push: blobs, manifests children first, attachments, the image's tag last.
  const reposOf = (digest: string): RepositoryRef[] => {
    const inImage = reachable(main, nodes).has(digest)
    const inAttachments = [...tagged.map((t) => t.node), ...referrers].some((n) => reachable(n, nodes).has(digest))
    const out: RepositoryRef[] = []
    if (inImage) out.push(repository)
    if (inAttachments && (!inImage || !same(signatureRepository, repository))) out.push(signatureRepository)
    return out
  }
  for (const blob of blobs.values()) {
    // Checked above; streamed from the file (the registry checks the digest again when the upload completes).
    for (const repo of reposOf(blob.digest)) {
      if (!(await client.blobExists(repo, blob.digest))) await client.uploadBlobStream(repo, blob.digest, blob.size, () => layout.openBlob(blob.digest), {onBytes: options.onBytes})
    }
  }
  const pushed = new Set<string>()
  const pushTree = async (node: Node, repo: RepositoryRef) => {
    const key = `${repo.registry}/${repo.repository}@${node.digest}`
    if (pushed.has(key)) return
    for (const child of node.refs.manifests) await pushTree(nodes.get(child.digest)!, repo)
    await client.putManifest(repo, node.digest, node.bytes, node.refs.mediaType)
    pushed.add(key)
  }
  await pushTree(main, repository)
  const tags: string[] = []
  for (const {tag, node} of tagged) {
    for (const child of node.refs.manifests) await pushTree(nodes.get(child.digest)!, signatureRepository)
    await putAttachmentTag(client, signatureRepository, tag, node)
    const location = `${signatureRepository.registry}/${signatureRepository.repository}:${tag}`
    tags.push(location)
    options.onAttachment?.(location)
  }
  for (const node of referrers) {
    for (const child of node.refs.manifests) await pushTree(nodes.get(child.digest)!, signatureRepository)
    const put = await client.putManifest(signatureRepository, node.digest, node.bytes, node.refs.mediaType)
    if (!(options.referrersApi ?? put.ociSubject !== undefined)) await listInReferrersIndex(client, signatureRepository, node.refs.subject!.digest, node.bytes)
    options.onAttachment?.(`${signatureRepository.registry}/${signatureRepository.repository}@${node.digest}`)
  }
  const reference = destination.digest ?? destination.tag ?? 'latest'
  await client.putManifest(repository, reference, main.bytes, main.refs.mediaType)
  return {
    image: destination.digest ? destination.name : `${destination.repositoryName}:${reference}`,
    digest: image.digest,
    manifests: nodes.size,
    blobs: blobs.size,
    attachments: {tags, referrers: referrers.length},
  }
}

function same(a: RepositoryRef, b: RepositoryRef): boolean {
  return a.registry === b.registry && a.repository === b.repository
}

function reachable(node: Node, nodes: ReadonlyMap<string, Node>, into = new Set<string>()): Set<string> {
  into.add(node.digest)
  for (const b of node.refs.blobs) into.add(b.digest)
  for (const c of node.refs.manifests) if (!into.has(c.digest)) reachable(nodes.get(c.digest)!, nodes, into)
  return into
}

/** The tag an attachment entry goes to: the one it names (checked), else (cosign's layouts) the image's. */
function attachmentTag(layout: OciLayoutReader, entry: IndexDescriptor, suffix: 'sig' | 'att' | 'sbom', imageDigest: string, prefix: string): string {
  const named = entry.annotations?.[LAYOUT_REF_NAME_ANNOTATION]
  if (named === undefined) return signatureTag(imageDigest, suffix, prefix)
  const match = /^(.*)sha256-([0-9a-f]{64})\.(sig|att|sbom)$/.exec(named)
  if (!match || match[3] !== suffix) throw invalid(layout, `the ${suffix} entry ${entry.digest} names tag ${JSON.stringify(named)}, not sha256-<hex>.${suffix}`)
  return named
}

/**
 * Put an attachment image at `tag`. What is there already is kept: layers it lacks are
 * appended to it (same manifest media type and annotations), so loading never drops a signature,
 * read back (like `copy`'s merge) so a concurrent writer's layers are kept and ours not lost.
 */
async function putAttachmentTag(client: RegistryClient, repo: RepositoryRef, tag: string, node: Node): Promise<void> {
  const location = `${repo.registry}/${repo.repository}:${tag}`
  const cannotMerge = (err: Error) =>
    new SigilError('INVALID_SIGNATURE_MANIFEST', `${location} already exists and cannot be merged with the layout's (${err.message}); refusing to overwrite it`, {cause: err})
  let parsed
  try {
    parsed = parseSignatureManifest(node.bytes)
  } catch (err) {
    // Not a signature manifest: put as is where the tag is free (or holds it already), else refused.
    const existing = await client.getManifestIfExists(repo, tag)
    if (existing === undefined) await client.putManifest(repo, tag, node.bytes, node.refs.mediaType)
    else if (existing.digest !== node.digest) throw cannotMerge(err as Error)
    return
  }
  await mergeIntoLegacyTag({client, maxRounds: MAX_ROUNDS}, repo, tag, {bytes: node.bytes, digest: node.digest, parsed}, {
    location,
    unreadable: (err) => {
      throw cannotMerge(err.cause as Error)
    },
    lost: `${MAX_ROUNDS} attempts to add the layout's layers to ${location} lost to concurrent writers; load again`,
  })
}
