import {createHash} from 'node:crypto'
import {gunzipSync} from 'node:zlib'
import {RegistryClient} from '@sigil/oci'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {DEFAULT_PLATFORMS, pushIndex, pushMultiPlatformImage, pushRandomImage, tarWithFile} from './image.js'
import {requireRegistry, startRegistry, type TestRegistry} from './registry.js'

const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`
const json = (b: Uint8Array): any => JSON.parse(new TextDecoder().decode(b)) // eslint-disable-line @typescript-eslint/no-explicit-any

/** Records what would be pushed (dependency injection, no network). */
function recorder() {
  const blobs = new Map<string, Uint8Array>()
  const manifests: {reference: string; bytes: Uint8Array; mediaType: string}[] = []
  return {
    blobs,
    manifests,
    client: {
      async uploadBlob(_repo: unknown, digest: string, bytes: Uint8Array): Promise<void> {
        expect(sha256(bytes)).toBe(digest)
        blobs.set(digest, bytes)
      },
      async putManifest(_repo: unknown, reference: string, bytes: Uint8Array, mediaType: string): Promise<{digest: string}> {
        manifests.push({reference, bytes, mediaType})
        return {digest: sha256(bytes)}
      },
    },
  }
}

describe('tarWithFile', () => {
  test('a valid ustar header with a correct checksum, content, and end blocks', () => {
    const content = new TextEncoder().encode('hello')
    const tar = Buffer.from(tarWithFile('a.txt', content))
    expect(tar.length).toBe(512 + 512 + 1024)
    expect(tar.subarray(0, 5).toString()).toBe('a.txt')
    expect(tar.subarray(257, 263).toString('latin1')).toBe('ustar\0')
    expect(Number.parseInt(tar.subarray(124, 135).toString(), 8)).toBe(5)
    const stored = Number.parseInt(tar.subarray(148, 154).toString(), 8)
    const header = Buffer.from(tar.subarray(0, 512))
    header.fill(0x20, 148, 156)
    expect(stored).toBe(header.reduce((a, b) => a + b, 0))
    expect(tar.subarray(512, 517).toString()).toBe('hello')
    expect(tar.subarray(1024).every((b) => b === 0)).toBe(true)
  })
})

describe('pushRandomImage (recorded)', () => {
  test('single image: layer is gzip(tar), config diff_id = sha256(tar), manifest under the tag', async () => {
    const r = recorder()
    const pushed = await pushRandomImage(r.client, {registry: 'r', repository: 'a'}, 'v1')
    expect(r.manifests).toHaveLength(1)
    expect(r.manifests[0]!.reference).toBe('v1')
    expect(pushed.digest).toBe(sha256(pushed.manifest))
    const m = json(pushed.manifest)
    expect(m.mediaType).toBe('application/vnd.oci.image.manifest.v1+json')
    const layer = r.blobs.get(m.layers[0].digest)!
    const config = json(r.blobs.get(m.config.digest)!)
    expect(config).toMatchObject({os: 'linux', architecture: 'amd64', rootfs: {type: 'layers'}})
    expect(config.rootfs.diff_ids).toEqual([sha256(gunzipSync(layer))])
    expect(m.layers[0].size).toBe(layer.length)
  })

  test('two pushes differ (random content)', async () => {
    const a = await pushRandomImage(recorder().client, {registry: 'r', repository: 'a'}, 'v1')
    const b = await pushRandomImage(recorder().client, {registry: 'r', repository: 'a'}, 'v1')
    expect(a.digest).not.toBe(b.digest)
  })

  test('platforms: children by digest, then an OCI index under the tag', async () => {
    const r = recorder()
    const pushed = await pushRandomImage(r.client, {registry: 'r', repository: 'a'}, 'multi', {
      platforms: [
        {os: 'linux', architecture: 'amd64'},
        {os: 'linux', architecture: 'arm', variant: 'v7'},
      ],
    })
    expect(r.manifests.map((m) => m.reference)).toEqual([pushed.children![0]!.digest, pushed.children![1]!.digest, 'multi'])
    expect(pushed.mediaType).toBe('application/vnd.oci.image.index.v1+json')
    const index = json(pushed.manifest)
    expect(index.manifests.map((d: {platform: unknown}) => d.platform)).toEqual([
      {architecture: 'amd64', os: 'linux'},
      {architecture: 'arm', os: 'linux', variant: 'v7'},
    ])
    const armConfig = json(r.blobs.get(json(pushed.children![1]!.manifest).config.digest)!)
    expect(armConfig).toMatchObject({architecture: 'arm', os: 'linux', variant: 'v7'})
  })
})

describe('pushMultiPlatformImage (recorded)', () => {
  test('OCI: one image per default platform by digest, then an OCI index under the tag; digests returned', async () => {
    const r = recorder()
    const pushed = await pushMultiPlatformImage(r.client, {registry: 'r', repository: 'a'}, 'multi')
    expect(pushed.platforms.map((p) => p.platform)).toEqual(DEFAULT_PLATFORMS)
    expect(r.manifests.map((m) => m.reference)).toEqual([...pushed.platforms.map((p) => p.digest), 'multi'])
    expect(pushed.mediaType).toBe('application/vnd.oci.image.index.v1+json')
    expect(pushed.digest).toBe(sha256(pushed.manifest))
    const index = json(pushed.manifest)
    expect(index).toMatchObject({schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json'})
    expect(index.manifests).toEqual(
      pushed.platforms.map((p) => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: p.digest,
        size: p.manifest.length,
        platform: {...p.platform},
      })),
    )
    for (const p of pushed.platforms) {
      expect(p.digest).toBe(sha256(p.manifest))
      const config = json(r.blobs.get(json(p.manifest).config.digest)!)
      expect(config).toMatchObject({os: p.platform.os, architecture: p.platform.architecture})
    }
    expect(new Set(pushed.platforms.map((p) => p.digest)).size).toBe(3)
  })

  test('docker: schema 2 manifests (Docker config and layer types) in a Docker manifest list', async () => {
    const r = recorder()
    const pushed = await pushMultiPlatformImage(r.client, {registry: 'r', repository: 'a'}, 'multi', {
      format: 'docker',
      platforms: [{os: 'linux', architecture: 'amd64'}, {os: 'linux', architecture: 'arm64'}],
    })
    expect(pushed.mediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json')
    expect(r.manifests.map((m) => m.mediaType)).toEqual([
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
    ])
    const list = json(pushed.manifest)
    expect(list.manifests.map((d: {mediaType: string}) => d.mediaType)).toEqual([
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.docker.distribution.manifest.v2+json',
    ])
    const m = json(pushed.platforms[0]!.manifest)
    expect(m.config.mediaType).toBe('application/vnd.docker.container.image.v1+json')
    expect(m.layers[0].mediaType).toBe('application/vnd.docker.image.rootfs.diff.tar.gzip')
  })

  test('empty platforms are refused', async () => {
    await expect(pushMultiPlatformImage(recorder().client, {registry: 'r', repository: 'a'}, 'x', {platforms: []})).rejects.toThrow(/must not be empty/)
  })

  test('pushIndex nests: an index may list an index', async () => {
    const r = recorder()
    const inner = await pushMultiPlatformImage(r.client, {registry: 'r', repository: 'a'}, 'inner', {platforms: [{os: 'linux', architecture: 'amd64'}]})
    const outer = await pushIndex(r.client, {registry: 'r', repository: 'a'}, 'outer', [inner])
    expect(json(outer.manifest).manifests).toEqual([{mediaType: inner.mediaType, digest: inner.digest, size: inner.manifest.length}])
    expect(outer.digest).toBe(sha256(outer.manifest))
  })
})

describe.skipIf(!requireRegistry())('pushMultiPlatformImage against the real registry', () => {
  let registry: TestRegistry
  const client = new RegistryClient()
  beforeAll(async () => {
    registry = await startRegistry()
  })
  afterAll(async () => {
    await registry?.stop()
  })

  for (const format of ['oci', 'docker'] as const) {
    test(`${format}: the tag serves the index as pushed, each platform digest serves its manifest`, async () => {
      const repo = {registry: registry.host, repository: `multi/${format}`}
      const pushed = await pushMultiPlatformImage(client, repo, 'v1', {format})
      const index = await client.getManifest(repo, 'v1')
      expect(index.digest).toBe(pushed.digest)
      expect(index.mediaType).toBe(pushed.mediaType)
      expect(Buffer.from(index.bytes).equals(Buffer.from(pushed.manifest))).toBe(true)
      for (const p of pushed.platforms) {
        const m = await client.getManifest(repo, p.digest)
        expect(m.mediaType).toBe(p.mediaType)
      }
    })
  }
})
