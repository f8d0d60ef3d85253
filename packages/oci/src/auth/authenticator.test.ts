import type {RegistryCredential} from '@sigil/core'
import {createHash} from 'node:crypto'
import {afterEach, describe, expect, test} from 'vitest'
import {startFakeRegistry, type FakeRegistry, type FakeRegistryOptions} from '../../test/fake-registry.js'
import type {RequestEvent} from '../http/index.js'
import {RegistryClient} from '../registry-client.js'

const registries: FakeRegistry[] = []
afterEach(async () => {
  await Promise.all(registries.splice(0).map((r) => r.close()))
})
async function fake(options: FakeRegistryOptions): Promise<FakeRegistry> {
  const r = await startFakeRegistry(options)
  registries.push(r)
  return r
}
function client(cred: RegistryCredential | undefined, events: RequestEvent[] = []): RegistryClient {
  return new RegistryClient({credentials: async () => cred, retry: {baseDelayMs: 1}, onRequest: (e) => events.push(e)})
}
const bytesOf = (s: string): Uint8Array => new TextEncoder().encode(s)
const digestOf = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`
const MANIFEST = bytesOf('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}')
const OCI = 'application/vnd.oci.image.manifest.v1+json'

describe('Basic auth', () => {
  test('answers the challenge once, then sends credentials up front', async () => {
    const r = await fake({auth: {kind: 'basic', username: 'alice', password: 's3cret'}})
    const c = client({kind: 'basic', username: 'alice', password: 's3cret'})
    const repo = {registry: r.host, repository: 'team/app'}
    await c.putManifest(repo, 'v1', MANIFEST, OCI)
    await c.getManifest(repo, 'v1')
    await c.resolveDigest(repo, 'v1')
    const statuses = r.registryRequests().map((q) => [q.method, q.headers.authorization === undefined ? 'none' : 'basic'])
    expect(statuses).toEqual([
      ['PUT', 'none'],
      ['PUT', 'basic'],
      ['GET', 'basic'],
      ['HEAD', 'basic'],
    ])
  })

  test('wrong password → REGISTRY_AUTH_FAILED without leaking the credential', async () => {
    const r = await fake({auth: {kind: 'basic', username: 'alice', password: 's3cret'}})
    const err = await client({kind: 'basic', username: 'alice', password: 'wrong-pass'})
      .getManifest({registry: r.host, repository: 'team/app'}, 'v1')
      .catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'REGISTRY_AUTH_FAILED'})
    expect((err as Error).message).toContain('username or password was rejected')
    const everything = `${(err as Error).message} ${JSON.stringify((err as {details?: unknown}).details)}`
    expect(everything).not.toContain('wrong-pass')
    expect(everything).not.toContain(Buffer.from('alice:wrong-pass').toString('base64'))
  })

  test('no credentials → REGISTRY_AUTH_FAILED naming the host', async () => {
    const r = await fake({auth: {kind: 'basic', username: 'alice', password: 's3cret'}})
    await expect(client(undefined).getManifest({registry: r.host, repository: 'team/app'}, 'v1')).rejects.toMatchObject({
      code: 'REGISTRY_AUTH_FAILED',
      message: expect.stringContaining(`no credentials configured for ${r.host}`) as unknown,
    })
  })
})

describe('Bearer token flow', () => {
  test('one token request per scope, tokens reused up front', async () => {
    const r = await fake({auth: {kind: 'bearer', users: {alice: 'pw'}}})
    const events: RequestEvent[] = []
    const c = client({kind: 'basic', username: 'alice', password: 'pw'}, events)
    const repo = {registry: r.host, repository: 'team/app'}
    const {digest} = await c.putManifest(repo, 'v1', MANIFEST, OCI) // 401, token(pull,push), PUT
    await c.getManifest(repo, 'v1') // reuses the pull,push token
    await c.resolveDigest(repo, 'v1')
    const other = {registry: r.host, repository: 'team/other'}
    expect(await c.getManifestIfExists(other, 'v1')).toBeUndefined() // new scope: token fetched up front, no 401
    expect(await c.getManifestIfExists(other, digest)).toBeUndefined()

    const tokenScopes = r.tokenRequests().map((q) => new URL(q.url, 'http://x').searchParams.getAll('scope'))
    expect(tokenScopes).toEqual([['repository:team/app:pull,push'], ['repository:team/other:pull']])
    const tq = new URL(r.tokenRequests()[0]!.url, 'http://x').searchParams
    expect(tq.get('service')).toBe('fake-registry')
    expect(tq.get('account')).toBe('alice')
    expect(r.tokenRequests()[0]!.headers.authorization).toBe(`Basic ${Buffer.from('alice:pw').toString('base64')}`)
    const statuses = r.registryRequests().map((q) => q.method)
    expect(statuses).toEqual(['PUT', 'PUT', 'GET', 'HEAD', 'GET', 'GET'])
    expect(events.filter((e) => e.status === 401)).toHaveLength(1)
  })

  test('concurrent requests share one token request', async () => {
    const r = await fake({auth: {kind: 'bearer'}})
    const c = client(undefined)
    const repo = {registry: r.host, repository: 'team/app'}
    await c.getManifestIfExists(repo, 'warmup') // learn the challenge
    await Promise.all(Array.from({length: 5}, (_, i) => c.getManifestIfExists({registry: r.host, repository: 'team/b'}, `t${i}`)))
    expect(r.tokenRequests()).toHaveLength(2)
  })

  test('anonymous token flow sends no Authorization to the token endpoint', async () => {
    const r = await fake({auth: {kind: 'bearer'}})
    await client(undefined).getManifestIfExists({registry: r.host, repository: 'library/x'}, 'latest')
    expect(r.tokenRequests()).toHaveLength(1)
    expect(r.tokenRequests()[0]!.headers.authorization).toBeUndefined()
  })

  test('an expired token is replaced (expires_in honoured)', async () => {
    const r = await fake({auth: {kind: 'bearer', expiresIn: 1}})
    const c = client(undefined)
    const repo = {registry: r.host, repository: 'team/app'}
    await c.getManifestIfExists(repo, 'a')
    await c.getManifestIfExists(repo, 'b')
    expect(r.tokenRequests()).toHaveLength(1)
    await new Promise((resolve) => setTimeout(resolve, 1100))
    await c.getManifestIfExists(repo, 'c')
    expect(r.tokenRequests()).toHaveLength(2)
  })

  test('insufficient scope → REGISTRY_DENIED', async () => {
    const r = await fake({auth: {kind: 'bearer', users: {reader: 'pw'}, grant: (_u, _repo, requested) => requested.filter((a) => a === 'pull')}})
    const c = client({kind: 'basic', username: 'reader', password: 'pw'})
    const repo = {registry: r.host, repository: 'team/app'}
    const err = await c.putManifest(repo, 'v1', MANIFEST, OCI).catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'REGISTRY_DENIED'})
    expect((err as Error).message).toContain('insufficient_scope')
    expect((err as Error).message).not.toContain('tok-')
  })

  test('token endpoint rejecting the password → REGISTRY_AUTH_FAILED', async () => {
    const r = await fake({auth: {kind: 'bearer', users: {alice: 'pw'}}})
    const err = await client({kind: 'basic', username: 'alice', password: 'nope-nope'})
      .getManifest({registry: r.host, repository: 'team/app'}, 'v1')
      .catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'REGISTRY_AUTH_FAILED'})
    expect((err as Error).message).toContain('incorrect username or password')
    expect((err as Error).message).not.toContain('nope-nope')
  })

  test('a rejected cached token is dropped and replaced once', async () => {
    let revoke = false
    const r = await fake({
      auth: {kind: 'bearer'},
      override: (req, res) => {
        if (revoke && req.url.startsWith('/v2/') && req.headers.authorization?.startsWith('Bearer ')) {
          revoke = false
          res.writeHead(401, {'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="fake-registry",error="invalid_token"`}).end()
          return true
        }
        return false
      },
    })
    const c = client(undefined)
    const repo = {registry: r.host, repository: 'team/app'}
    await c.getManifestIfExists(repo, 'a')
    revoke = true
    await c.getManifestIfExists(repo, 'b')
    expect(r.tokenRequests()).toHaveLength(2)
  })

  test('a freshly issued token that is rejected → REGISTRY_AUTH_FAILED (no loop)', async () => {
    const r = await fake({
      auth: {kind: 'bearer'},
      override: (req, res) => {
        if (req.url.startsWith('/v2/')) {
          res.writeHead(401, {'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="fake-registry",scope="repository:team/app:pull",error="invalid_token"`}).end()
          return true
        }
        return false
      },
    })
    await expect(client(undefined).getManifest({registry: r.host, repository: 'team/app'}, 'a')).rejects.toMatchObject({
      code: 'REGISTRY_AUTH_FAILED',
    })
    expect(r.tokenRequests()).toHaveLength(1)
    expect(r.registryRequests()).toHaveLength(2)
  })

  test('extra scope asked for by the challenge (delete) is added to the token request', async () => {
    const r = await fake({auth: {kind: 'bearer'}})
    const c = client(undefined)
    const repo = {registry: r.host, repository: 'team/app'}
    const {digest} = await c.putManifest(repo, 'v1', MANIFEST, OCI)
    await c.deleteManifest(repo, digest)
    const scopes = r.tokenRequests().map((q) => new URL(q.url, 'http://x').searchParams.getAll('scope'))
    expect(scopes).toEqual([['repository:team/app:pull,push'], ['repository:team/app:delete,pull,push']])
    expect(r.manifests.size).toBe(0)
  })

  test('identity token: OAuth2 refresh_token POST', async () => {
    const r = await fake({auth: {kind: 'bearer', refreshTokens: {'refresh-123': 'alice'}}})
    const c = client({kind: 'identity-token', token: 'refresh-123'})
    await c.getManifestIfExists({registry: r.host, repository: 'team/app'}, 'v1')
    const [post] = r.tokenRequests()
    expect(post!.method).toBe('POST')
    expect(post!.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(Object.fromEntries(new URLSearchParams(post!.body.toString()))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-123',
      client_id: 'sigil',
      service: 'fake-registry',
      scope: 'repository:team/app:pull',
    })
  })

  test('identity token: GET fallback when POST answers 404', async () => {
    const r = await fake({auth: {kind: 'bearer', noPost: true, refreshTokens: {'refresh-123': 'alice'}}})
    const c = client({kind: 'identity-token', username: 'alice', token: 'refresh-123'})
    expect(await c.getManifestIfExists({registry: r.host, repository: 'team/app'}, 'v1')).toBeUndefined()
    expect(r.tokenRequests().map((q) => q.method)).toEqual(['POST', 'GET'])
    expect(r.tokenRequests()[1]!.headers.authorization).toBe(`Basic ${Buffer.from('alice:refresh-123').toString('base64')}`)
  })

  test('a static bearer credential (registrytoken) is sent on the first request', async () => {
    const r = await fake({})
    await client({kind: 'bearer', token: 'static-tok'}).getManifestIfExists({registry: r.host, repository: 'a'}, 'v1')
    expect(r.registryRequests()[0]!.headers.authorization).toBe('Bearer static-tok')
  })

  test('a token response without a token → REGISTRY_PROTOCOL; garbage JSON → REGISTRY_PROTOCOL', async () => {
    for (const body of ['{"nothing":1}', '<html>oops']) {
      const r = await fake({
        auth: {kind: 'bearer'},
        override: (req, res) => {
          if (!req.url.startsWith('/token')) return false
          res.writeHead(200, {'content-type': 'application/json'}).end(body)
          return true
        },
      })
      await expect(client(undefined).getManifest({registry: r.host, repository: 'a'}, 'v1')).rejects.toMatchObject({
        code: 'REGISTRY_PROTOCOL',
      })
    }
  })

  test('a plain-HTTP realm on a non-loopback host is refused before any token request', async () => {
    const r = await fake({
      override: (_req, res) => {
        res.writeHead(401, {'www-authenticate': 'Bearer realm="http://auth.example.com/token",service="x"'}).end()
        return true
      },
    })
    const events: RequestEvent[] = []
    await expect(client(undefined, events).getManifest({registry: r.host, repository: 'a'}, 'v1')).rejects.toMatchObject({
      code: 'INSECURE_REGISTRY',
    })
    expect(events.map((e) => new URL(e.url).host)).toEqual([r.host])
  })

  test('digest of manifests pushed through the token flow is sha256 of the bytes', async () => {
    const r = await fake({auth: {kind: 'bearer'}})
    const {digest} = await client(undefined).putManifest({registry: r.host, repository: 'a'}, 'v1', MANIFEST, OCI)
    expect(digest).toBe(digestOf(MANIFEST))
  })
})
