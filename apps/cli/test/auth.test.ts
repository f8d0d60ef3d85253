import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {pushRandomImage, requireRegistry, startRegistry} from '@sigil/test-servers'
import type {TestRegistry} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

// A real registry with htpasswd auth; sigil finds the credentials in docker's config.json.
const user = {username: 'ci-bot', password: 'pa55-w0rd-not-to-print'}
let registry: TestRegistry
let dir: string
let dockerConfig: string
let ref: string
const pw = {COSIGN_PASSWORD: 'k', SIGIL_PASSWORD: undefined}

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry({htpasswd: user})
  dir = mkdtempSync(join(tmpdir(), 'sigil-auth-'))
  dockerConfig = join(dir, 'docker')
  mkdirSync(dockerConfig)
  const auth = Buffer.from(`${user.username}:${user.password}`).toString('base64')
  writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({auths: {[registry.host]: {auth}}}))
  const client = new RegistryClient({credentials: async () => ({kind: 'basic', ...user})})
  await pushRandomImage(client, {registry: registry.host, repository: 'auth/app'}, 'v1')
  ref = `${registry.host}/auth/app:v1`
  expect((await sigil(['generate-key-pair'], {cwd: dir, env: pw})).code).toBe(0)
})
afterAll(async () => {
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

describe('credentials from docker config', () => {
  test('sign and verify with the auths entry of $DOCKER_CONFIG/config.json', async () => {
    const env = {...pw, DOCKER_CONFIG: dockerConfig, HOME: dir}
    const s = await sigil(['sign', '--key', 'cosign.key', '--verbose', ref], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    const v = await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir, env})
    expect(v.code, v.stderr).toBe(0)
    // --verbose shows requests, never the secret.
    expect(s.stderr + s.stdout + v.stderr + v.stdout).not.toContain(user.password)
    expect(s.stderr + s.stdout).not.toContain(Buffer.from(`${user.username}:${user.password}`).toString('base64'))
  })

  test('without credentials: a clear authentication error (exit 1), not "no signatures"', async () => {
    const empty = join(dir, 'empty-docker')
    mkdirSync(empty, {recursive: true})
    const v = await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir, env: {DOCKER_CONFIG: empty, HOME: dir, REGISTRY_AUTH_FILE: undefined, XDG_RUNTIME_DIR: undefined, XDG_CONFIG_HOME: undefined}})
    expect(v.code).toBe(1)
    expect(v.stderr).toMatch(/^Error: .*(auth|credential|401)/im)
    expect(v.stderr).not.toContain('no signatures')
  })

  test('wrong credentials: a clear authentication error that does not echo the password', async () => {
    const bad = join(dir, 'bad-docker')
    mkdirSync(bad, {recursive: true})
    const auth = Buffer.from(`${user.username}:wrong-secret-xyz`).toString('base64')
    writeFileSync(join(bad, 'config.json'), JSON.stringify({auths: {[registry.host]: {auth}}}))
    const s = await sigil(['sign', '--key', 'cosign.key', ref], {cwd: dir, env: {...pw, DOCKER_CONFIG: bad, HOME: dir}})
    expect(s.code).toBe(1)
    expect(s.stderr).toMatch(/^Error: .*(auth|credential|401)/im)
    expect(s.stderr).not.toContain('wrong-secret-xyz')
  })
})
