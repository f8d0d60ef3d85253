import {createHash} from 'node:crypto'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {SigilError, parseReference} from '@sigil/core'
import {createSigner, createVerifier, generatePrivateKey, publicKeyFromPkcs8} from '@sigil/key-file'
import {RegistryClient} from '@sigil/oci'
import type {FetchedManifest} from '@sigil/oci'
import {pushIndex, pushMultiPlatformImage, pushRandomImage, requireRegistry, startRegistry} from '@sigil/test-servers'
import type {TestRegistry} from '@sigil/test-servers'
import {
  MAX_INDEX_DEPTH,
  indexChildren,
  recursiveSignTargets,
  signImage,
  signImageBundle,
  legacyTagStore,
  referrersStore,
  verifyImage,
} from '../src/index.js'
import type {SignEvent} from '../src/index.js'

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
const utf8 = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))
const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const fakeDigest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`

describe('indexChildren', () => {
  const entry = (n: number, mediaType = OCI_MANIFEST) => ({mediaType, digest: fakeDigest(n), size: 100 + n})

  test('lists the descriptors in order, with their platforms', () => {
    const bytes = utf8({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {...entry(1), platform: {os: 'linux', architecture: 'amd64'}},
        {...entry(2, DOCKER_MANIFEST), platform: {os: 'linux', architecture: 'arm64', variant: 'v8'}},
        entry(3, OCI_INDEX),
        entry(4, DOCKER_LIST),
      ],
    })
    expect(indexChildren(bytes)).toEqual([
      {...entry(1), platform: {os: 'linux', architecture: 'amd64'}},
      {...entry(2, DOCKER_MANIFEST), platform: {os: 'linux', architecture: 'arm64', variant: 'v8'}},
      entry(3, OCI_INDEX),
      entry(4, DOCKER_LIST),
    ])
  })

  test('an index of 10,000 entries is refused, before any entry is read', () => {
    // Entries that would each be an error: the count is checked first.
    const bytes = utf8({schemaVersion: 2, manifests: Array.from({length: 10_000}, () => 'junk')})
    expect(() => indexChildren(bytes, {what: 'index X'})).toThrow(/^index X lists 10000 manifests, more than the limit of 1000; refusing/)
    try {
      indexChildren(bytes)
    } catch (err) {
      expect((err as {code?: string}).code).toBe('SIGNING_FAILED')
    }
  })

  test('a child that is neither an image manifest nor an index is refused (cosign: unknown mime type)', () => {
    for (const mediaType of ['application/vnd.docker.distribution.manifest.v1+prettyjws', 'application/octet-stream', undefined]) {
      const bytes = utf8({schemaVersion: 2, manifests: [entry(1), {digest: fakeDigest(2), size: 1, mediaType}]})
      expect(() => indexChildren(bytes)).toThrow(/neither an image manifest nor an index; refusing to sign \(cosign: unknown mime type\)/)
    }
  })

  test.each([
    ['not JSON', new TextEncoder().encode('{not json'), /not JSON/],
    ['an array', utf8([]), /not a JSON object/],
    ['schemaVersion 1', utf8({schemaVersion: 1, manifests: []}), /schemaVersion 1, expected 2/],
    ['an image manifest', utf8({schemaVersion: 2, mediaType: OCI_MANIFEST, config: {}, layers: []}), /media type/],
    ['no manifests', utf8({schemaVersion: 2}), /no manifests list/],
    ['a bad digest', utf8({schemaVersion: 2, manifests: [{mediaType: OCI_MANIFEST, digest: 'sha256:abc', size: 1}]}), /manifests\[0\]\.digest "sha256:abc" is not a digest/],
    ['a bad size', utf8({schemaVersion: 2, manifests: [{mediaType: OCI_MANIFEST, digest: fakeDigest(1), size: -1}]}), /manifests\[0\]\.size -1/],
  ])('malformed (%s): REGISTRY_PROTOCOL, clearly', (_name, bytes, message) => {
    let caught: unknown
    try {
      indexChildren(bytes)
    } catch (err) {
      caught = err
    }
    expect((caught as {code?: string}).code).toBe('REGISTRY_PROTOCOL')
    expect((caught as Error).message).toMatch(/^index is not a valid image index: /)
    expect((caught as Error).message).toMatch(message)
  })
})

/** A RegistryClient stand-in serving manifests from a map; counts GETs. */
function fakeRegistry(manifests: Map<string, {bytes: Uint8Array; mediaType: string}>) {
  const gets: string[] = []
  const client = {
    async getManifest(_repo: unknown, reference: string): Promise<FetchedManifest> {
      gets.push(reference)
      const m = manifests.get(reference)
      if (!m) throw new SigilError('MANIFEST_UNKNOWN', `manifest unknown: ${reference}`)
      return {bytes: m.bytes, mediaType: m.mediaType, digest: reference.startsWith('sha256:') ? reference : sha256(m.bytes)}
    },
  }
  return {client: client as unknown as RegistryClient, gets}
}

describe('recursiveSignTargets (limits, with a stand-in registry)', () => {
  test(`indexes nested deeper than ${MAX_INDEX_DEPTH} levels are refused before anything is signed`, async () => {
    const manifests = new Map<string, {bytes: Uint8Array; mediaType: string}>()
    let child = {mediaType: OCI_MANIFEST, digest: fakeDigest(1), size: 10}
    for (let level = 0; level < MAX_INDEX_DEPTH + 2; level++) {
      const bytes = utf8({schemaVersion: 2, mediaType: OCI_INDEX, manifests: [child]})
      manifests.set(sha256(bytes), {bytes, mediaType: OCI_INDEX})
      child = {mediaType: OCI_INDEX, digest: sha256(bytes), size: bytes.length}
    }
    const {client, gets} = fakeRegistry(manifests)
    const top = parseReference(`r.example/app@${child.digest}`)
    await expect(recursiveSignTargets(client, top)).rejects.toThrow(new RegExp(`is nested ${MAX_INDEX_DEPTH + 1} levels deep, more than the limit of ${MAX_INDEX_DEPTH}`))
    expect(gets).toHaveLength(MAX_INDEX_DEPTH + 1)
    // Exactly at the limit (an index at level MAX_INDEX_DEPTH, its image one deeper): walked.
    const ok = await recursiveSignTargets(client, parseReference(`r.example/app@${[...manifests.keys()][MAX_INDEX_DEPTH]!}`))
    expect(ok.targets.map((t) => t.depth)).toEqual(Array.from({length: MAX_INDEX_DEPTH + 2}, (_, i) => MAX_INDEX_DEPTH + 1 - i))
    expect(ok.targets[0]!.digest).toBe(fakeDigest(1))
  })

  test('more digests in all than maxDigests: refused', async () => {
    const inner = utf8({schemaVersion: 2, mediaType: OCI_INDEX, manifests: [1, 2, 3].map((n) => ({mediaType: OCI_MANIFEST, digest: fakeDigest(n), size: 1}))})
    const outer = utf8({schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{mediaType: OCI_INDEX, digest: sha256(inner), size: inner.length}, {mediaType: OCI_MANIFEST, digest: fakeDigest(4), size: 1}]})
    const {client} = fakeRegistry(
      new Map([
        [sha256(inner), {bytes: inner, mediaType: OCI_INDEX}],
        [sha256(outer), {bytes: outer, mediaType: OCI_INDEX}],
      ]),
    )
    const ref = parseReference(`r.example/app@${sha256(outer)}`)
    // 1, 2, 3, inner, 4, outer = 6
    expect((await recursiveSignTargets(client, ref, {maxDigests: 6})).targets).toHaveLength(6)
    await expect(recursiveSignTargets(client, ref, {maxDigests: 5})).rejects.toThrow(/more than 5 manifests/)
  })

  test('a nested index the registry does not have: IMAGE_NOT_FOUND naming it', async () => {
    const outer = utf8({schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{mediaType: OCI_INDEX, digest: fakeDigest(9), size: 1}]})
    const {client} = fakeRegistry(new Map([[sha256(outer), {bytes: outer, mediaType: OCI_INDEX}]]))
    const err = await recursiveSignTargets(client, parseReference(`r.example/app@${sha256(outer)}`)).catch((e: unknown) => e)
    expect((err as {code?: string}).code).toBe('IMAGE_NOT_FOUND')
    expect((err as Error).message).toContain(fakeDigest(9))
  })

  test('a nested entry served as an image manifest: REGISTRY_PROTOCOL', async () => {
    const image = utf8({schemaVersion: 2, mediaType: OCI_MANIFEST, config: {}, layers: []})
    const outer = utf8({schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{mediaType: OCI_INDEX, digest: sha256(image), size: image.length}]})
    const {client} = fakeRegistry(
      new Map([
        [sha256(outer), {bytes: outer, mediaType: OCI_INDEX}],
        [sha256(image), {bytes: image, mediaType: OCI_MANIFEST}],
      ]),
    )
    await expect(recursiveSignTargets(client, parseReference(`r.example/app@${sha256(outer)}`))).rejects.toThrow(/lists sha256:\S+ as application\/vnd.oci.image.index.v1\+json, but the registry serves it as application\/vnd.oci.image.manifest.v1\+json/)
  })
})

function newKey() {
  const pkcs8 = generatePrivateKey()
  return {signer: createSigner(pkcs8), verifier: createVerifier(publicKeyFromPkcs8(pkcs8))}
}

describe.skipIf(!requireRegistry())('recursiveSignTargets against the real registry', () => {
  let registry: TestRegistry
  let requests: Array<{method: string; url: string}> = []
  let client: RegistryClient
  const key = newKey()
  beforeAll(async () => {
    registry = await startRegistry()
    client = new RegistryClient({onRequest: (e) => requests.push(e)})
  })
  afterAll(async () => {
    await registry?.stop()
  })
  let n = 0
  const repoFor = () => ({registry: registry.host, repository: `recursive/app${++n}`})

  test('an OCI index by tag: one GET; the platforms in index order, then the index; resolved event from the tag', async () => {
    const repo = repoFor()
    const pushed = await pushMultiPlatformImage(client, repo, 'v1')
    requests = []
    const events: SignEvent[] = []
    const image = parseReference(`${repo.registry}/${repo.repository}:v1`)
    const found = await recursiveSignTargets(client, image, {onEvent: (e) => events.push(e)})
    expect(requests.map((r) => r.method)).toEqual(['GET'])
    expect(found.digest).toBe(pushed.digest)
    expect(found.targets.map((t) => t.digest)).toEqual([...pushed.platforms.map((p) => p.digest), pushed.digest])
    expect(found.targets.map((t) => t.platform)).toEqual([...pushed.platforms.map((p) => p.platform), undefined])
    expect(found.targets.slice(0, -1).every((t) => t.index === pushed.digest && t.depth === 1)).toBe(true)
    expect(events).toEqual([{kind: 'resolved', image, digest: pushed.digest, fromTag: true}])
  })

  test('a Docker manifest list, by digest', async () => {
    const repo = repoFor()
    const pushed = await pushMultiPlatformImage(client, repo, 'v1', {format: 'docker'})
    const found = await recursiveSignTargets(client, parseReference(`${repo.registry}/${repo.repository}@${pushed.digest}`))
    expect(found.mediaType).toBe(DOCKER_LIST)
    expect(found.targets.map((t) => [t.digest, t.mediaType])).toEqual([
      ...pushed.platforms.map((p) => [p.digest, DOCKER_MANIFEST]),
      [pushed.digest, DOCKER_LIST],
    ])
  })

  test('a single image: just its digest', async () => {
    const repo = repoFor()
    const pushed = await pushRandomImage(client, repo, 'v1')
    const found = await recursiveSignTargets(client, parseReference(`${repo.registry}/${repo.repository}:v1`))
    expect(found.targets).toEqual([{digest: pushed.digest, mediaType: OCI_MANIFEST, size: pushed.manifest.length, depth: 0}])
  })

  test('a nested index is walked (its children before it), a digest listed twice is signed once', async () => {
    const repo = repoFor()
    const inner = await pushMultiPlatformImage(client, repo, 'inner', {platforms: [{os: 'linux', architecture: 'amd64'}, {os: 'linux', architecture: 's390x'}]})
    const extra = await pushMultiPlatformImage(client, repo, 'extra', {platforms: [{os: 'windows', architecture: 'amd64'}]})
    const outer = await pushIndex(client, repo, 'v1', [inner, extra.platforms[0]!, inner.platforms[0]!])
    requests = []
    const found = await recursiveSignTargets(client, parseReference(`${repo.registry}/${repo.repository}:v1`))
    expect(requests.map((r) => `${r.method} ${r.url.slice(r.url.lastIndexOf('/') + 1)}`)).toEqual(['GET v1', `GET ${inner.digest}`])
    expect(found.targets.map((t) => t.digest)).toEqual([inner.platforms[0]!.digest, inner.platforms[1]!.digest, inner.digest, extra.platforms[0]!.digest, outer.digest])
    expect(found.targets.map((t) => t.depth)).toEqual([2, 2, 1, 1, 0])
  })

  test('a tag that does not exist: IMAGE_NOT_FOUND', async () => {
    const repo = repoFor()
    await pushRandomImage(client, repo, 'v1')
    const err = await recursiveSignTargets(client, parseReference(`${repo.registry}/${repo.repository}:nope`)).catch((e: unknown) => e)
    expect((err as {code?: string}).code).toBe('IMAGE_NOT_FOUND')
  })

  test('signing every target (both formats) makes each platform digest verify', async () => {
    const repo = repoFor()
    const pushed = await pushMultiPlatformImage(client, repo, 'v1')
    const image = parseReference(`${repo.registry}/${repo.repository}:v1`)
    const found = await recursiveSignTargets(client, image)
    for (const t of found.targets) {
      const ref = parseReference(`${image.repositoryName}@${t.digest}`)
      await signImage(ref, {client, signer: key.signer, verifier: key.verifier})
      await signImageBundle(ref, {client, signer: key.signer, settleMs: 1})
    }
    for (const digest of [pushed.digest, ...pushed.platforms.map((p) => p.digest)]) {
      const result = await verifyImage(parseReference(`${image.repositoryName}@${digest}`), {
        client,
        verifier: key.verifier,
        stores: [referrersStore({client}), legacyTagStore({client})],
      })
      expect(result.signatures.length, digest).toBe(2)
      for (const s of result.signatures) expect(s.payload.critical.image['docker-manifest-digest']).toBe(digest)
    }
  })
})
