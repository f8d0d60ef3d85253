import {isSigilError, parseSignatureManifest, signatureTag} from '@sigil/core'
import type {AttachmentKind, AttachmentStore, AttachmentSubject, StoredAttachment} from '@sigil/core'
import type {RegistryClient, RepositoryRef} from '@sigil/oci'
import {SigningError} from './error.js'

/** cosign's cap on one attachment (`COSIGN_MAX_ATTACHMENT_SIZE`, 128 MiB). */
export const MAX_PAYLOAD_BYTES = 128 * 1024 * 1024

/** Options of {@link legacyTagStore}. */
export interface LegacyTagStoreOptions {
  readonly client: RegistryClient
  /** Keep attachments in another repository (cosign's `COSIGN_REPOSITORY`). Default: the subject's. */
  readonly signatureRepository?: RepositoryRef
  /** Prepended to the tag (`--attachment-tag-prefix`). Default ''. */
  readonly attachmentTagPrefix?: string
  /** Largest payload read. Default 128 MiB. */
  readonly maxPayloadBytes?: number
}

const SUFFIX: Readonly<Record<AttachmentKind, 'sig' | 'att' | 'sbom'>> = {signature: 'sig', attestation: 'att', sbom: 'sbom'}

/**
 * cosign's legacy storage: every signature of a manifest is a layer of the image manifest
 * tagged `sha256-<hex>.sig` (attestations `.att`, SBOMs `.sbom`), its content a blob. Each
 * distinct blob is fetched once per store, however many layers share it.
 */
export function legacyTagStore(options: LegacyTagStoreOptions): AttachmentStore {
  const {client} = options
  const limit = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES
  const blobs = new Map<string, Promise<Uint8Array>>()
  const where = (subject: AttachmentSubject, kind: AttachmentKind) => {
    const repository = options.signatureRepository ?? {registry: subject.registry, repository: subject.repository}
    const tag = signatureTag(subject.digest, SUFFIX[kind], options.attachmentTagPrefix ?? '')
    return {repository, tag, name: `${repository.registry}/${repository.repository}:${tag}`}
  }
  return {
    name: 'legacy-tags',

    async list(subject, kind): Promise<StoredAttachment[]> {
      const location = where(subject, kind)
      const manifest = await client.getManifestIfExists(location.repository, location.tag)
      if (!manifest) return []
      let layers
      try {
        layers = parseSignatureManifest(manifest.bytes).layers
      } catch (err) {
        if (isSigilError(err)) throw new SigningError('INVALID_SIGNATURE_MANIFEST', `${location.name}: ${err.message}`, {cause: err})
        throw err
      }
      return layers.map((layer) => ({
        kind,
        format: kind === 'attestation' ? 'dsse-envelope' : 'simple-signing',
        location: location.name,
        digest: layer.digest,
        mediaType: layer.mediaType,
        size: layer.size,
        ...(layer.annotations ? {annotations: layer.annotations} : {}),
      }))
    },

    read(subject, attachment): Promise<Uint8Array> {
      if (attachment.size > limit) {
        return Promise.reject(new SigningError('INVALID_PAYLOAD', `${attachment.location}: layer ${attachment.digest} is ${attachment.size} bytes, over the ${limit}-byte limit`))
      }
      const repository = options.signatureRepository ?? {registry: subject.registry, repository: subject.repository}
      const key = `${repository.registry}/${repository.repository}@${attachment.digest}`
      let blob = blobs.get(key)
      if (!blob) {
        blob = client.getBlob(repository, attachment.digest, {maxBytes: limit})
        blobs.set(key, blob)
        // A failed fetch is not remembered: another layer may try again.
        blob.catch(() => blobs.delete(key))
      }
      // The cached bytes are shared by every layer with this digest: each caller gets its own copy.
      return blob.then((bytes) => bytes.slice())
    },
  }
}
