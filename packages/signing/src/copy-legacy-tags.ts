/** `copy`'s legacy attachments: a `.sig`/`.att`/`.sbom` tag merged into the destination's. */
import {
  DOCKER_CONFIG_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  OCI_CONFIG_MEDIA_TYPE,
  SIGNATURE_ANNOTATION,
  buildSignatureConfig,
  buildSignatureManifest,
  parseSignatureManifest,
  sha256Digest,
  signatureTag,
  ATTACHMENT_TAG_SUFFIX,
} from '@sigil/core'
import type {AttachmentKind, Descriptor, SignatureManifest} from '@sigil/core'
import type {FetchedManifest, RegistryClient, RepositoryRef} from '@sigil/oci'
import type {BlobCopier} from './copy-blobs.js'
import type {CopiedAttachment, CopyEvent} from './copy.js'
import {at} from './copy-manifests.js'
import {SigningError} from './error.js'
import {readBack} from './settle.js'

const SUFFIX = ATTACHMENT_TAG_SUFFIX

/** What the attachment copiers share: the client, the bounds of a read-modify-write, `force`, events. */
export interface ReadWrite {
  readonly client: RegistryClient
  readonly maxRounds: number
  readonly settleMs?: number
  readonly force: boolean
  readonly emit: (e: CopyEvent) => void
}


const layerKey = (l: Descriptor): string => `${l.digest} ${l.annotations?.[SIGNATURE_ANNOTATION] ?? ''}`

/**
 * The `.sig`/`.att`/`.sbom` tag of `subject` at `dst`, holding every layer the source's has:
 * the source's manifest as is when `dst` has none, else the destination's with the missing
 * layers appended (a read-modify-write read back like the legacy store's `add`).
 */
export async function copyLegacyTag(
  rw: ReadWrite,
  src: RepositoryRef,
  dst: RepositoryRef,
  subject: string,
  kind: AttachmentKind,
  prefix: string,
  blobs: BlobCopier,
): Promise<CopiedAttachment | undefined> {
  const {client} = rw
  const tag = signatureTag(subject, SUFFIX[kind], prefix)
  const found = await client.getManifestIfExists(src, tag)
  if (!found) return undefined
  const source = at(src, tag)
  const destination = at(dst, tag)
  const parsed = readSignatureManifest(found.bytes, source)
  const result = (written: boolean): CopiedAttachment => ({kind, format: 'legacy-tag', subject, source, destination, written})
  // The destination's tag is read first: the same manifest there needs no blob checked.
  let first: FetchedManifest | undefined = await client.getManifestIfExists(dst, tag)
  if (first?.digest === found.digest) return result(false)
  await blobs.copy([parsed.config, ...parsed.layers])
  const wanted = new Set(parsed.layers.map(layerKey))
  for (let round = 1; ; round++) {
    const started = performance.now()
    const existing = round === 1 ? first : await client.getManifestIfExists(dst, tag)
    first = undefined
    if (existing?.digest === found.digest) return result(round > 1)
    let manifest: Uint8Array
    let mediaType: string
    let existingLayers = 0
    let current: SignatureManifest | undefined
    try {
      current = existing && readSignatureManifest(existing.bytes, destination)
    } catch (err) {
      if (!rw.force) throw new SigningError('INVALID_SIGNATURE_MANIFEST', `${(err as Error).message}; refusing to overwrite it (use -f to replace it with the source's)`, {cause: err})
    }
    if (current === undefined) {
      ;[manifest, mediaType] = [found.bytes, parsed.mediaType]
    } else {
      const have = new Set(current.layers.map(layerKey))
      const missing = parsed.layers.filter((l) => !have.has(layerKey(l)))
      if (missing.length === 0) return result(round > 1)
      existingLayers = current.layers.length
      const layers = [...current.layers, ...missing]
      mediaType = current.mediaType
      const config = buildSignatureConfig(layers.map((l) => l.digest))
      const configDescriptor: Descriptor = {mediaType: mediaType === DOCKER_MANIFEST_MEDIA_TYPE ? DOCKER_CONFIG_MEDIA_TYPE : OCI_CONFIG_MEDIA_TYPE, size: config.length, digest: sha256Digest(config)}
      await client.uploadBlob(dst, configDescriptor.digest, config)
      manifest = buildSignatureManifest({mediaType, config: configDescriptor, layers, annotations: current.annotations, subject: current.subject})
    }
    rw.emit({kind: 'write', location: destination})
    await client.putManifest(dst, tag, manifest, mediaType)
    const after = await readBack(
      performance.now() - started,
      rw.settleMs,
      () => client.getManifestIfExists(dst, tag),
      (read) => read !== undefined && hasAll(read.bytes, wanted),
      () => round > 1 || existingLayers > 0,
    )
    if (after !== undefined && hasAll(after.bytes, wanted)) return result(true)
    if (round >= rw.maxRounds) throw new SigningError('SIGNING_FAILED', `${rw.maxRounds} attempts to add ${source}'s layers to ${destination} lost to concurrent writers; copy again`)
  }
}

function readSignatureManifest(bytes: Uint8Array, where: string): SignatureManifest {
  try {
    return parseSignatureManifest(bytes)
  } catch (err) {
    throw new SigningError('INVALID_SIGNATURE_MANIFEST', `${where}: ${(err as Error).message}`, {cause: err})
  }
}

function hasAll(bytes: Uint8Array, keys: ReadonlySet<string>): boolean {
  try {
    const have = new Set(parseSignatureManifest(bytes).layers.map(layerKey))
    return [...keys].every((k) => have.has(k))
  } catch {
    return false
  }
}

