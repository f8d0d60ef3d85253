/**
 * `sign --recursive` (spec §2.5): the digests to sign when a reference names an image index
 * (OCI image index or Docker manifest list) — the index and every manifest it lists, nested
 * indexes walked too, as cosign's `walk.SignedEntity` / `mutate.Map` do.
 *
 * Unlike cosign, the whole walk is done (and refused) before anything is signed, and the index
 * comes last: a failure part-way never leaves a signed index whose platforms are unsigned.
 */
import {DOCKER_LIST_MEDIA_TYPE, DOCKER_MANIFEST_MEDIA_TYPE, OCI_INDEX_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE, isDigest, isSigilError} from '@sigil/core'
import type {ImageReference, Platform} from '@sigil/core'
import type {FetchedManifest, RegistryClient, RepositoryRef} from '@sigil/oci'
import {SigningError} from './error.js'
import {notFound} from './resolve.js'
import type {SignEvent} from './sign-image.js'

/** Most manifests one index may list (per index, checked before any entry is read). */
export const MAX_INDEX_ENTRIES = 1000
/**
 * Deepest index nesting walked: the top index is level 0, an index it lists level 1, and so on.
 * cosign sets no bound (its `mutate.Map` recurses into every nested index); real images nest
 * one level at most, so deeper is refused rather than followed request by request.
 */
export const MAX_INDEX_DEPTH = 4
/** Most digests one recursive walk yields (the index itself included). */
export const MAX_RECURSIVE_DIGESTS = 1000

const INDEX_TYPES: ReadonlySet<string> = new Set([OCI_INDEX_MEDIA_TYPE, DOCKER_LIST_MEDIA_TYPE])
const IMAGE_TYPES: ReadonlySet<string> = new Set([OCI_MANIFEST_MEDIA_TYPE, DOCKER_MANIFEST_MEDIA_TYPE])

/** True for the OCI image index and Docker manifest list media types. */
export function isIndexMediaType(mediaType: string): boolean {
  return INDEX_TYPES.has(mediaType)
}

/** One manifest an index lists, as its descriptor says. */
export interface IndexChild {
  readonly digest: string
  readonly mediaType: string
  readonly size: number
  readonly platform?: Platform
}

/** One digest to sign. */
export interface SignTarget extends IndexChild {
  /** Digest of the index listing it; undefined for the reference itself. */
  readonly index?: string
  /** 0 for the reference itself, 1 for what it lists, 2 for what a nested index lists, … */
  readonly depth: number
}

/** Options of {@link recursiveSignTargets} and {@link indexChildren}. */
export interface RecursiveSignTargetsOptions {
  /** Default {@link MAX_INDEX_ENTRIES}. */
  readonly maxEntries?: number
  /** Default {@link MAX_INDEX_DEPTH}. */
  readonly maxDepth?: number
  /** Default {@link MAX_RECURSIVE_DIGESTS}. */
  readonly maxDigests?: number
  /** Receives `resolved` once the reference's digest is known. */
  readonly onEvent?: (event: SignEvent) => void
}

/** What {@link recursiveSignTargets} found. */
export interface RecursiveSignTargets {
  readonly image: ImageReference
  /** The digest the reference resolved to. */
  readonly digest: string
  /** Its media type (an index's when `targets` lists more than the reference). */
  readonly mediaType: string
  /**
   * Every digest to sign, each once, in signing order: what an index lists before the index
   * (depth first, in index order), the reference's own digest last. A single image: just it.
   */
  readonly targets: readonly SignTarget[]
}

const repoOf = (image: ImageReference): RepositoryRef => ({registry: image.registry, repository: image.repository})

/**
 * The digests `sign --recursive IMAGE` signs: the manifest `image` names is fetched (GET; a tag
 * is resolved by it); when it is an index, each listed image manifest is a target and each
 * listed index is fetched by digest and walked likewise. Children of another media type (Docker
 * schema 1, anything unknown) are refused, as cosign refuses them (`unknown mime type`), but
 * before anything is signed. Platform manifests are not fetched: their digests are in the
 * (digest-verified) index. Limits: {@link MAX_INDEX_ENTRIES} per index, {@link MAX_INDEX_DEPTH}
 * levels of nesting, {@link MAX_RECURSIVE_DIGESTS} in all.
 */
export async function recursiveSignTargets(client: RegistryClient, image: ImageReference, options: RecursiveSignTargetsOptions = {}): Promise<RecursiveSignTargets> {
  const repo = repoOf(image)
  let top: FetchedManifest
  try {
    top = await client.getManifest(repo, image.digest ?? image.tag ?? 'latest')
  } catch (err) {
    notFound(image, err)
  }
  options.onEvent?.({kind: 'resolved', image, digest: top.digest, fromTag: image.digest === undefined})
  const self: SignTarget = {digest: top.digest, mediaType: top.mediaType, size: top.bytes.length, depth: 0}
  if (!isIndexMediaType(top.mediaType)) return {image, digest: top.digest, mediaType: top.mediaType, targets: [self]}

  const maxDepth = options.maxDepth ?? MAX_INDEX_DEPTH
  const maxDigests = options.maxDigests ?? MAX_RECURSIVE_DIGESTS
  const targets: SignTarget[] = []
  const seen = new Set<string>()
  const add = (target: SignTarget): void => {
    if (seen.has(target.digest)) return
    if (targets.length + 1 >= maxDigests) {
      // The reference itself still has to fit.
      throw new SigningError('SIGNING_FAILED', `${image.name}: the index and what it lists come to more than ${maxDigests} manifests; refusing to sign them one by one`)
    }
    seen.add(target.digest)
    targets.push(target)
  }
  const walk = async (index: FetchedManifest, depth: number): Promise<void> => {
    for (const child of indexChildren(index.bytes, {...options, what: `index ${image.registry}/${image.repository}@${index.digest}`})) {
      if (seen.has(child.digest)) continue
      const target: SignTarget = {...child, index: index.digest, depth: depth + 1}
      if (IMAGE_TYPES.has(child.mediaType)) {
        add(target)
        continue
      }
      if (depth + 1 > maxDepth) {
        throw new SigningError(
          'SIGNING_FAILED',
          `${image.name}: index ${child.digest} is nested ${depth + 1} levels deep, more than the limit of ${maxDepth}; refusing to walk it`,
        )
      }
      let nested: FetchedManifest
      try {
        nested = await client.getManifest(repo, child.digest, {accept: [child.mediaType]})
      } catch (err) {
        if (isSigilError(err) && err.code === 'MANIFEST_UNKNOWN') {
          throw new SigningError('IMAGE_NOT_FOUND', `index ${index.digest} lists the index ${child.digest}, which ${image.registry}/${image.repository} does not have`, {cause: err})
        }
        throw err
      }
      if (nested.mediaType !== '' && !isIndexMediaType(nested.mediaType)) {
        throw new SigningError('REGISTRY_PROTOCOL', `index ${index.digest} lists ${child.digest} as ${child.mediaType}, but the registry serves it as ${nested.mediaType}`)
      }
      await walk(nested, depth + 1)
      add(target)
    }
  }
  await walk(top, 0)
  seen.add(self.digest)
  targets.push(self)
  return {image, digest: top.digest, mediaType: top.mediaType, targets}
}

/**
 * The manifests an image index (or Docker manifest list) lists, validated: a JSON object with
 * `schemaVersion` 2 and a `manifests` list of at most `maxEntries` descriptors (checked before
 * any entry is read), each with a valid digest, a size and an image-manifest or index media
 * type. Anything else → `SigningError` (`REGISTRY_PROTOCOL` for a malformed index,
 * `SIGNING_FAILED` for what cannot be signed), naming `what`.
 */
export function indexChildren(bytes: Uint8Array, options: {readonly maxEntries?: number; readonly what?: string} = {}): IndexChild[] {
  const what = options.what ?? 'index'
  const malformed = (reason: string): never => {
    throw new SigningError('REGISTRY_PROTOCOL', `${what} is not a valid image index: ${reason}`)
  }
  let doc: unknown
  try {
    doc = JSON.parse(new TextDecoder('utf-8', {fatal: true}).decode(bytes))
  } catch {
    return malformed('not JSON')
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return malformed('not a JSON object')
  const {schemaVersion, mediaType, manifests} = doc as {schemaVersion?: unknown; mediaType?: unknown; manifests?: unknown}
  if (schemaVersion !== 2) malformed(`schemaVersion ${JSON.stringify(schemaVersion)}, expected 2`)
  if (mediaType !== undefined && (typeof mediaType !== 'string' || !isIndexMediaType(mediaType))) malformed(`media type ${JSON.stringify(mediaType)}`)
  if (!Array.isArray(manifests)) return malformed('no manifests list')
  const maxEntries = options.maxEntries ?? MAX_INDEX_ENTRIES
  if (manifests.length > maxEntries) {
    throw new SigningError('SIGNING_FAILED', `${what} lists ${manifests.length} manifests, more than the limit of ${maxEntries}; refusing to sign them one by one`)
  }
  return manifests.map((d: unknown, i): IndexChild => {
    if (typeof d !== 'object' || d === null || Array.isArray(d)) return malformed(`manifests[${i}] is not an object`)
    const {digest, mediaType: type, size, platform} = d as {digest?: unknown; mediaType?: unknown; size?: unknown; platform?: unknown}
    if (typeof digest !== 'string' || !isDigest(digest)) return malformed(`manifests[${i}].digest ${JSON.stringify(digest)} is not a digest`)
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return malformed(`manifests[${i}].size ${JSON.stringify(size)}`)
    if (typeof type !== 'string' || !(IMAGE_TYPES.has(type) || INDEX_TYPES.has(type))) {
      // cosign: `unknown mime type` (mutate.Map) — after it has already signed the index.
      throw new SigningError('SIGNING_FAILED', `${what} lists ${digest} with media type ${JSON.stringify(type)}, which is neither an image manifest nor an index; refusing to sign (cosign: unknown mime type)`)
    }
    const plat = readPlatform(platform)
    return {digest, mediaType: type, size, ...(plat && {platform: plat})}
  })
}

/** A descriptor's platform, when it is a well-formed one (informational only: never trusted for anything). */
function readPlatform(value: unknown): Platform | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const {os, architecture, variant} = value as {os?: unknown; architecture?: unknown; variant?: unknown}
  if (typeof os !== 'string' || typeof architecture !== 'string') return undefined
  return {architecture, os, ...(typeof variant === 'string' && variant !== '' ? {variant} : {})}
}

/** `os/architecture[/variant]`, as docker and cosign print platforms. */
export function platformString(platform: Platform): string {
  return [platform.os, platform.architecture, ...(platform.variant ? [platform.variant] : [])].join('/')
}
