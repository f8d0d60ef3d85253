/** Writing a `.sig`/`.att`/`.sbom` tag's signature manifest: its rebuild, and a lossless merge into it. */
import {
  DOCKER_CONFIG_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  OCI_CONFIG_MEDIA_TYPE,
  SIGNATURE_ANNOTATION,
  buildSignatureConfig,
  buildSignatureManifest,
  parseSignatureManifest,
  sha256Digest,
} from '@sigil/core'
import type {Descriptor, SignatureManifest} from '@sigil/core'
import type {FetchedManifest, RegistryClient, RepositoryRef} from '@sigil/oci'
import {SigningError} from './error.js'
import {readBack} from './settle.js'

/** What a signature manifest is rebuilt from: the media type, layers, annotations and subject it keeps. */
export interface SignatureManifestFields {
  readonly mediaType: string
  readonly layers: readonly Descriptor[]
  readonly annotations?: SignatureManifest['annotations']
  readonly subject?: SignatureManifest['subject']
}

/**
 * The signature manifest holding `fields.layers`, its config (Docker or OCI by the manifest's
 * media type) uploaded to `repo` first, alongside `alongside` (another upload the manifest
 * needs). Returns the manifest's bytes, for the caller to put.
 */
export async function uploadSignatureManifest(
  client: RegistryClient,
  repo: RepositoryRef,
  fields: SignatureManifestFields,
  alongside?: Promise<unknown>,
): Promise<Uint8Array> {
  const {mediaType, layers} = fields
  const config = buildSignatureConfig(layers.map((l) => l.digest))
  const configDescriptor: Descriptor = {mediaType: mediaType === DOCKER_MANIFEST_MEDIA_TYPE ? DOCKER_CONFIG_MEDIA_TYPE : OCI_CONFIG_MEDIA_TYPE, size: config.length, digest: sha256Digest(config)}
  await Promise.all([alongside, client.uploadBlob(repo, configDescriptor.digest, config)])
  return buildSignatureManifest({mediaType, config: configDescriptor, layers: [...layers], annotations: fields.annotations, subject: fields.subject})
}

/** The identity of a layer in a merge: its digest and signature. */
export const layerKey = (l: Descriptor): string => `${l.digest} ${l.annotations?.[SIGNATURE_ANNOTATION] ?? ''}`

/** The bounds of a read-modify-write of a tag. */
export interface TagReadWrite {
  readonly client: RegistryClient
  readonly maxRounds: number
  readonly settleMs?: number
}

/** A signature manifest to merge into a tag: its bytes and digest as they are, and parsed. */
export interface MergedManifest {
  readonly bytes: Uint8Array
  readonly digest: string
  readonly parsed: SignatureManifest
}

/** How {@link mergeIntoLegacyTag} reports and decides. */
export interface MergeIntoLegacyTag {
  /** Where the tag is, for messages (`registry/repository:tag`). */
  readonly location: string
  /** The tag's manifest already read (none: `{manifest: undefined}`): round 1 uses it rather than reading again. */
  readonly first?: {readonly manifest: FetchedManifest | undefined}
  /**
   * The tag holds something that is not a signature manifest (`err` says why): throw, or return
   * to have it replaced with `source` as is.
   */
  readonly unreadable: (err: SigningError) => void
  /** Told before each write. */
  readonly onWrite?: () => void
  /** The message when `maxRounds` rounds all lost to concurrent writers. */
  readonly lost: string
}

/**
 * Make the tag `tag` at `repo` hold every layer of `source` (its blobs already there): `source`
 * as is when the tag is free, else the tag's manifest with the missing layers appended (same
 * media type, annotations and subject). A read-modify-write read back like the legacy store's
 * `add`, so a concurrent writer's layers are kept and ours are not lost. Returns whether it
 * wrote (or saw a round's write land).
 */
export async function mergeIntoLegacyTag(rw: TagReadWrite, repo: RepositoryRef, tag: string, source: MergedManifest, how: MergeIntoLegacyTag): Promise<boolean> {
  const {client} = rw
  const wanted = new Set(source.parsed.layers.map(layerKey))
  let first = how.first
  for (let round = 1; ; round++) {
    const started = performance.now()
    const existing = first !== undefined ? first.manifest : await client.getManifestIfExists(repo, tag)
    first = undefined
    if (existing?.digest === source.digest) return round > 1
    let manifest: Uint8Array
    let mediaType: string
    let existingLayers = 0
    let current: SignatureManifest | undefined
    try {
      current = existing && readSignatureManifest(existing.bytes, how.location)
    } catch (err) {
      how.unreadable(err as SigningError)
    }
    if (current === undefined) {
      ;[manifest, mediaType] = [source.bytes, source.parsed.mediaType]
    } else {
      const have = new Set(current.layers.map(layerKey))
      const missing = source.parsed.layers.filter((l) => !have.has(layerKey(l)))
      if (missing.length === 0) return round > 1
      existingLayers = current.layers.length
      mediaType = current.mediaType
      manifest = await uploadSignatureManifest(client, repo, {mediaType, layers: [...current.layers, ...missing], annotations: current.annotations, subject: current.subject})
    }
    how.onWrite?.()
    await client.putManifest(repo, tag, manifest, mediaType)
    const after = await readBack(
      performance.now() - started,
      rw.settleMs,
      () => client.getManifestIfExists(repo, tag),
      (read) => read !== undefined && hasAll(read.bytes, wanted),
      () => round > 1 || existingLayers > 0,
    )
    if (after !== undefined && hasAll(after.bytes, wanted)) return true
    if (round >= rw.maxRounds) throw new SigningError('SIGNING_FAILED', how.lost)
  }
}

/** `bytes` parsed as a signature manifest, else INVALID_SIGNATURE_MANIFEST saying `where`. */
export function readSignatureManifest(bytes: Uint8Array, where: string): SignatureManifest {
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
