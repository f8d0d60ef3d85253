import {isDigest} from '@sigil/core'
import type {Descriptor} from '@sigil/core'
import {isIndexMediaType} from './recursive.js'
import {manifestProblem} from './resolve.js'

/** What a manifest points to: an index's manifests, or an image manifest's config and layers. */
export interface ManifestReferences {
  /** The manifest's own media type (`mediaType` field; else guessed from its shape). */
  readonly mediaType: string
  /** Manifests an index lists (empty for an image manifest). */
  readonly manifests: readonly Descriptor[]
  /** Blobs an image manifest needs: config, then layers (empty for an index). */
  readonly blobs: readonly Descriptor[]
  /** The `subject` of a referrer. */
  readonly subject?: Descriptor
}

/** Most descriptors read from one manifest. */
const MAX_REFERENCES = 10_000

/**
 * Read what `bytes` (an OCI or Docker image manifest or index) refers to, checking each
 * descriptor's digest and size; `fail` is called with the reason when it is not a manifest.
 */
export function manifestReferences(bytes: Uint8Array, fail: (reason: string) => never): ManifestReferences {
  const problem = manifestProblem(bytes)
  if (problem !== undefined) fail(problem)
  const m = JSON.parse(new TextDecoder().decode(bytes)) as {mediaType?: unknown; manifests?: unknown; config?: unknown; layers?: unknown; subject?: unknown}
  const descriptor = (d: unknown, path: string): Descriptor => {
    if (typeof d !== 'object' || d === null || Array.isArray(d)) return fail(`${path} is not a descriptor`)
    const {mediaType, size, digest} = d as {mediaType?: unknown; size?: unknown; digest?: unknown}
    if (typeof digest !== 'string' || !isDigest(digest)) fail(`${path}.digest ${JSON.stringify(digest)} is not a digest`)
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) fail(`${path}.size ${JSON.stringify(size)}`)
    return {mediaType: typeof mediaType === 'string' ? mediaType : '', size: size as number, digest: digest as string}
  }
  const list = (value: unknown, path: string): Descriptor[] => {
    if (!Array.isArray(value)) return fail(`${path} is not a list`)
    if (value.length > MAX_REFERENCES) fail(`${path} lists ${value.length} entries, more than ${MAX_REFERENCES}`)
    return value.map((d, i) => descriptor(d, `${path}[${i}]`))
  }
  const isIndex = typeof m.mediaType === 'string' ? isIndexMediaType(m.mediaType) : m.manifests !== undefined
  const subject = m.subject === undefined || m.subject === null ? undefined : descriptor(m.subject, 'subject')
  if (isIndex) {
    return {mediaType: typeof m.mediaType === 'string' ? m.mediaType : 'application/vnd.oci.image.index.v1+json', manifests: list(m.manifests, 'manifests'), blobs: [], ...(subject && {subject})}
  }
  const blobs = [descriptor(m.config, 'config'), ...list(m.layers ?? [], 'layers')]
  return {mediaType: typeof m.mediaType === 'string' ? m.mediaType : 'application/vnd.oci.image.manifest.v1+json', manifests: [], blobs, ...(subject && {subject})}
}
