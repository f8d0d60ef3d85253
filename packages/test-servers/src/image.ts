/**
 * Push small random images (single-platform OCI images, or OCI indexes with one image per
 * platform; Docker schema 2 images and manifest lists too) through a RegistryClient, so every
 * test works on fresh, unique digests.
 */
import {createHash, randomBytes} from 'node:crypto'
import {gzipSync} from 'node:zlib'
import {
  DOCKER_CONFIG_MEDIA_TYPE,
  DOCKER_LIST_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  OCI_CONFIG_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from '@sigil/core'
import type {RegistryClient, RepositoryRef} from '@sigil/oci'

/** OCI layer media type (gzip-compressed tar). */
export const OCI_LAYER_GZIP_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip'
/** Docker schema 2 layer media type (gzip-compressed tar). */
const DOCKER_LAYER_GZIP_MEDIA_TYPE = 'application/vnd.docker.image.rootfs.diff.tar.gzip'

/** `oci`: OCI image manifests and index; `docker`: Docker schema 2 manifests and manifest list. */
export type ImageFormat = 'oci' | 'docker'

const MEDIA_TYPES = {
  oci: {manifest: OCI_MANIFEST_MEDIA_TYPE, config: OCI_CONFIG_MEDIA_TYPE, layer: OCI_LAYER_GZIP_MEDIA_TYPE, index: OCI_INDEX_MEDIA_TYPE},
  docker: {manifest: DOCKER_MANIFEST_MEDIA_TYPE, config: DOCKER_CONFIG_MEDIA_TYPE, layer: DOCKER_LAYER_GZIP_MEDIA_TYPE, index: DOCKER_LIST_MEDIA_TYPE},
} as const

/** A platform of a multi-platform image. */
export interface ImagePlatform {
  readonly os: string
  readonly architecture: string
  readonly variant?: string
}

/** Options of {@link pushRandomImage}. */
export interface PushRandomImageOptions {
  /** Push an OCI index with one random image per platform instead of a single image. */
  readonly platforms?: readonly ImagePlatform[]
}

/** What {@link pushRandomImage} pushed. */
export interface PushedImage {
  /** Digest of the manifest (or index) now at the tag. */
  readonly digest: string
  /** Its exact bytes. */
  readonly manifest: Uint8Array
  /** OCI image manifest or OCI index media type. */
  readonly mediaType: string
  /** For indexes: the child images in index order. */
  readonly children?: ReadonlyArray<{readonly digest: string; readonly manifest: Uint8Array; readonly platform: ImagePlatform}>
}

const sha256 = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`
const utf8 = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))

/** A POSIX ustar archive holding one regular file. */
export function tarWithFile(name: string, content: Uint8Array): Uint8Array {
  if (Buffer.byteLength(name) > 100) throw new Error('tar member name longer than 100 bytes')
  const header = Buffer.alloc(512)
  const field = (offset: number, length: number, value: string): void => {
    header.write(value, offset, length, 'ascii')
  }
  const octal = (offset: number, length: number, value: number): void => field(offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`)
  header.write(name, 0, 100, 'utf8')
  octal(100, 8, 0o644) // mode
  octal(108, 8, 0) // uid
  octal(116, 8, 0) // gid
  octal(124, 12, content.length) // size
  octal(136, 12, 0) // mtime: epoch, for reproducible layers
  field(148, 8, '        ') // checksum placeholder: spaces
  field(156, 1, '0') // regular file
  field(257, 6, 'ustar\0')
  field(263, 2, '00')
  let sum = 0
  for (const b of header) sum += b
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `)
  const padded = Math.ceil(content.length / 512) * 512
  const out = new Uint8Array(512 + padded + 1024) // two zero blocks end the archive
  out.set(header, 0)
  out.set(content, 512)
  return out
}

interface BuiltImage {
  readonly manifest: Uint8Array
  readonly digest: string
}

async function pushImage(
  client: Pick<RegistryClient, 'uploadBlob' | 'putManifest'>,
  repo: RepositoryRef,
  platform: ImagePlatform,
  reference: 'by-digest' | string,
  format: ImageFormat = 'oci',
): Promise<BuiltImage> {
  const types = MEDIA_TYPES[format]
  const tar = tarWithFile('random.bin', new Uint8Array(randomBytes(256)))
  const layer = new Uint8Array(gzipSync(tar))
  const layerDigest = sha256(layer)
  const config = utf8({
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant === undefined ? {} : {variant: platform.variant}),
    rootfs: {type: 'layers', diff_ids: [sha256(tar)]},
    config: {},
  })
  const configDigest = sha256(config)
  await client.uploadBlob(repo, layerDigest, layer)
  await client.uploadBlob(repo, configDigest, config)
  const manifest = utf8({
    schemaVersion: 2,
    mediaType: types.manifest,
    config: {mediaType: types.config, digest: configDigest, size: config.length},
    layers: [{mediaType: types.layer, digest: layerDigest, size: layer.length}],
  })
  const digest = sha256(manifest)
  await client.putManifest(repo, reference === 'by-digest' ? digest : reference, manifest, types.manifest)
  return {manifest, digest}
}

/**
 * Push a fresh random image to `repo:tag`: a layer (gzip of a valid tar holding 256 random
 * bytes) and an OCI config (`os`, `architecture`, `rootfs.diff_ids`), then an OCI image
 * manifest. With `platforms`, one such image per platform is pushed by digest and an OCI
 * index listing them (with `platform`) is put under `tag`. Blob uploads use
 * `client.uploadBlob` (no existence checks: content is random).
 */
export async function pushRandomImage(
  client: Pick<RegistryClient, 'uploadBlob' | 'putManifest'>,
  repo: RepositoryRef,
  tag: string,
  options: PushRandomImageOptions = {},
): Promise<PushedImage> {
  if (options.platforms === undefined) {
    const image = await pushImage(client, repo, {os: 'linux', architecture: 'amd64'}, tag)
    return {digest: image.digest, manifest: image.manifest, mediaType: OCI_MANIFEST_MEDIA_TYPE}
  }
  const index = await pushMultiPlatformImage(client, repo, tag, {platforms: options.platforms})
  return {digest: index.digest, manifest: index.manifest, mediaType: index.mediaType, children: index.platforms.map(({digest, manifest, platform}) => ({digest, manifest, platform}))}
}

/** One entry of an index pushed by {@link pushIndex}: a manifest (or index) already in the repository. */
export interface IndexEntry {
  readonly digest: string
  /** Its exact bytes (for the descriptor's size). */
  readonly manifest: Uint8Array
  readonly mediaType: string
  readonly platform?: ImagePlatform
}

/** A manifest or index as pushed: digest, exact bytes, media type. */
export interface PushedManifest {
  readonly digest: string
  readonly manifest: Uint8Array
  readonly mediaType: string
}

/**
 * Put an index listing `entries` (in order, with their `platform` when given) under `reference`
 * (a tag, or `'by-digest'`): an OCI image index, or with `format: 'docker'` a Docker manifest
 * list. Entries may themselves be indexes (nested indexes). The entries must already be in `repo`.
 */
export async function pushIndex(
  client: Pick<RegistryClient, 'putManifest'>,
  repo: RepositoryRef,
  reference: 'by-digest' | string,
  entries: readonly IndexEntry[],
  options: {readonly format?: ImageFormat} = {},
): Promise<PushedManifest> {
  const mediaType = MEDIA_TYPES[options.format ?? 'oci'].index
  const manifest = utf8({
    schemaVersion: 2,
    mediaType,
    manifests: entries.map((e) => ({
      mediaType: e.mediaType,
      digest: e.digest,
      size: e.manifest.length,
      ...(e.platform === undefined
        ? {}
        : {platform: {architecture: e.platform.architecture, os: e.platform.os, ...(e.platform.variant === undefined ? {} : {variant: e.platform.variant})}}),
    })),
  })
  const digest = sha256(manifest)
  await client.putManifest(repo, reference === 'by-digest' ? digest : reference, manifest, mediaType)
  return {digest, manifest, mediaType}
}

/** The platforms {@link pushMultiPlatformImage} pushes by default. */
export const DEFAULT_PLATFORMS: readonly ImagePlatform[] = Object.freeze([
  {os: 'linux', architecture: 'amd64'},
  {os: 'linux', architecture: 'arm64', variant: 'v8'},
  {os: 'linux', architecture: 'arm', variant: 'v7'},
])

/** Options of {@link pushMultiPlatformImage}. */
export interface PushMultiPlatformImageOptions {
  /** One random image per platform, in this order. Default {@link DEFAULT_PLATFORMS} (3). */
  readonly platforms?: readonly ImagePlatform[]
  /** `oci` (default): OCI image index of OCI manifests; `docker`: Docker manifest list of schema 2 manifests. */
  readonly format?: ImageFormat
}

/** What {@link pushMultiPlatformImage} pushed. */
export interface MultiPlatformImage extends PushedManifest {
  /** The platform images, in index order. */
  readonly platforms: ReadonlyArray<PushedManifest & {readonly platform: ImagePlatform}>
}

/**
 * Push a multi-platform image to `repo:tag`: one random image per platform (as
 * {@link pushRandomImage} makes them; its `config` names the platform) pushed by digest, then
 * an OCI image index (or, with `format: 'docker'`, a Docker manifest list) listing them with
 * their platforms, under `tag`. Returns the index digest and each platform manifest's digest.
 */
export async function pushMultiPlatformImage(
  client: Pick<RegistryClient, 'uploadBlob' | 'putManifest'>,
  repo: RepositoryRef,
  tag: string,
  options: PushMultiPlatformImageOptions = {},
): Promise<MultiPlatformImage> {
  const format = options.format ?? 'oci'
  const platforms = options.platforms ?? DEFAULT_PLATFORMS
  if (platforms.length === 0) throw new Error('platforms must not be empty')
  const pushed = []
  for (const platform of platforms) {
    const image = await pushImage(client, repo, platform, 'by-digest', format)
    pushed.push({...image, mediaType: MEDIA_TYPES[format].manifest, platform: {...platform}})
  }
  const index = await pushIndex(client, repo, tag, pushed, {format})
  return {...index, platforms: pushed}
}
