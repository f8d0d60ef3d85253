/**
 * The Bearer token flow end to end: RegistryClient against the real docker-registry in
 * `auth.token` mode, with tokens from the testkit's loopback token server (JWTs the registry
 * really validates). Under CI=true a missing binary fails this file.
 */
import {mkdtemp, mkdir, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {RegistryCredential} from '@sigil/core'
import {REGISTRY_SKIP_REASON, installCredentialHelper, pushRandomImage, requireRegistry, startRegistry, type TestRegistry} from '@sigil/test-servers'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient, checkRegistryLogin, dockerConfigCredentials, type RepositoryRef} from '../src/index.js'

const available = requireRegistry()
const WRITER = {username: 'writer', password: 'w-secret'}
const READER = {username: 'reader', password: 'r-secret'}

describe.skipIf(!available)(`token auth against docker-registry${available ? '' : ` (${REGISTRY_SKIP_REASON})`}`, () => {
  let registry: TestRegistry
  let dir: string
  const repo = (repository: string): RepositoryRef => ({registry: registry.host, repository})
  const client = (cred: RegistryCredential | undefined): RegistryClient => new RegistryClient({credentials: async () => cred})
  const tokenRequests = () => registry.tokenServer!.requests

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sigil-token-auth-'))
    registry = await startRegistry({
      tokenAuth: {
        users: {
          [WRITER.username]: {password: WRITER.password, access: {'team/app': ['pull', 'push'], 'team/other': ['*']}},
          [READER.username]: {password: READER.password, access: {'team/app': ['pull']}},
        },
        anonymous: {'team/public': ['pull']},
      },
    })
  })
  afterAll(async () => {
    await registry?.stop()
    if (dir) await rm(dir, {recursive: true, force: true})
  })

  test('a writer pushes and reads back with one token request per scope', async () => {
    const before = tokenRequests().length
    const c = client({kind: 'basic', ...WRITER})
    const pushed = await pushRandomImage(c, repo('team/app'), 'v1')
    expect((await c.resolveDigest(repo('team/app'), 'v1')).digest).toBe(pushed.digest)
    const fetched = await c.getManifest(repo('team/app'), pushed.digest)
    expect(fetched.digest).toBe(pushed.digest)
    const made = tokenRequests().slice(before)
    expect(made.map((r) => [r.grant, r.user, r.status, r.scopes.join(' ')])).toEqual([['basic', 'writer', 200, 'repository:team/app:pull,push']])
  })

  test('a pull-only token cannot push: REGISTRY_DENIED; it can read', async () => {
    const c = client({kind: 'basic', ...READER})
    await expect(pushRandomImage(c, repo('team/app'), 'reader-was-here')).rejects.toMatchObject({
      code: 'REGISTRY_DENIED',
      message: expect.stringContaining('insufficient_scope') as unknown,
    })
    expect(await client({kind: 'basic', ...WRITER}).getManifestIfExists(repo('team/app'), 'reader-was-here')).toBeUndefined()
    expect((await c.resolveDigest(repo('team/app'), 'v1')).digest).toMatch(/^sha256:/)
  })

  test('anonymous gets only what the token server grants anonymously', async () => {
    await pushRandomImage(client({kind: 'basic', ...WRITER}), repo('team/other'), 'v1')
    // team/other: no anonymous rights → the registry rejects the (empty) token
    await expect(client(undefined).resolveDigest(repo('team/other'), 'v1')).rejects.toMatchObject({code: expect.stringMatching(/REGISTRY_(DENIED|AUTH_FAILED)/) as unknown})
  })

  test('a wrong password fails at the token endpoint with REGISTRY_AUTH_FAILED, without echoing it', async () => {
    const err = (await client({kind: 'basic', username: 'writer', password: 'not-the-password-42'})
      .resolveDigest(repo('team/app'), 'v1')
      .catch((e: unknown) => e)) as Error
    expect(err).toMatchObject({code: 'REGISTRY_AUTH_FAILED'})
    expect(err.message).not.toContain('not-the-password-42')
  })

  test('identity token: refresh-token POST, then reads and writes', async () => {
    const refresh = registry.tokenServer!.issueRefreshToken('writer')
    const before = tokenRequests().length
    const c = client({kind: 'identity-token', token: refresh})
    await pushRandomImage(c, repo('team/app'), 'via-refresh')
    const made = tokenRequests().slice(before)
    expect(made.map((r) => [r.method, r.grant, r.user, r.status])).toEqual([['POST', 'refresh_token', 'writer', 200]])
    await expect(client({kind: 'identity-token', token: 'revoked'}).resolveDigest(repo('team/app'), 'v1')).rejects.toMatchObject({code: 'REGISTRY_AUTH_FAILED'})
  })

  test('credsStore helper returning an identity token ("<token>") drives the refresh flow', async () => {
    const h = installCredentialHelper(dir, 'tok')
    h.set(registry.host, '<token>', registry.tokenServer!.issueRefreshToken('reader'))
    await mkdir(join(dir, 'docker'), {recursive: true})
    await writeFile(join(dir, 'docker', 'config.json'), JSON.stringify({credsStore: 'tok'}))
    const before = tokenRequests().length
    const c = new RegistryClient({credentials: dockerConfigCredentials({HOME: dir, DOCKER_CONFIG: join(dir, 'docker'), PATH: h.path()})})
    expect((await c.resolveDigest(repo('team/app'), 'v1')).digest).toMatch(/^sha256:/)
    await c.getManifest(repo('team/app'), 'v1')
    expect(tokenRequests().slice(before).map((r) => [r.grant, r.user])).toEqual([['refresh_token', 'reader']])
    // one helper run per key for the whole client
    expect(h.calls()).toEqual([`get ${registry.host}/team/app`, `get ${registry.host}`])
  })

  test('checkRegistryLogin: token registry accepts the right password, rejects a wrong one', async () => {
    await checkRegistryLogin(registry.host, {kind: 'basic', ...READER})
    await expect(checkRegistryLogin(registry.host, {kind: 'basic', username: 'reader', password: 'nope'})).rejects.toMatchObject({
      code: 'REGISTRY_AUTH_FAILED',
      message: expect.stringContaining('rejected') as unknown,
    })
  })
})

describe.skipIf(!available)(`checkRegistryLogin against htpasswd and anonymous registries${available ? '' : ` (${REGISTRY_SKIP_REASON})`}`, () => {
  test('basic auth: right and wrong password; anonymous registry: accepted', async () => {
    const basic = await startRegistry({htpasswd: {username: 'u', password: 'right'}})
    const open = await startRegistry()
    try {
      await checkRegistryLogin(basic.host, {kind: 'basic', username: 'u', password: 'right'})
      await expect(checkRegistryLogin(basic.host, {kind: 'basic', username: 'u', password: 'wrong'})).rejects.toMatchObject({code: 'REGISTRY_AUTH_FAILED'})
      await checkRegistryLogin(open.host, {kind: 'basic', username: 'u', password: 'anything'})
    } finally {
      await basic.stop()
      await open.stop()
    }
  })
})
