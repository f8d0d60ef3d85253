/**
 * RegistryClient against the real distribution registry (Debian `docker-registry`).
 * Under CI=true a missing binary fails this file (requireRegistry throws); elsewhere the
 * suite is skipped with the reason in its name.
 */
import {createHash, randomBytes} from 'node:crypto'
import {REGISTRY_SKIP_REASON, pushRandomImage, requireRegistry, startRegistry, type TestRegistry} from '@sigil/test-servers'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient, type RepositoryRef, type RequestEvent} from '../src/index.js'

const available = requireRegistry()
const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'

describe.skipIf(!available)(`RegistryClient against docker-registry${available ? '' : ` (${REGISTRY_SKIP_REASON})`}`, () => {
  let registry: TestRegistry
  let events: RequestEvent[] = []
  let client: RegistryClient
  let n = 0
  const freshRepo = (): RepositoryRef => ({registry: registry.host, repository: `sigil/oci-test-${++n}-${Date.now().toString(36)}`})

  beforeAll(async () => {
    registry = await startRegistry()
    client = new RegistryClient({credentials: async () => undefined, onRequest: (e) => events.push(e)})
  })
  afterAll(async () => {
    await registry?.stop()
  })
  const counted = async <T>(fn: () => Promise<T>): Promise<{result: T; requests: RequestEvent[]}> => {
    events = []
    const result = await fn()
    return {result, requests: events}
  }

  test('push a random image; HEAD resolves the tag to sha256 of the manifest; GET is verified', async () => {
    const repo = freshRepo()
    const pushed = await pushRandomImage(client, repo, 'v1')
    expect(pushed.mediaType).toBe(OCI_MANIFEST)
    expect(pushed.digest).toBe(sha256(pushed.manifest))

    const head = await counted(() => client.resolveDigest(repo, 'v1'))
    expect(head.result).toEqual({digest: pushed.digest, mediaType: OCI_MANIFEST, size: pushed.manifest.length})
    expect(head.requests.map((e) => [e.method, e.status])).toEqual([['HEAD', 200]])

    const byTag = await client.getManifest(repo, 'v1')
    expect(byTag).toEqual({bytes: pushed.manifest, digest: pushed.digest, mediaType: OCI_MANIFEST})
    const byDigest = await client.getManifest(repo, pushed.digest)
    expect(Buffer.from(byDigest.bytes).equals(Buffer.from(pushed.manifest))).toBe(true)

    // The layers the manifest names are there and verify.
    const manifest = JSON.parse(new TextDecoder().decode(byTag.bytes)) as {config: {digest: string}; layers: {digest: string}[]}
    for (const d of [manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) {
      expect(await client.blobExists(repo, d)).toBe(true)
      expect(sha256(await client.getBlob(repo, d))).toBe(d)
    }
  })

  test('missing manifests: getManifestIfExists → undefined, getManifest → MANIFEST_UNKNOWN', async () => {
    const repo = freshRepo()
    await pushRandomImage(client, repo, 'present')
    expect(await client.getManifestIfExists(repo, 'absent')).toBeUndefined()
    await expect(client.getManifest(repo, 'absent')).rejects.toMatchObject({code: 'MANIFEST_UNKNOWN'})
    await expect(client.resolveDigest(repo, 'absent')).rejects.toMatchObject({code: 'MANIFEST_UNKNOWN'})
    // A repository that does not exist at all (NAME_UNKNOWN) is the same to callers.
    await expect(client.getManifest(freshRepo(), 'v1')).rejects.toMatchObject({code: 'MANIFEST_UNKNOWN'})
    expect(await client.getManifestIfExists(freshRepo(), 'v1')).toBeUndefined()
  })

  test('uploadBlob makes exactly 2 requests (POST + PUT); getBlob round-trips; blobExists', async () => {
    const repo = freshRepo()
    const blob = new Uint8Array(randomBytes(4096))
    const digest = sha256(blob)
    expect(await client.blobExists(repo, digest)).toBe(false)
    const upload = await counted(() => client.uploadBlob(repo, digest, blob))
    expect(upload.requests.map((e) => [e.method, e.status])).toEqual([
      ['POST', 202],
      ['PUT', 201],
    ])
    expect(await client.blobExists(repo, digest)).toBe(true)
    expect(await client.getBlob(repo, digest)).toEqual(blob)
    await expect(client.getBlob(repo, sha256(new Uint8Array([1, 2, 3])))).rejects.toMatchObject({code: 'BLOB_UNKNOWN'})
    await expect(client.getBlob(repo, digest, {maxBytes: 100})).rejects.toMatchObject({code: 'RESPONSE_TOO_LARGE'})
  })

  test('putManifest to a new tag returns the digest; the tag resolves to it; deleteManifest removes it', async () => {
    const repo = freshRepo()
    const pushed = await pushRandomImage(client, repo, 'v1')
    const put = await counted(() => client.putManifest(repo, 'copy', pushed.manifest, OCI_MANIFEST))
    expect(put.result).toEqual({digest: pushed.digest})
    expect(put.requests.map((e) => [e.method, e.status])).toEqual([['PUT', 201]])
    expect((await client.resolveDigest(repo, 'copy')).digest).toBe(pushed.digest)

    const del = await counted(() => client.deleteManifest(repo, pushed.digest))
    expect(del.requests.map((e) => [e.method, e.status])).toEqual([['DELETE', 202]])
    expect(await client.getManifestIfExists(repo, pushed.digest)).toBeUndefined()
    expect(await client.getManifestIfExists(repo, 'v1')).toBeUndefined()
    await expect(client.deleteManifest(repo, pushed.digest)).rejects.toMatchObject({code: 'MANIFEST_UNKNOWN'})
  })

  test('a manifest referencing missing blobs is rejected with the registry message', async () => {
    const repo = freshRepo()
    const bogus = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(new Uint8Array([9])), size: 1},
        layers: [],
      }),
    )
    const err = await client.putManifest(repo, 'bogus', bogus, OCI_MANIFEST).catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'REGISTRY_ERROR'})
    expect((err as Error).message).toMatch(/MANIFEST_BLOB_UNKNOWN|BLOB_UNKNOWN/)
  })

  test('an index with two platforms', async () => {
    const repo = freshRepo()
    const pushed = await pushRandomImage(client, repo, 'multi', {
      platforms: [
        {os: 'linux', architecture: 'amd64'},
        {os: 'linux', architecture: 'arm64', variant: 'v8'},
      ],
    })
    expect(pushed.mediaType).toBe(OCI_INDEX)
    expect(pushed.children).toHaveLength(2)
    const index = await client.getManifest(repo, 'multi')
    expect(index.mediaType).toBe(OCI_INDEX)
    expect(index.digest).toBe(pushed.digest)
    const parsed = JSON.parse(new TextDecoder().decode(index.bytes)) as {
      manifests: {digest: string; mediaType: string; platform: {os: string; architecture: string}}[]
    }
    expect(parsed.manifests.map((m) => m.platform.architecture)).toEqual(['amd64', 'arm64'])
    for (const [i, child] of parsed.manifests.entries()) {
      const m = await client.getManifest(repo, child.digest)
      expect(m.mediaType).toBe(OCI_MANIFEST)
      expect(m.digest).toBe(pushed.children![i]!.digest)
      const config = JSON.parse(
        new TextDecoder().decode(await client.getBlob(repo, (JSON.parse(new TextDecoder().decode(m.bytes)) as {config: {digest: string}}).config.digest)),
      ) as {architecture: string; os: string; rootfs: {diff_ids: string[]}}
      expect(config.architecture).toBe(child.platform.architecture)
      expect(config.rootfs.diff_ids).toHaveLength(1)
    }
    expect(await client.resolveDigest(repo, 'multi')).toEqual({digest: pushed.digest, mediaType: OCI_INDEX, size: pushed.manifest.length})
  })

  test('listTags', async () => {
    const repo = freshRepo()
    const pushed = await pushRandomImage(client, repo, 'a')
    await client.putManifest(repo, 'b', pushed.manifest, OCI_MANIFEST)
    expect((await client.listTags(repo)).sort()).toEqual(['a', 'b'])
  })
})

describe.skipIf(!available)(`RegistryClient against docker-registry with htpasswd${available ? '' : ` (${REGISTRY_SKIP_REASON})`}`, () => {
  let registry: TestRegistry
  beforeAll(async () => {
    registry = await startRegistry({htpasswd: {username: 'sigil', password: 'correct horse'}})
  })
  afterAll(async () => {
    await registry?.stop()
  })

  test('Basic auth: one 401, then credentials are sent up front', async () => {
    const events: RequestEvent[] = []
    const client = new RegistryClient({
      credentials: async () => ({kind: 'basic', username: 'sigil', password: 'correct horse'}),
      onRequest: (e) => events.push(e),
    })
    const repo = {registry: registry.host, repository: 'team/app'}
    const pushed = await pushRandomImage(client, repo, 'v1')
    expect((await client.resolveDigest(repo, 'v1')).digest).toBe(pushed.digest)
    expect(events.filter((e) => e.status === 401)).toHaveLength(1)
    expect(events[0]).toMatchObject({method: 'POST', status: 401})
  })

  test('wrong password → REGISTRY_AUTH_FAILED; anonymous → REGISTRY_AUTH_FAILED', async () => {
    const repo = {registry: registry.host, repository: 'team/app'}
    const wrong = new RegistryClient({credentials: async () => ({kind: 'basic', username: 'sigil', password: 'nope'})})
    await expect(wrong.getManifest(repo, 'v1')).rejects.toMatchObject({code: 'REGISTRY_AUTH_FAILED'})
    const anonymous = new RegistryClient({credentials: async () => undefined})
    await expect(anonymous.getManifest(repo, 'v1')).rejects.toMatchObject({code: 'REGISTRY_AUTH_FAILED'})
  })
})
