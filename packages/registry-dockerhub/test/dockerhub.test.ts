/**
 * Docker Hub end to end against a real token-auth docker-registry on loopback, reached through
 * the mirror mapping (`docker.io` → the loopback registry), with the Docker Hub credentials key
 * `https://index.docker.io/v1/` of a docker config: the conformance suite, sign/verify with the
 * payload naming `index.docker.io/library/app`, rate-limit headers and 429, and a redirecting
 * blob endpoint that must not receive the Authorization header.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {parseReference, parsePayload, SigilError, type RegistryAdapter} from '@sigil/core'
import {RegistryClient, dockerConfigCredentials, loadRegistryMirrors, type RequestEvent} from '@sigil/oci'
import {signImage, verifyImage} from '@sigil/signing'
import {REGISTRY_SKIP_REASON, pushRandomImage, requireRegistry, startFaultProxy, startRegistry, type TestRegistry} from '@sigil/test-servers'
import {registryAdapterSuite} from '@sigil/testkit'
import {dockerHubAdapter} from '../src/index.js'
import {ephemeralKeys as testKeys} from '@sigil/test-servers'

const USER = {username: 'hubuser', password: 'hub-secret-do-not-print'}
const available = requireRegistry()
let registry: TestRegistry
let dir: string
let env: NodeJS.ProcessEnv

/** What the CLI composes: mirror mapping first, then the adapter's endpoint; docker-config credentials. */
function clientFor(adapter: RegistryAdapter, extra: {onRequest?: (e: RequestEvent) => void; retry?: {attempts: number}} = {}): RegistryClient {
  const mirrors = loadRegistryMirrors(env)
  const fromConfig = dockerConfigCredentials(env)
  return new RegistryClient({
    endpoint: (h) => mirrors.endpoint(h) ?? adapter.endpoint?.(h)?.url,
    credentials: async (h, r) => (await adapter.credentials?.(h, r)) ?? fromConfig(h, r),
    ...extra,
  })
}
const direct = (): RegistryClient => new RegistryClient({credentials: async () => ({kind: 'basic', ...USER})})

function writeMirrors(location: string): void {
  writeFileSync(join(dir, 'registries.json'), JSON.stringify({registries: [{prefix: 'docker.io', location}]}))
}

beforeAll(async () => {
  if (!available) return
  registry = await startRegistry({tokenAuth: {users: {[USER.username]: {password: USER.password, access: {'library/app': ['pull', 'push'], 'library/kit': ['pull', 'push']}}}}})
  dir = mkdtempSync(join(tmpdir(), 'sigil-dockerhub-'))
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({auths: {'https://index.docker.io/v1/': {auth: Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}}}),
  )
  env = {HOME: dir, DOCKER_CONFIG: dir, SIGIL_REGISTRIES_CONFIG: join(dir, 'registries.json'), PATH: process.env.PATH}
  writeMirrors(registry.url)
})
afterAll(async () => {
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

describe.skipIf(!available)(`Docker Hub through the mirror mapping${available ? '' : ` (${REGISTRY_SKIP_REASON})`}`, () => {
  describe('registryAdapterSuite (live, token auth)', () => {
    registryAdapterSuite(test, () => dockerHubAdapter(), {
      matching: ['docker.io', 'index.docker.io', 'registry-1.docker.io'],
      notMatching: ['ghcr.io'],
      live: async () => ({
        host: 'index.docker.io',
        repository: 'library/kit',
        client: (adapter, onRequest) => clientFor(adapter, {onRequest}),
        inspector: direct(),
        inspectorHost: registry.host,
        allowedOrigins: [registry.url, registry.tokenServer!.url],
      }),
    })
  })

  test('sign + verify docker.io/library/app:v1: the payload names index.docker.io/library/app; bytes land on the mirror', async () => {
    const pushed = await pushRandomImage(direct(), {registry: registry.host, repository: 'library/app'}, 'v1')
    const {signer, verifier} = testKeys()
    const events: RequestEvent[] = []
    const client = clientFor(dockerHubAdapter(), {onRequest: (e) => events.push(e)})
    // (`registry-1.docker.io/...` stays a distinct name, as in go-containerregistry: the docker
    // config's Hub key does not apply to it, so it is not signed here.)
    for (const spelling of ['docker.io/library/app:v1', 'app:v1', 'index.docker.io/library/app:v1']) {
      const image = parseReference(spelling)
      expect(image.repositoryName).toBe('index.docker.io/library/app')
      const signed = await signImage(image, {client, signer, verifier})
      expect(signed.digest).toBe(pushed.digest)
      const result = await verifyImage(image, {client, verifier})
      for (const s of result.signatures) expect(parsePayload(s.payloadBytes).critical.identity['docker-reference']).toBe(image.repositoryName)
    }
    const verified = await verifyImage(parseReference('docker.io/library/app:v1'), {client, verifier})
    expect(verified.signatures.map((s) => parsePayload(s.payloadBytes).critical.identity['docker-reference'])).toContain('index.docker.io/library/app')
    // The .sig landed in the loopback registry, under the original repository path.
    const sig = await direct().getManifest({registry: registry.host, repository: 'library/app'}, `${pushed.digest.replace(':', '-')}.sig`)
    expect(sig.bytes.length).toBeGreaterThan(0)
    // Nothing went anywhere but the mirror and its token server; one token fetch per scope.
    for (const e of events) expect([registry.url, registry.tokenServer!.url]).toContain(new URL(e.url).origin)
    expect(registry.tokenServer!.requests.every((r) => r.user === USER.username)).toBe(true)
  })

  test('ratelimit-* headers reach onRequest; a 429 TOOMANYREQUESTS names the reset time', async () => {
    await pushRandomImage(direct(), {registry: registry.host, repository: 'library/app'}, 'rl')
    const proxy = await startFaultProxy(registry.host)
    try {
      writeMirrors(`http://${proxy.host}`)
      let limited = false
      proxy.setRule((_method, path) =>
        path.startsWith('/v2/library/app/manifests/') && limited
          ? {
              kind: 'respond',
              status: 429,
              headers: {'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600', 'retry-after': 'Wed, 01 Jan 2031 00:00:00 GMT'},
              body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}',
            }
          : {kind: 'pass'},
      )
      const events: RequestEvent[] = []
      const client = clientFor(dockerHubAdapter(), {onRequest: (e) => events.push(e), retry: {attempts: 0}})
      const repo = {registry: 'index.docker.io', repository: 'library/app'}
      await client.resolveDigest(repo, 'rl')
      limited = true
      const err = await client.resolveDigest(repo, 'rl').catch((e: unknown) => e)
      expect(err).toBeInstanceOf(SigilError)
      expect((err as SigilError).code).toBe('REGISTRY_ERROR')
      expect((err as SigilError).message).toContain('rate limit reached')
      expect((err as SigilError).message).toContain('the limit resets at 2031-01-01T00:00:00.000Z')
      const limitedEvent = events.find((e) => e.status === 429)
      expect(limitedEvent?.rateLimit).toEqual({limit: '100;w=21600', remaining: '0;w=21600'})
      expect(events.filter((e) => e.status !== 429).every((e) => e.rateLimit === undefined)).toBe(true)
    } finally {
      writeMirrors(registry.url)
      await proxy.close()
    }
  })

  test('a blob GET redirected to another loopback origin carries no Authorization header', async () => {
    const pushed = await pushRandomImage(direct(), {registry: registry.host, repository: 'library/app'}, 'redir')
    const layerDigest = (JSON.parse(new TextDecoder().decode(pushed.manifest)) as {layers: {digest: string}[]}).layers[0]!.digest
    const blob = await direct().getBlob({registry: registry.host, repository: 'library/app'}, layerDigest)

    // "Storage": records the headers it gets and serves the blob.
    const storageHeaders: http.IncomingHttpHeaders[] = []
    const storage = http.createServer((req, res) => {
      storageHeaders.push(req.headers)
      res.writeHead(200, {'content-type': 'application/octet-stream', 'content-length': String(blob.length)})
      res.end(blob)
    })
    await new Promise<void>((r) => storage.listen(0, '127.0.0.1', r))
    const storageUrl = `http://127.0.0.1:${(storage.address() as AddressInfo).port}`
    // "Registry front": proxies to the real registry (its 401 challenge included), except
    // authorised blob GETs, which 307 to storage with a pre-signed-looking URL.
    const frontAuth: (string | undefined)[] = []
    const front = http.createServer((req, res) => {
      if (req.method === 'GET' && /\/blobs\/sha256:/.test(req.url ?? '') && req.headers.authorization !== undefined) {
        frontAuth.push(req.headers.authorization)
        res.writeHead(307, {location: `${storageUrl}/blob-store/${layerDigest}?X-Amz-Signature=abc`})
        res.end()
        return
      }
      const up = http.request({host: '127.0.0.1', port: Number(registry.host.split(':')[1]), method: req.method, path: req.url, headers: req.headers}, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers)
        r.pipe(res)
      })
      up.on('error', () => res.destroy())
      req.pipe(up)
    })
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r))
    try {
      writeMirrors(`http://127.0.0.1:${(front.address() as AddressInfo).port}`)
      const got = await clientFor(dockerHubAdapter()).getBlob({registry: 'docker.io', repository: 'library/app'}, layerDigest)
      expect(Buffer.from(got).equals(Buffer.from(blob))).toBe(true)
      expect(frontAuth.some((a) => a?.startsWith('Bearer '))).toBe(true) // the registry did get the token
      expect(storageHeaders).toHaveLength(1)
      expect(storageHeaders[0]!.authorization).toBeUndefined()
    } finally {
      writeMirrors(registry.url)
      await new Promise<void>((r) => front.close(() => r()))
      await new Promise<void>((r) => storage.close(() => r()))
    }
  })
})
