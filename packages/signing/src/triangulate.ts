import type {ImageReference} from '@sigil/core'
import type {RegistryClient} from '@sigil/oci'
import {resolveForVerification} from './resolve.js'
import {signatureLocation} from './signature-location.js'
import type {SignatureLocationOptions} from './signature-location.js'

/** Options of `triangulate`. */
export interface TriangulateOptions extends SignatureLocationOptions {
  readonly client: RegistryClient
  /** Which attachment. Default `signature`. */
  readonly type?: 'signature' | 'attestation' | 'sbom' | 'digest'
}

/**
 * Where an image's attachments live, as `cosign triangulate` prints it
 * (`registry/repo:sha256-<hex>.sig`), or the image's own digest reference for `digest`.
 */
export async function triangulate(image: ImageReference, options: TriangulateOptions): Promise<string> {
  const digest = await resolveForVerification(options.client, image)
  const type = options.type ?? 'signature'
  if (type === 'digest') return `${image.repositoryName}@${digest}`
  const suffix = type === 'signature' ? 'sig' : type === 'attestation' ? 'att' : 'sbom'
  return signatureLocation(image, digest, options, suffix).name
}
