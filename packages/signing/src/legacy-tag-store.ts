import {
  DOCKER_MANIFEST_MEDIA_TYPE,
  DSSE_ENVELOPE_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  SigilError,
  appendSignatureLayer,
  isSigilError,
  parseSignatureManifest,
  sha256Digest,
  signatureTag,
  ATTACHMENT_TAG_SUFFIX,
} from '@sigil/core'
import type {AddAttachmentResult, AttachmentKind, AttachmentStore, AttachmentSubject, Descriptor, SignatureManifest, StoredAttachment} from '@sigil/core'
import type {RegistryClient, RepositoryRef} from '@sigil/oci'
import {SigningError} from './error.js'
import {readSignatureManifest, uploadSignatureManifest} from './legacy-tag-write.js'
import {blobRace, readBack, settleDelay, sleep} from './settle.js'

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
  /** Write Docker schema 2 media types for a new `.sig` manifest (`COSIGN_DOCKER_MEDIA_TYPES`). Default false (OCI). */
  readonly dockerMediaTypes?: boolean
  /** Bound on write rounds of a tag under concurrent writers. Default 6. */
  readonly maxRounds?: number
  /** Least pause before reading a tag back, in ms. Default 25 (it adapts to the registry). */
  readonly settleMs?: number
}

/** The manifest media type for a new `.sig` image. */
export function newSignatureManifestMediaType(dockerMediaTypes = false): string {
  return dockerMediaTypes ? DOCKER_MANIFEST_MEDIA_TYPE : OCI_MANIFEST_MEDIA_TYPE
}

/** The `.sig` manifest already at `location`, parsed; a broken one is an error, never overwritten. */
async function readExisting(
  client: RegistryClient,
  location: {repository: RepositoryRef; tag: string; name: string},
): Promise<(SignatureManifest & {digest: string}) | undefined> {
  const fetched = await client.getManifestIfExists(location.repository, location.tag)
  if (!fetched) return undefined
  try {
    return {...parseSignatureManifest(fetched.bytes), digest: fetched.digest}
  } catch (err) {
    // Never replace what we cannot read: that would drop other people's signatures.
    throw new SigningError(
      'INVALID_SIGNATURE_MANIFEST',
      `the existing signature manifest ${location.name} is not valid (${(err as Error).message}); refusing to overwrite it`,
      {cause: err},
    )
  }
}


/** The tag suffix of each attachment kind (`sha256-<hex>.sig`, `.att`, `.sbom`). */
const SUFFIX = ATTACHMENT_TAG_SUFFIX

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
      return readSignatureManifest(manifest.bytes, location.name).layers.map((layer) => ({
        kind,
        format: kind === 'attestation' ? 'dsse-envelope' : 'simple-signing',
        location: location.name,
        digest: layer.digest,
        mediaType: layer.mediaType,
        size: layer.size,
        ...(layer.annotations ? {annotations: layer.annotations} : {}),
      }))
    },

    /**
     * Append a signature layer to the `.sig` tag (cosign's format and dedup rule). The tag is a
     * read-modify-write shared with every other signer of the image: it is read, written, and
     * read back after a pause longer than such a read-modify-write takes (a second, longer look
     * when others are signing too); a layer another signer's write dropped is merged in again,
     * bounded. Blobs go up before the manifest, so a failure never leaves a half-written tag.
     */
    async add(subject, attachment, addOptions = {}): Promise<AddAttachmentResult> {
      if (attachment.format !== 'simple-signing' && attachment.format !== 'dsse-envelope') {
        throw new SigilError('INVALID_ARGUMENT', `the legacy tag store keeps simple-signing signatures and DSSE attestations, not ${attachment.format}`)
      }
      const location = where(subject, attachment.kind)
      // The payload (a signature's) goes up while the signature is still being made; the tag is read only after.
      const pending = attachment.format === 'simple-signing' ? attachment.payload : undefined
      let payloadUploaded: Promise<unknown> | undefined = pending && client.uploadBlob(location.repository, sha256Digest(pending), pending)
      payloadUploaded?.catch(() => {}) // awaited below; never an unhandled rejection meanwhile
      let payload: Uint8Array
      let layer: Descriptor
      if (attachment.format === 'simple-signing') {
        payload = attachment.payload
        layer = {mediaType: SIMPLE_SIGNING_MEDIA_TYPE, size: payload.length, digest: sha256Digest(payload), annotations: {[SIGNATURE_ANNOTATION]: await attachment.signature}}
      } else {
        // cosign's .att layer: the envelope, an empty signature annotation and the predicate type.
        payload = await attachment.envelope
        layer = {mediaType: DSSE_ENVELOPE_MEDIA_TYPE, size: payload.length, digest: sha256Digest(payload), annotations: {[SIGNATURE_ANNOTATION]: '', predicateType: attachment.predicateType}}
      }
      const payloadDigest = layer.digest
      const signature = layer.annotations![SIGNATURE_ANNOTATION]
      const isOurs = (l: Descriptor) => l.digest === layer.digest && l.annotations?.[SIGNATURE_ANNOTATION] === signature
      const verifyExisting = addOptions.verifyExisting
      const replaced = (l: Descriptor) => !isOurs(l) && addOptions.replace?.(l) === true
      const rounds = options.maxRounds ?? 6
      let writing = false
      for (let round = 1; ; round++) {
        const started = performance.now()
        const existing = await readExisting(client, location)
        const kept = existing ? {mediaType: existing.mediaType, layers: existing.layers.filter((l) => !replaced(l))} : undefined
        const dropped = (existing?.layers.length ?? 0) - (kept?.layers.length ?? 0)
        // An identical envelope already there is the same attestation (signatures dedup by key, see appendSignatureLayer).
        const merged =
          attachment.format === 'dsse-envelope' && kept?.layers.some(isOurs)
            ? {layers: kept.layers, appended: false}
            : appendSignatureLayer(kept, layer, (old) => (verifyExisting ? verifyExisting(payload, old) : false))
        if (!merged.appended && dropped === 0) {
          return {added: round > 1, location: location.name, ...(existing ? {manifestDigest: existing.digest} : {})}
        }
        if (!writing) addOptions.onWrite?.(location.name)
        writing = true
        const mediaType = existing?.mediaType ?? newSignatureManifestMediaType(options.dockerMediaTypes)
        const manifest = await uploadSignatureManifest(
          client,
          location.repository,
          {mediaType, layers: merged.layers, annotations: existing?.annotations, subject: existing?.subject},
          payloadUploaded ?? client.uploadBlob(location.repository, payloadDigest, payload),
        )
        payloadUploaded = undefined // a later round uploads it again (another writer may race us on it)
        let pushed: {digest: string}
        try {
          pushed = await client.putManifest(location.repository, location.tag, manifest, mediaType)
        } catch (err) {
          // Another writer uploading the same blob at this moment can make the registry briefly
          // deny it exists: that round is lost, not the signature.
          if (!blobRace(err) || round >= rounds) throw err
          await sleep(settleDelay(performance.now() - started, options.settleMs))
          continue
        }
        const after = await readBack(
          performance.now() - started,
          options.settleMs,
          () => readExisting(client, location),
          (read) => read?.layers.some(isOurs) === true && !read.layers.some(replaced),
          (read) => round > 1 || (existing?.layers.length ?? 0) > 0 || read?.digest !== pushed.digest,
        )
        if (after?.layers.some(isOurs) && !after.layers.some(replaced)) return {added: true, location: location.name, manifestDigest: after.digest}
        if (round >= rounds) {
          throw new SigningError('SIGNING_FAILED', `${rounds} attempts to add the signature to ${location.name} lost to concurrent writers; sign again`)
        }
      }
    },

    /** Remove one layer from its tag (the tag's manifest goes when it was the last), keeping the others. */
    async delete(subject, attachment): Promise<boolean> {
      const location = where(subject, attachment.kind)
      const signature = attachment.annotations?.[SIGNATURE_ANNOTATION]
      const isIt = (l: Descriptor) => l.digest === attachment.digest && (signature === undefined || l.annotations?.[SIGNATURE_ANNOTATION] === signature)
      const rounds = options.maxRounds ?? 6
      for (let round = 1; ; round++) {
        const started = performance.now()
        const existing = await readExisting(client, location)
        if (!existing || !existing.layers.some(isIt)) return round > 1
        const layers = existing.layers.filter((l) => !isIt(l))
        if (layers.length === 0) {
          await client.deleteManifest(location.repository, existing.digest)
        } else {
          const manifest = await uploadSignatureManifest(client, location.repository, {mediaType: existing.mediaType, layers, annotations: existing.annotations, subject: existing.subject})
          await client.putManifest(location.repository, location.tag, manifest, existing.mediaType)
        }
        await sleep(settleDelay(performance.now() - started, options.settleMs))
        const after = await readExisting(client, location)
        if (!after?.layers.some(isIt)) return true
        if (round >= rounds) throw new SigningError('SIGNING_FAILED', `${rounds} attempts to remove ${attachment.digest} from ${location.name} lost to concurrent writers`)
      }
    },

    /** Delete the whole tag's manifest by digest, as `cosign clean` does (the tag goes with it). */
    async clear(subject, kind): Promise<string | undefined> {
      const location = where(subject, kind)
      const existing = await client.getManifestIfExists(location.repository, location.tag)
      if (!existing) return undefined
      try {
        await client.deleteManifest(location.repository, existing.digest)
      } catch (err) {
        if (isSigilError(err) && err.code === 'MANIFEST_UNKNOWN') return undefined // removed meanwhile
        throw err
      }
      return location.name
    },

    read(subject, attachment): Promise<Uint8Array> {
      if (attachment.size > limit) {
        return Promise.reject(new SigningError('INVALID_PAYLOAD', `${attachment.location}: layer ${attachment.digest} is ${attachment.size} bytes, over the ${limit}-byte limit`))
      }
      const repository = options.signatureRepository ?? {registry: subject.registry, repository: subject.repository}
      const key = `${repository.registry}/${repository.repository}@${attachment.digest}`
      let blob = blobs.get(key)
      if (!blob) {
        // Read no more than the descriptor declares: a registry streaming more is refused at once.
        blob = client.getBlob(repository, attachment.digest, {maxBytes: attachment.size})
        blobs.set(key, blob)
        // A failed fetch is not remembered: another layer may try again.
        blob.catch(() => blobs.delete(key))
      }
      // The cached bytes are shared by every layer with this digest: each caller gets its own copy.
      return blob.then((bytes) => bytes.slice())
    },
  }
}
