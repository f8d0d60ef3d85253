import {isSigilError, parseSignatureManifest} from '@sigil/core'
import type {ImageReference} from '@sigil/core'
import type {RegistryClient} from '@sigil/oci'
import {resolveForVerification} from './resolve.js'
import {signatureLocation} from './signature-location.js'
import type {SignatureLocationOptions} from './signature-location.js'

/** Options of {@link attachmentTree}. */
export interface AttachmentTreeOptions extends SignatureLocationOptions {
  readonly client: RegistryClient
}

/** One kind of attachment an image has, as cosign stores it under a tag. */
export interface AttachmentBranch {
  readonly kind: 'signature' | 'attestation' | 'sbom'
  /** `registry/repo:sha256-<hex>.sig`. */
  readonly location: string
  /** One per signature, attestation or SBOM, in the order stored. */
  readonly layers: ReadonlyArray<{readonly digest: string; readonly mediaType: string; readonly size: number}>
}

/** What {@link attachmentTree} found. */
export interface AttachmentTree {
  readonly digest: string
  /** Only the kinds present, signatures first. */
  readonly branches: readonly AttachmentBranch[]
}

const KINDS = [
  ['signature', 'sig'],
  ['attestation', 'att'],
  ['sbom', 'sbom'],
] as const

/**
 * The signatures, attestations and SBOMs attached to an image (cosign's `.sig`, `.att` and
 * `.sbom` tags), read at once. A missing tag means none of that kind; any other registry fault
 * or a tag that is not a signature manifest is an error, never "nothing attached".
 */
export async function attachmentTree(image: ImageReference, options: AttachmentTreeOptions): Promise<AttachmentTree> {
  const digest = await resolveForVerification(options.client, image)
  const found = await Promise.all(
    KINDS.map(async ([kind, suffix]): Promise<AttachmentBranch | undefined> => {
      const location = signatureLocation(image, digest, options, suffix)
      let bytes: Uint8Array
      try {
        bytes = (await options.client.getManifest(location.repository, location.tag)).bytes
      } catch (err) {
        if (isSigilError(err) && err.code === 'MANIFEST_UNKNOWN') return undefined
        throw err
      }
      const manifest = parseSignatureManifest(bytes)
      return {kind, location: location.name, layers: manifest.layers.map((l) => ({digest: l.digest, mediaType: l.mediaType, size: l.size}))}
    }),
  )
  return {digest, branches: found.filter((b): b is AttachmentBranch => b !== undefined)}
}
