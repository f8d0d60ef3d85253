/**
 * GHCR end to end against a real token-auth docker-registry on loopback, reached through the
 * mirror mapping (`ghcr.io` → loopback): the conformance suite and sign/verify with an ambient
 * GITHUB_TOKEN exchanged at the token endpoint, and the documented precedence (a docker-config
 * login wins over the ambient token).
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {parsePayload, parseReference, type RegistryCredential} from '@sigil/core'
import {RegistryClient, dockerConfigCredentials, loadRegistryMirrors, type RequestEvent} from '@sigil/oci'
import {signImage, verifyImage} from '@sigil/signing'
import {REGISTRY_SKIP_REASON, pushRandomImage, requireRegistry, startRegistry, type TestRegistry} from '@sigil/test-servers'
import {registryAdapterSuite} from '@sigil/testkit'
import {ghcrAdapter, type GhcrAdapter} from '../src/index.js'
import {ephemeralKeys as testKeys} from '@sigil/test-servers'

const ACTOR = {username: 'octocat', password: 'ghp_ambient-token-do-not-print'}
const LOGIN = {username: 'logged-in', password: 'docker-login-secret'}
const available = requireRegistry()
let registry: TestRegistry
let dir: string

/** The CLI's composition: mirror first; docker config before an 'after-docker-config' adapter. */
function clientFor(adapter: GhcrAdapter, env: NodeJS.ProcessEnv, onRequest?: (e: RequestEvent) => void): RegistryClient {
  const mirrors = loadRegistryMirrors(env)
  const fromConfig = dockerConfigCredentials(env)
  return new RegistryClient({
    endpoint: (h) => mirrors.endpoint(h) ?? adapter.endpoint?.(h)?.url,
    credentials: async (h, r): Promise<RegistryCredential | undefined> =>
      adapter.matches(h) && adapter.credentialPrecedence === 'after-docker-config'
        ? ((await fromConfig(h, r)) ?? adapter.credentials?.(h, r))
        : ((await adapter.credentials?.(h, r)) ?? fromConfig(h, r)),
    ...(onRequest ? {onRequest} : {}),
  })
}
function envWith(dockerConfig: unknown): NodeJS.ProcessEnv {
  const d = mkdtempSync(join(dir, 'docker-'))
  if (dockerConfig !== undefined) writeFileSync(join(d, 'config.json'), JSON.stringify(dockerConfig))
  return {HOME: dir, DOCKER_CONFIG: d, SIGIL_REGISTRIES_CONFIG: join(dir, 'registries.json'), PATH: process.env.PATH}
}
const direct = (): RegistryClient => new RegistryClient({credentials: async () => ({kind: 'basic', ...ACTOR})})

beforeAll(async () => {
  if (!available) return
  const access = {'octo/app': ['pull', 'push'], 'octo/kit': ['pull', 'push']}
  registry = await startRegistry({tokenAuth: {users: {[ACTOR.username]: {password: ACTOR.password, access}, [LOGIN.username]: {password: LOGIN.password, access}}}})
  dir = mkdtempSync(join(tmpdir(), 'sigil-ghcr-'))
  writeFileSync(join(dir, 'registries.json'), JSON.stringify({registries: [{prefix: 'ghcr.io', location: registry.url}]}))
})
afterAll(async () => {
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

describe.skipIf(!available)(`GHCR through the mirror mapping${available ? '' : ` (${REGISTRY_SKIP_REASON})`}`, () => {
  describe('registryAdapterSuite (live, token auth, ambient GITHUB_TOKEN)', () => {
    registryAdapterSuite(test, () => ghcrAdapter({env: {GITHUB_TOKEN: ACTOR.password, GITHUB_ACTOR: ACTOR.username}}), {
      matching: ['ghcr.io'],
      notMatching: ['index.docker.io'],
      live: async () => ({
        host: 'ghcr.io',
        repository: 'octo/kit',
        client: (adapter, onRequest) => clientFor(adapter as GhcrAdapter, envWith(undefined), onRequest),
        inspector: direct(),
        inspectorHost: registry.host,
        allowedOrigins: [registry.url, registry.tokenServer!.url],
      }),
    })
  })

  test('sign + verify ghcr.io/octo/app:v1 with GITHUB_TOKEN; the payload names ghcr.io/octo/app', async () => {
    const pushed = await pushRandomImage(direct(), {registry: registry.host, repository: 'octo/app'}, 'v1')
    const {signer, verifier} = testKeys()
    const before = registry.tokenServer!.requests.length
    const client = clientFor(ghcrAdapter({env: {GITHUB_TOKEN: ACTOR.password, GITHUB_ACTOR: ACTOR.username}}), envWith(undefined))
    const image = parseReference('ghcr.io/octo/app:v1')
    expect((await signImage(image, {client, signer, verifier})).digest).toBe(pushed.digest)
    const result = await verifyImage(image, {client, verifier})
    expect(parsePayload(result.signatures[0]!.payloadBytes).critical.identity['docker-reference']).toBe('ghcr.io/octo/app')
    const used = registry.tokenServer!.requests.slice(before)
    expect(used.length).toBeGreaterThan(0)
    expect(used.every((r) => r.user === ACTOR.username)).toBe(true)
  })

  test('a docker-config login for ghcr.io wins over the ambient token; without it the token is used', async () => {
    const adapter = ghcrAdapter({env: {GITHUB_TOKEN: ACTOR.password, GITHUB_ACTOR: ACTOR.username}})
    const loggedIn = envWith({auths: {'ghcr.io': {auth: Buffer.from(`${LOGIN.username}:${LOGIN.password}`).toString('base64')}}})
    let before = registry.tokenServer!.requests.length
    await pushRandomImage(clientFor(adapter, loggedIn), {registry: 'ghcr.io', repository: 'octo/app'}, 'login')
    expect(new Set(registry.tokenServer!.requests.slice(before).map((r) => r.user))).toEqual(new Set([LOGIN.username]))
    before = registry.tokenServer!.requests.length
    await pushRandomImage(clientFor(adapter, envWith({auths: {'other.example': {auth: 'eDp5'}}})), {registry: 'ghcr.io', repository: 'octo/app'}, 'ambient')
    expect(new Set(registry.tokenServer!.requests.slice(before).map((r) => r.user))).toEqual(new Set([ACTOR.username]))
  })
})
