/**
 * startReferrersProxy in front of the real registry: the OCI 1.1 referrers API (index shape,
 * artifactType filtering, headers), the "no referrers API" mode, request counting, and real
 * cosign 3.1.1 pushing through it.
 */
import {createHash} from 'node:crypto'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {RegistryClient} from '@sigil/oci'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {COSIGN3_VERIFY_KEY_ARGS, cosign3SignArgs, cosign3SigningConfig, findCosign3, requireCosign3, runCosign} from './cosign.js'
import {pushRandomImage} from './image.js'
import {isValidDigest, referrerOf, startReferrersProxy, type ReferrersProxy} from './referrers-proxy.js'
import {REGISTRY_SKIP_REASON, requireRegistry, startRegistry, type TestRegistry} from './registry.js'

const INDEX = 'application/vnd.oci.image.index.v1+json'
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const EMPTY = 'application/vnd.oci.empty.v1+json'
const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json'
const SBOM = 'application/vnd.example.sbom.v1+json'
const ci = process.env.CI === 'true'

const bytes = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v))
const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`
const EMPTY_BLOB = new TextEncoder().encode('{}')
const emptyDescriptor = {mediaType: EMPTY, digest: sha256(EMPTY_BLOB), size: 2}

describe('referrerOf / isValidDigest (no registry)', () => {
  const subject = {mediaType: MANIFEST, digest: `sha256:${'a'.repeat(64)}`, size: 1}
  it('artifactType: the manifest’s, else an image manifest’s config media type, else (index) none', () => {
    const withType = bytes({schemaVersion: 2, mediaType: MANIFEST, artifactType: BUNDLE, config: emptyDescriptor, layers: [], subject, annotations: {a: 'b'}})
    expect(referrerOf(withType, undefined, undefined)).toEqual({
      subject: subject.digest,
      descriptor: {mediaType: MANIFEST, digest: sha256(withType), size: withType.length, artifactType: BUNDLE, annotations: {a: 'b'}},
    })
    const configOnly = bytes({schemaVersion: 2, mediaType: MANIFEST, config: {...emptyDescriptor, mediaType: SBOM}, layers: [], subject})
    expect(referrerOf(configOnly, undefined, undefined)?.descriptor).toEqual({mediaType: MANIFEST, digest: sha256(configOnly), size: configOnly.length, artifactType: SBOM})
    const index = bytes({schemaVersion: 2, mediaType: INDEX, manifests: [], subject})
    expect(referrerOf(index, undefined, undefined)?.descriptor).toEqual({mediaType: INDEX, digest: sha256(index), size: index.length})
    // No mediaType field: the request's Content-Type says what it is.
    const bare = bytes({schemaVersion: 2, manifests: [], subject})
    expect(referrerOf(bare, `${INDEX}; charset=utf-8`, undefined)?.descriptor.mediaType).toBe(INDEX)
  })
  it('no subject, not JSON, or a subject without a digest: not a referrer', () => {
    expect(referrerOf(bytes({schemaVersion: 2, mediaType: MANIFEST, config: emptyDescriptor, layers: []}), MANIFEST, undefined)).toBeUndefined()
    expect(referrerOf(new TextEncoder().encode('not json'), MANIFEST, undefined)).toBeUndefined()
    expect(referrerOf(bytes({subject: {size: 1}}), MANIFEST, undefined)).toBeUndefined()
    expect(referrerOf(bytes([1, 2]), MANIFEST, undefined)).toBeUndefined()
  })
  it('validates digests', () => {
    expect(isValidDigest(`sha256:${'0'.repeat(64)}`)).toBe(true)
    expect(isValidDigest(`sha256:${'0'.repeat(63)}`)).toBe(false)
    expect(isValidDigest(`sha256:${'G'.repeat(64)}`)).toBe(false)
    expect(isValidDigest('sha256')).toBe(false)
    expect(isValidDigest(`sha512:${'f'.repeat(128)}`)).toBe(true)
    expect(isValidDigest('blake3:abc')).toBe(true) // unknown algorithms: the grammar only
  })
})

const registryOk = requireRegistry()

describe.skipIf(!registryOk)(`startReferrersProxy${registryOk ? '' : ` (${REGISTRY_SKIP_REASON})`}`, () => {
  let registry: TestRegistry
  let proxy: ReferrersProxy
  let client: RegistryClient

  beforeAll(async () => {
    registry = await startRegistry()
    proxy = await startReferrersProxy(registry)
    client = new RegistryClient({credentials: async () => undefined})
  })
  afterAll(async () => {
    await proxy?.close()
    await registry?.stop()
  })

  /** Push a fresh image through the proxy; its digest. */
  async function image(repository: string): Promise<string> {
    return (await pushRandomImage(client, {registry: proxy.host, repository}, `t${Math.random().toString(36).slice(2, 8)}`)).digest
  }

  /** PUT manifest bytes by digest through the proxy, returning the raw response. */
  async function putManifest(repository: string, body: Uint8Array, mediaType: string, via: {host: string} = proxy): Promise<Response> {
    const res = await fetch(`http://${via.host}/v2/${repository}/manifests/${sha256(body)}`, {method: 'PUT', headers: {'content-type': mediaType}, body})
    await res.arrayBuffer()
    return res
  }

  /** Three referrers of `subject` in `repository`: an SBOM-typed one, one typed by its config, and an index. */
  async function threeReferrers(repository: string, subjectDigest: string) {
    const subject = {mediaType: MANIFEST, digest: subjectDigest, size: 0}
    const configBlob = new TextEncoder().encode('{"kind":"note"}')
    await client.uploadBlob({registry: proxy.host, repository}, emptyDescriptor.digest, EMPTY_BLOB)
    await client.uploadBlob({registry: proxy.host, repository}, sha256(configBlob), configBlob)
    const sbom = bytes({
      schemaVersion: 2,
      mediaType: MANIFEST,
      artifactType: SBOM,
      config: emptyDescriptor,
      layers: [emptyDescriptor],
      subject,
      annotations: {'org.example.kind': 'sbom', 'org.opencontainers.image.created': '2026-12-07T00:00:00Z'},
    })
    const noted = bytes({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: {mediaType: 'application/vnd.example.note.config.v1+json', digest: sha256(configBlob), size: configBlob.length},
      layers: [],
      subject,
    })
    const index = bytes({schemaVersion: 2, mediaType: INDEX, manifests: [], subject, annotations: {'org.example.kind': 'group'}})
    return {sbom, noted, index}
  }

  async function getReferrers(repository: string, digest: string, query = ''): Promise<{status: number; headers: Headers; body: any}> {
    const res = await fetch(`${proxy.url}/v2/${repository}/referrers/${digest}${query}`)
    const text = await res.text()
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {
      // not JSON (the registry's own 404 is text/plain)
    }
    return {status: res.status, headers: res.headers, body}
  }

  it('listens on 127.0.0.1 and forwards the registry API', async () => {
    expect(proxy.host).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(proxy.target).toBe(registry.host)
    const res = await fetch(`${proxy.url}/v2/`)
    expect(res.status).toBe(200)
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
    await res.arrayBuffer()
  })

  it('sets OCI-Subject on accepted manifest PUTs with a subject, and only those', async () => {
    const repo = 'rp/headers'
    const subject = await image(repo)
    const {sbom} = await threeReferrers(repo, subject)
    const put = await putManifest(repo, sbom, MANIFEST)
    expect(put.status).toBe(201)
    expect(put.headers.get('oci-subject')).toBe(subject)
    expect(put.headers.get('docker-content-digest')).toBe(sha256(sbom))
    // The registry's Location stays on the proxy.
    expect(put.headers.get('location')).toMatch(new RegExp(`^(http://${proxy.host})?/v2/${repo}/manifests/sha256:`))
    const plain = bytes({schemaVersion: 2, mediaType: MANIFEST, config: emptyDescriptor, layers: []})
    const put2 = await putManifest(repo, plain, MANIFEST)
    expect(put2.status).toBe(201)
    expect(put2.headers.get('oci-subject')).toBeNull()
    // A manifest the registry refuses (a layer it does not have) is not recorded.
    const before = proxy.recorded.length
    const bad = bytes({schemaVersion: 2, mediaType: MANIFEST, config: emptyDescriptor, layers: [{mediaType: EMPTY, digest: sha256(new Uint8Array([7])), size: 1}], subject: {mediaType: MANIFEST, digest: subject, size: 1}})
    const put3 = await putManifest(repo, bad, MANIFEST)
    expect(put3.status).toBe(400)
    expect(put3.headers.get('oci-subject')).toBeNull()
    expect(proxy.recorded.length).toBe(before)
  })

  it('lists the referrers of a digest as an OCI image index of descriptors', async () => {
    const repo = 'rp/list'
    const subject = await image(repo)
    const {sbom, noted, index} = await threeReferrers(repo, subject)
    for (const [b, t] of [[sbom, MANIFEST], [noted, MANIFEST], [index, INDEX]] as const) expect((await putManifest(repo, b, t)).status).toBe(201)
    const r = await getReferrers(repo, subject)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe(INDEX)
    expect(r.headers.get('oci-filters-applied')).toBeNull()
    expect(r.body).toEqual({
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: [
        {
          mediaType: MANIFEST,
          digest: sha256(sbom),
          size: sbom.length,
          artifactType: SBOM,
          annotations: {'org.example.kind': 'sbom', 'org.opencontainers.image.created': '2026-12-07T00:00:00Z'},
        },
        {mediaType: MANIFEST, digest: sha256(noted), size: noted.length, artifactType: 'application/vnd.example.note.config.v1+json'},
        {mediaType: INDEX, digest: sha256(index), size: index.length, annotations: {'org.example.kind': 'group'}},
      ],
    })
    // The descriptors point at what the registry really holds.
    const got = await fetch(`${proxy.url}/v2/${repo}/manifests/${sha256(sbom)}`, {headers: {accept: MANIFEST}})
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(sbom)
    // Pushing the same manifest again does not list it twice.
    await putManifest(repo, sbom, MANIFEST)
    expect((await getReferrers(repo, subject)).body.manifests).toHaveLength(3)
    expect(proxy.referrers(repo, subject, SBOM).map((d) => d.digest)).toEqual([sha256(sbom)])
    // HEAD: the same headers, no body.
    const head = await fetch(`${proxy.url}/v2/${repo}/referrers/${subject}`, {method: 'HEAD'})
    expect(head.status).toBe(200)
    expect(head.headers.get('content-type')).toBe(INDEX)
  })

  it('filters by artifactType and says so with OCI-Filters-Applied', async () => {
    const repo = 'rp/filter'
    const subject = await image(repo)
    const {sbom, noted, index} = await threeReferrers(repo, subject)
    for (const [b, t] of [[sbom, MANIFEST], [noted, MANIFEST], [index, INDEX]] as const) await putManifest(repo, b, t)
    // `+` percent-encoded, as clients send it.
    const r = await getReferrers(repo, subject, `?artifactType=${encodeURIComponent(SBOM)}`)
    expect(r.status).toBe(200)
    expect(r.headers.get('oci-filters-applied')).toBe('artifactType')
    expect(r.body.manifests.map((d: {digest: string}) => d.digest)).toEqual([sha256(sbom)])
    // A literal `+` is not form-decoded into a space.
    const literal = await getReferrers(repo, subject, `?artifactType=${SBOM}`)
    expect(literal.body.manifests).toHaveLength(1)
    const none = await getReferrers(repo, subject, `?artifactType=${encodeURIComponent(BUNDLE)}`)
    expect(none.status).toBe(200)
    expect(none.headers.get('oci-filters-applied')).toBe('artifactType')
    expect(none.body).toEqual({schemaVersion: 2, mediaType: INDEX, manifests: []})
    // Other query parameters are not filters.
    const other = await getReferrers(repo, subject, '?n=1')
    expect(other.headers.get('oci-filters-applied')).toBeNull()
    expect(other.body.manifests).toHaveLength(3)
  })

  it('answers 200 with an empty list for an unknown subject, keeps repositories apart, rejects a bad digest', async () => {
    const repo = 'rp/scope'
    const subject = await image(repo)
    const {sbom} = await threeReferrers(repo, subject)
    await putManifest(repo, sbom, MANIFEST)
    const unknown = await getReferrers(repo, `sha256:${'0'.repeat(64)}`)
    expect(unknown.status).toBe(200)
    expect(unknown.body).toEqual({schemaVersion: 2, mediaType: INDEX, manifests: []})
    const otherRepo = await getReferrers('rp/elsewhere', subject)
    expect(otherRepo.status).toBe(200)
    expect(otherRepo.body.manifests).toEqual([])
    const bad = await getReferrers(repo, 'sha256:nothex')
    expect(bad.status).toBe(400)
    expect(bad.body.errors[0].code).toBe('DIGEST_INVALID')
  })

  it('counts every request, with its status; take() starts afresh', async () => {
    const repo = 'rp/count'
    const subject = await image(repo)
    proxy.take()
    expect(proxy.requests).toEqual([])
    await getReferrers(repo, subject)
    await fetch(`${proxy.url}/v2/${repo}/manifests/nope`).then((r) => r.arrayBuffer())
    expect(proxy.requests).toEqual([`GET /v2/${repo}/referrers/${subject}`, `GET /v2/${repo}/manifests/nope`])
    expect(proxy.exchanges).toEqual([
      {method: 'GET', path: `/v2/${repo}/referrers/${subject}`, status: 200},
      {method: 'GET', path: `/v2/${repo}/manifests/nope`, status: 404},
    ])
    expect(proxy.take()).toHaveLength(2)
    expect(proxy.requests).toEqual([])
    expect(proxy.exchanges).toEqual([])
  })

  it('forgets a referrer deleted by digest', async () => {
    const repo = 'rp/delete'
    const subject = await image(repo)
    const {sbom, noted} = await threeReferrers(repo, subject)
    await putManifest(repo, sbom, MANIFEST)
    await putManifest(repo, noted, MANIFEST)
    const del = await fetch(`${proxy.url}/v2/${repo}/manifests/${sha256(sbom)}`, {method: 'DELETE'})
    expect(del.status).toBe(202)
    expect((await getReferrers(repo, subject)).body.manifests.map((d: {digest: string}) => d.digest)).toEqual([sha256(noted)])
  })

  it('answers 413 for a manifest over the size limit, without forwarding it', async () => {
    const small = await startReferrersProxy(registry, {maxManifestBytes: 64})
    try {
      const big = bytes({schemaVersion: 2, mediaType: MANIFEST, config: emptyDescriptor, layers: [], annotations: {pad: 'x'.repeat(100)}})
      const res = await putManifest('rp/big', big, MANIFEST, small)
      expect(res.status).toBe(413)
      expect(registry.logs()).not.toContain(`/v2/rp/big/manifests/${sha256(big)}`)
    } finally {
      await small.close()
    }
  })

  it('in "no referrers API" mode the registry answers the endpoint (404) and PUTs get no OCI-Subject', async () => {
    const old = await startReferrersProxy(registry, {referrersApi: false})
    try {
      expect(old.referrersApi).toBe(false)
      expect(old.ociSubject).toBe(false)
      const repo = 'rp/old'
      const subject = (await pushRandomImage(client, {registry: old.host, repository: repo}, 'v1')).digest
      const {sbom} = await threeReferrers(repo, subject)
      const put = await putManifest(repo, sbom, MANIFEST, old)
      expect(put.status).toBe(201)
      expect(put.headers.get('oci-subject')).toBeNull()
      const res = await fetch(`${old.url}/v2/${repo}/referrers/${subject}?artifactType=${encodeURIComponent(SBOM)}`)
      expect(res.status).toBe(404)
      expect(res.headers.get('oci-filters-applied')).toBeNull()
      expect(await res.text()).toContain('404 page not found') // distribution's router, not ours
      // Recorded all the same: turning the API on (a registry upgrade) lists it.
      expect(old.referrers(repo, subject).map((d) => d.digest)).toEqual([sha256(sbom)])
      old.setReferrersApi(true)
      expect(old.ociSubject).toBe(true)
      const now = await fetch(`${old.url}/v2/${repo}/referrers/${subject}`)
      expect(now.status).toBe(200)
      expect(((await now.json()) as {manifests: unknown[]}).manifests).toHaveLength(1)
      // The header apart from the API: API on, no OCI-Subject.
      old.setReferrersApi(true, {ociSubject: false})
      const {noted} = await threeReferrers(repo, subject)
      expect((await putManifest(repo, noted, MANIFEST, old)).headers.get('oci-subject')).toBeNull()
      old.setReferrersApi(false)
      expect((await fetch(`${old.url}/v2/${repo}/referrers/${subject}`).then(async (r) => (await r.arrayBuffer(), r.status)))).toBe(404)
    } finally {
      await old.close()
    }
  })

  it('leaves access to the registry: without a token a token-auth registry’s 401 challenge is relayed', async () => {
    const secured = await startRegistry({tokenAuth: {users: {}}})
    const front = await startReferrersProxy(secured)
    try {
      const res = await fetch(`${front.url}/v2/team/app/referrers/sha256:${'1'.repeat(64)}`)
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/[^"]*",service="[^"]+",scope="repository:team\/app:pull"/)
      expect(((await res.json()) as {errors: Array<{code: string}>}).errors[0]!.code).toBe('UNAUTHORIZED')
    } finally {
      await front.close()
      await secured.stop()
    }
  })
})

const cosign3 = findCosign3()
describe.skipIf((!cosign3 && !ci) || !registryOk)('real cosign 3.1.1 through the referrers proxy', () => {
  let registry: TestRegistry
  let dir: string
  let bin: string
  let signingConfig: string
  const env = {COSIGN_PASSWORD: 'cosign3-proxy-pw'}
  const proxies: ReferrersProxy[] = []

  beforeAll(async () => {
    const found = requireCosign3() // under CI=true a missing cosign 3 fails here
    if (found === undefined) throw new Error('unreachable: cosign 3 missing outside CI')
    bin = found
    dir = await mkdtemp(join(tmpdir(), 'sigil-cosign3-proxy-'))
    signingConfig = await cosign3SigningConfig(dir)
    registry = await startRegistry()
    const keys = await runCosign(['generate-key-pair'], {cosign: bin, cwd: dir, env})
    expect(keys.code, keys.stderr).toBe(0)
  })
  afterAll(async () => {
    for (const p of proxies) await p.close()
    await registry?.stop()
    if (dir) await rm(dir, {recursive: true, force: true})
  })

  /** Sign and verify one fresh image through a proxy in the given mode; what it saw. */
  async function signAndVerify(repository: string, referrersApi: boolean) {
    const proxy = await startReferrersProxy(registry, {referrersApi})
    proxies.push(proxy)
    const client = new RegistryClient({credentials: async () => undefined})
    const digest = (await pushRandomImage(client, {registry: proxy.host, repository}, 'v1')).digest
    const ref = `${proxy.host}/${repository}@${digest}`
    proxy.take()
    const sign = await runCosign(['sign', '--key', 'cosign.key', ...cosign3SignArgs(signingConfig), ref], {cosign: bin, cwd: dir, env})
    expect(sign.code, sign.stderr).toBe(0)
    const signed = [...proxy.exchanges]
    proxy.take()
    const verify = await runCosign(['verify', '--key', 'cosign.pub', ...COSIGN3_VERIFY_KEY_ARGS, ref], {cosign: bin, cwd: dir})
    expect(verify.code, verify.stderr).toBe(0)
    expect(JSON.parse(verify.stdout)).toHaveLength(1)
    const verified = [...proxy.exchanges]
    const tags = ((await (await fetch(`${registry.url}/v2/${repository}/tags/list`)).json()) as {tags: string[]}).tags
    const line = (e: {method: string; path: string; status: number}): string => `${e.method} ${e.path.replace(/\?.*/, '')} ${e.status}`
    return {proxy, digest, fallbackTag: digest.replace(':', '-'), signed: signed.map(line), verified: verified.map(line), tags}
  }

  it('uses the referrers API when the registry serves it: no fallback tag, fewer requests', async () => {
    const api = await signAndVerify('c3/api', true)
    const old = await signAndVerify('c3/old', false)

    // Both: the bundle referrer is pushed by digest with the subject; the proxy recorded it.
    for (const run of [api, old]) {
      const [rec] = run.proxy.recorded
      expect(run.proxy.recorded).toHaveLength(1)
      expect(rec!.subject).toBe(run.digest)
      expect(rec!.descriptor.artifactType).toBe(BUNDLE)
      expect(rec!.descriptor.annotations?.['dev.sigstore.bundle.predicateType']).toBe('https://sigstore.dev/cosign/sign/v1')
    }

    // With the API: after the manifest PUT (answered with OCI-Subject) cosign 3.1.1 still probes
    // GET /referrers, gets 200, and writes no fallback index.
    const putAt = api.signed.findIndex((l) => l.startsWith('PUT ') && l.includes('/manifests/sha256:'))
    expect(api.signed.slice(putAt + 1)).toEqual([`GET /v2/c3/api/referrers/${api.digest} 200`])
    expect(api.signed.some((l) => l.includes(api.fallbackTag))).toBe(false)
    expect(api.tags).toEqual(['v1'])
    expect(api.verified.filter((l) => l.includes('/referrers/')).every((l) => l.endsWith(' 200'))).toBe(true)
    expect(api.verified.some((l) => l.includes(api.fallbackTag))).toBe(false)

    // Without: the probe gets the registry's 404, then the tag-schema index is read and written.
    expect(old.signed.slice(-3)).toEqual([
      `GET /v2/c3/old/referrers/${old.digest} 404`,
      `GET /v2/c3/old/manifests/${old.fallbackTag} 404`,
      `PUT /v2/c3/old/manifests/${old.fallbackTag} 201`,
    ])
    expect(old.tags.sort()).toEqual([old.fallbackTag, 'v1'])
    expect(old.verified.some((l) => l === `GET /v2/c3/old/manifests/${old.fallbackTag} 200`)).toBe(true)

    // The API path saves the fallback index's read and write when signing, and its reads when verifying.
    expect(api.signed.length).toBe(old.signed.length - 2)
    expect(api.verified.length).toBeLessThan(old.verified.length)
    console.info(
      `cosign 3.1.1 by digest: sign ${api.signed.length} requests with the referrers API, ${old.signed.length} without; ` +
        `verify ${api.verified.length} with, ${old.verified.length} without`,
    )
  })

  it('ignores OCI-Subject: with the header but no API it still writes the fallback index', async () => {
    const proxy = await startReferrersProxy(registry, {referrersApi: false, ociSubject: true})
    proxies.push(proxy)
    const client = new RegistryClient({credentials: async () => undefined})
    const digest = (await pushRandomImage(client, {registry: proxy.host, repository: 'c3/lying'}, 'v1')).digest
    proxy.take()
    const sign = await runCosign(['sign', '--key', 'cosign.key', ...cosign3SignArgs(signingConfig), `${proxy.host}/c3/lying@${digest}`], {cosign: bin, cwd: dir, env})
    expect(sign.code, sign.stderr).toBe(0)
    expect(proxy.requests.slice(-2)).toEqual([`GET /v2/c3/lying/manifests/${digest.replace(':', '-')}`, `PUT /v2/c3/lying/manifests/${digest.replace(':', '-')}`])
  })
})
