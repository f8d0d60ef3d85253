import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {pushRandomImage, requireRegistry, startRegistry} from '@sigil/test-servers'
import type {TestRegistry} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

// ghcr.io through the built binary, mapped by the mirrors config to a real token-auth registry
// on loopback: the ambient GITHUB_TOKEN signs, and a docker-config login beats it.
const ACTOR = {username: 'octocat', password: 'ghp_ambient-token-do-not-print'}
const LOGIN = {username: 'release-bot', password: 'docker-login-pw-do-not-print'}
let registry: TestRegistry
let dir: string
let base: Record<string, string | undefined>

beforeAll(async () => {
  requireRegistry()
  const access = {'octo/app': ['pull', 'push']}
  registry = await startRegistry({tokenAuth: {users: {[ACTOR.username]: {password: ACTOR.password, access}, [LOGIN.username]: {password: LOGIN.password, access}}}})
  dir = mkdtempSync(join(tmpdir(), 'sigil-ghcr-'))
  writeFileSync(join(dir, 'registries.json'), JSON.stringify({registries: [{prefix: 'ghcr.io', location: registry.url}]}))
  mkdirSync(join(dir, 'empty-docker'))
  base = {SIGIL_REGISTRIES_CONFIG: join(dir, 'registries.json'), HOME: dir, DOCKER_CONFIG: join(dir, 'empty-docker'), COSIGN_PASSWORD: 'pw', GH_TOKEN: undefined}
  const client = new RegistryClient({credentials: async () => ({kind: 'basic', ...ACTOR})})
  await pushRandomImage(client, {registry: registry.host, repository: 'octo/app'}, 'v1')
  expect((await sigil(['generate-key-pair'], {cwd: dir, env: base})).code).toBe(0)
})
afterAll(async () => {
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

const usersAsked = () => registry.tokenServer!.requests.map((r) => r.user)

describe('ghcr.io through the sigil binary', () => {
  test('GITHUB_TOKEN signs and verifies; the payload names ghcr.io; the token is never printed', async () => {
    const env = {...base, GITHUB_TOKEN: ACTOR.password, GITHUB_ACTOR: ACTOR.username}
    const before = usersAsked().length
    const s = await sigil(['sign', '--key', 'cosign.key', '--verbose', 'ghcr.io/octo/app:v1'], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    expect(s.stderr + s.stdout).not.toContain(ACTOR.password)
    expect(usersAsked().slice(before)).toContain(ACTOR.username)
    const v = await sigil(['verify', '--key', 'cosign.pub', 'ghcr.io/octo/app:v1'], {cwd: dir, env})
    expect(v.code, v.stderr).toBe(0)
    expect(JSON.parse(v.stdout)[0].critical.identity['docker-reference']).toBe('ghcr.io/octo/app')
  })

  test('a docker-config login for ghcr.io wins over the ambient GITHUB_TOKEN', async () => {
    const docker = join(dir, 'docker')
    mkdirSync(docker, {recursive: true})
    const auth = Buffer.from(`${LOGIN.username}:${LOGIN.password}`).toString('base64')
    writeFileSync(join(docker, 'config.json'), JSON.stringify({auths: {'ghcr.io': {auth}}}))
    const env = {...base, DOCKER_CONFIG: docker, GITHUB_TOKEN: ACTOR.password, GITHUB_ACTOR: ACTOR.username}
    const before = usersAsked().length
    const v = await sigil(['verify', '--key', 'cosign.pub', 'ghcr.io/octo/app:v1'], {cwd: dir, env})
    expect(v.code, v.stderr).toBe(0)
    const asked = usersAsked().slice(before)
    expect(asked).toContain(LOGIN.username)
    expect(asked).not.toContain(ACTOR.username)
  })
})
