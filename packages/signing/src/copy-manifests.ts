/** `copy`'s manifests: the source's walked (one platform of it, or all), pushed by digest at the destination. */
import {isDigestSyntax, isSigilError, SigilError} from '@sigil/core'
import type {Descriptor} from '@sigil/core'
import type {FetchedManifest, RegistryClient, RepositoryRef} from '@sigil/oci'
import type {CopyEvent} from './copy.js'
import {SigningError} from './error.js'
import {MAX_INDEX_DEPTH, indexChildren, isIndexMediaType, platformString} from './recursive.js'
import {mapLimit} from './map-limit.js'

export interface ManifestNode {
  readonly digest: string
  readonly mediaType: string
  readonly bytes: Uint8Array
  readonly height: number
  readonly platform?: string
}


/** `registry/repository:tag` or `registry/repository@digest`. */
export const at = (r: RepositoryRef, reference: string): string => `${r.registry}/${r.repository}${isDigestSyntax(reference) ? '@' : ':'}${reference}`

export async function fetchOrNotFound(client: RegistryClient, repo: RepositoryRef, reference: string, message: string): Promise<FetchedManifest> {
  try {
    return await client.getManifest(repo, reference)
  } catch (err) {
    if (isSigilError(err) && err.code === 'MANIFEST_UNKNOWN') throw new SigningError('IMAGE_NOT_FOUND', message, {cause: err})
    throw err
  }
}

export async function resolveIfExists(client: RegistryClient, repo: RepositoryRef, reference: string): Promise<{digest: string} | undefined> {
  try {
    return await client.resolveDigest(repo, reference)
  } catch (err) {
    if (isSigilError(err) && err.code === 'MANIFEST_UNKNOWN') return undefined
    throw err
  }
}

/** The manifest's media type, from the registry or its own `mediaType` field. */
export function mediaTypeOf(m: {bytes: Uint8Array; mediaType: string; digest: string}): string {
  if (m.mediaType !== '') return m.mediaType
  throw new SigningError('REGISTRY_PROTOCOL', `the manifest ${m.digest} has no media type; cannot push it`)
}

/** The manifest of one platform of the index `top` (cosign's `--platform`: `os/arch[/variant]`). */
export async function forPlatform(client: RegistryClient, repo: RepositoryRef, top: FetchedManifest, wanted: string, name: string): Promise<{manifest: FetchedManifest; platform: string}> {
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
export async function walk(client: RegistryClient, repo: RepositoryRef, top: FetchedManifest, platform: string | undefined, limit: number, name: string): Promise<ManifestNode[]> {
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
export function blobsOf(bytes: Uint8Array, what: string): Descriptor[] {
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


/** Push `m` by digest unless `dst` has it (HEAD). True when pushed. */
export async function putIfMissing(client: RegistryClient, dst: RepositoryRef, m: {digest: string; bytes: Uint8Array; mediaType: string}, emit: (e: CopyEvent) => void): Promise<boolean> {
  if ((await resolveIfExists(client, dst, m.digest)) !== undefined) return false
  emit({kind: 'write', location: at(dst, m.digest)})
  await client.putManifest(dst, m.digest, m.bytes, m.mediaType)
  return true
}

