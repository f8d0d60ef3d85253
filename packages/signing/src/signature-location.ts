import {signatureTag} from '@sigil/core'
import type {ImageReference} from '@sigil/core'
import type {RepositoryRef} from '@sigil/oci'

/** Where an image's attached artifacts live (cosign's `.sig`/`.att` tag scheme, spec §2.1). */
export interface SignatureLocationOptions {
  /** Replace the whole repository (cosign's `COSIGN_REPOSITORY`). Default: the image's own. */
  readonly signatureRepository?: RepositoryRef
  /** Prepended to the tag (`--attachment-tag-prefix`). Default ''. */
  readonly attachmentTagPrefix?: string
}

/** The repository and tag holding the attachments of `digest`. */
export interface SignatureLocation {
  readonly repository: RepositoryRef
  readonly tag: string
  /** `registry/repository:tag`, as cosign prints it. */
  readonly name: string
}

/** Locate the `.sig` (or `.att`/`.sbom`) tag of the manifest `digest` in `image`'s repository. */
export function signatureLocation(
  image: ImageReference,
  digest: string,
  options: SignatureLocationOptions = {},
  suffix: 'sig' | 'att' | 'sbom' = 'sig',
): SignatureLocation {
  const repository = options.signatureRepository ?? {registry: image.registry, repository: image.repository}
  const tag = signatureTag(digest, suffix, options.attachmentTagPrefix ?? '')
  return {repository, tag, name: `${repository.registry}/${repository.repository}:${tag}`}
}
