/**
 * startTokenServer alone, and startRegistry({tokenAuth}) against the real docker-registry
 * (which validates the JWTs). Under CI=true a missing binary fails this file.
 */
import {createHash, X509Certificate} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {REGISTRY_SKIP_REASON, libtrustKeyId, requireRegistry, startRegistry, startTokenServer, type TestRegistry} from '../src/index.js'

const available = requireRegistry()
const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`
const claims = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>

describe('startTokenServer', () => {
  test('issues ES256 JWTs with x5c + libtrust kid, string aud, access limited to the user\'s rights', async () => {
    const ts = await startTokenServer({users: {reader: {password: 'r', access: {'team/app': ['pull']}}}, anonymous: {}})
    try {
      const url = `${ts.realm}?service=${ts.service}&scope=repository:team/app:pull,push&scope=repository:other:pull&account=reader`
      const res = await fetch(url, {headers: {authorization: basic('reader', 'r')}})
      expect(res.status).toBe(200)
      const body = (await res.json()) as {token: string; access_token: string; expires_in: number}
      expect(body.access_token).toBe(body.token)
      const [h, , sig] = body.token.split('.')
      const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as {alg: string; kid: string; x5c: string[]}
      expect(header.alg).toBe('ES256')
      expect(header.kid).toMatch(/^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/)
      const cert = new X509Certificate(readFileSync(ts.certPath))
      expect(header.x5c).toEqual([cert.raw.toString('base64')])
      expect(header.kid).toBe(libtrustKeyId(cert.publicKey.export({type: 'spki', format: 'der'})))
      expect(Buffer.from(sig!, 'base64url')).toHaveLength(64)
      const c = claims(body.token)
      expect(c).toMatchObject({iss: ts.issuer, aud: ts.service, sub: 'reader', access: [{type: 'repository', name: 'team/app', actions: ['pull']}]})
      expect(typeof c['exp']).toBe('number')

      expect((await fetch(url, {headers: {authorization: basic('reader', 'wrong')}})).status).toBe(401)
      const anon = (await (await fetch(url)).json()) as {token: string}
      expect(claims(anon.token)['access']).toEqual([])
      expect(ts.requests.map((r) => [r.grant, r.status])).toEqual([
        ['basic', 200],
        ['basic', 401],
        ['anonymous', 200],
      ])
      expect(ts.requests[0]!.scopes).toEqual(['repository:team/app:pull,push', 'repository:other:pull'])
    } finally {
      await ts.stop()
    }
  })

  test('libtrustKeyId: sha256 of the SPKI, 30 bytes, base32, 12 groups of 4', () => {
    const spki = Buffer.from('test-spki')
    const id = libtrustKeyId(spki)
    expect(id.split(':')).toHaveLength(12)
    const first = createHash('sha256').update(spki).digest()[0]!
    expect('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(id[0]!)).toBe(first >> 3)
  })

  test('refresh-token POST form; an unknown refresh token → 401', async () => {
    const ts = await startTokenServer({users: {bot: {password: 'pw', access: {app: ['*']}}}})
    try {
      const refresh = ts.issueRefreshToken('bot')
      const form = new URLSearchParams({grant_type: 'refresh_token', refresh_token: refresh, client_id: 'x', service: ts.service, scope: 'repository:app:pull,push'})
      const res = await fetch(ts.realm, {method: 'POST', body: form})
      expect(res.status).toBe(200)
      const body = (await res.json()) as {access_token: string}
      expect(claims(body.access_token)['access']).toEqual([{type: 'repository', name: 'app', actions: ['pull', 'push']}])
      form.set('refresh_token', 'nope')
      expect((await fetch(ts.realm, {method: 'POST', body: form})).status).toBe(401)
      // docker login's offline_token=true returns a refresh token
      const offline = await fetch(`${ts.realm}?service=${ts.service}&offline_token=true`, {headers: {authorization: basic('bot', 'pw')}})
      expect(((await offline.json()) as {refresh_token?: string}).refresh_token).toBeTruthy()
    } finally {
      await ts.stop()
    }
  })
})

describe.skipIf(!available)(`startRegistry with tokenAuth${available ? '' : ` (${REGISTRY_SKIP_REASON})`}`, () => {
  let registry: TestRegistry
  beforeAll(async () => {
    registry = await startRegistry({
      tokenAuth: {users: {writer: {password: 'w', access: {'team/app': ['pull', 'push']}}, reader: {password: 'r', access: {'team/app': ['pull']}}}},
    })
  })
  afterAll(async () => {
    await registry?.stop()
  })
  const token = async (user: string, pw: string, scope: string): Promise<string> => {
    const ts = registry.tokenServer!
    const res = await fetch(`${ts.realm}?service=${ts.service}&scope=${scope}`, {headers: {authorization: basic(user, pw)}})
    return ((await res.json()) as {token: string}).token
  }

  test('challenges with the token server as realm; its tokens are accepted, scoped, and expiry is enforced', async () => {
    const ts = registry.tokenServer!
    const anon = await fetch(`${registry.url}/v2/team/app/tags/list`)
    expect(anon.status).toBe(401)
    expect(anon.headers.get('www-authenticate')).toBe(`Bearer realm="${ts.realm}",service="${ts.service}",scope="repository:team/app:pull"`)
    const pull = await token('reader', 'r', 'repository:team/app:pull')
    const listed = await fetch(`${registry.url}/v2/team/app/tags/list`, {headers: {authorization: `Bearer ${pull}`}})
    expect(listed.status, registry.logs()).toBe(404) // authorised; the repository does not exist yet
    // pull-only token cannot start an upload
    const up = await fetch(`${registry.url}/v2/team/app/blobs/uploads/`, {method: 'POST', headers: {authorization: `Bearer ${await token('reader', 'r', 'repository:team/app:pull,push')}`}})
    expect(up.status).toBe(401)
    expect(up.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
    const w = await fetch(`${registry.url}/v2/team/app/blobs/uploads/`, {method: 'POST', headers: {authorization: `Bearer ${await token('writer', 'w', 'repository:team/app:pull,push')}`}})
    expect(w.status, registry.logs()).toBe(202)
    // a token that expired more than the registry's 60 s leeway ago
    const expired = ts.issueToken({access: {'team/app': ['pull']}, issuedAt: Date.now() - 10 * 60_000, expiresInS: 120})
    const e = await fetch(`${registry.url}/v2/team/app/tags/list`, {headers: {authorization: `Bearer ${expired}`}})
    expect(e.status).toBe(401)
    expect(e.headers.get('www-authenticate')).toContain('error="invalid_token"')
  })
})
