import {isSigilError} from '@sigil/core'
import type {ImageReference} from '@sigil/core'
import type {RegistryClient} from '@sigil/oci'
import {SigningError} from './error.js'

function repoOf(image: ImageReference) {
  return {registry: image.registry, repository: image.repository}
}

/** Rethrow `err`, as IMAGE_NOT_FOUND when the registry has no such manifest. */
export function notFound(image: ImageReference, err: unknown): never {
  if (isSigilError(err) && err.code === 'MANIFEST_UNKNOWN') {
    throw new SigningError('IMAGE_NOT_FOUND', `image tag not found: ${image.name}`, {cause: err})
  }
  throw err
}

/**
 * The digest to sign. A digest reference needs no request; a tag is resolved with HEAD
 * (cheap, and free of Docker Hub's pull limit).
 */
export async function resolveForSigning(client: RegistryClient, image: ImageReference): Promise<string> {
  if (image.digest) return image.digest
  try {
    return (await client.resolveDigest(repoOf(image), image.tag ?? 'latest')).digest
  } catch (err) {
    return notFound(image, err)
  }
}

/**
 * The digest of an image that must exist: a digest reference is checked too (HEAD), so that
 * nothing is attached to, or read for, a manifest the registry does not have.
 */
export async function resolveExisting(client: RegistryClient, image: ImageReference): Promise<string> {
  try {
    return (await client.resolveDigest(repoOf(image), image.digest ?? image.tag ?? 'latest')).digest
  } catch (err) {
    return notFound(image, err)
  }
}

/**
 * The digest to verify. A tag is resolved with GET so the digest is computed here from the
 * bytes, not taken from a header the registry could get wrong.
 */
export async function resolveForVerification(client: RegistryClient, image: ImageReference, options: {head?: boolean} = {}): Promise<string> {
  if (image.digest) return image.digest
  // Rate-limited registries (Docker Hub) count GETs as pulls: resolve like signing does.
  if (options.head) return resolveForSigning(client, image)
  let manifest
  try {
    manifest = await client.getManifest(repoOf(image), image.tag ?? 'latest')
  } catch (err) {
    return notFound(image, err)
  }
  // What the tag points to must at least be a manifest: garbage from the registry is its fault,
  // to be reported as such, not an image that merely has no signatures.
  const problem = manifestProblem(manifest.bytes)
  if (problem !== undefined) {
    throw new SigningError('REGISTRY_PROTOCOL', `the registry answered ${image.name} with something that is not an image manifest (${problem})`)
  }
  return manifest.digest
}

/** Why `bytes` cannot be an OCI/Docker manifest or index (JSON object, schemaVersion 2), or undefined. */
export function manifestProblem(bytes: Uint8Array): string | undefined {
  let doc: unknown
  try {
    doc = JSON.parse(new TextDecoder('utf-8', {fatal: true}).decode(bytes))
  } catch {
    return 'not JSON'
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'not a JSON object'
  if ((doc as {schemaVersion?: unknown}).schemaVersion !== 2) return `schemaVersion ${JSON.stringify((doc as {schemaVersion?: unknown}).schemaVersion)}, expected 2`
  return undefined
}
