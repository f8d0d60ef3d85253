import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {AWS_OFFLINE_ENV, pushRandomImage, requireRegistry, startEcrServer, startFaultProxy, startRegistry} from '@sigil/test-servers'
import type {EcrTestServer, FaultProxy, TestRegistry} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

// ECR through the built binary: the real @aws-sdk/client-ecr asks a loopback ECR API for the
// registry password; the fake ECR host is mapped by the mirrors config to a real htpasswd
// registry on loopback (behind a fault proxy for the immutable-tag case). Nothing leaves 127.0.0.1.
const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
const PASSWORD = 'ecr-token-password-not-to-print'
let registry: TestRegistry
let proxy: FaultProxy
let ecr: EcrTestServer
let dir: string
let env: Record<string, string | undefined>

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry({htpasswd: {username: 'AWS', password: PASSWORD}})
  proxy = await startFaultProxy(registry.host)
  ecr = await startEcrServer({password: PASSWORD, region: 'eu-west-1'})
  dir = mkdtempSync(join(tmpdir(), 'sigil-ecr-'))
  writeFileSync(join(dir, 'registries.json'), JSON.stringify({registries: [{prefix: HOST, location: `http://${proxy.host}`}]}))
  env = {
    SIGIL_REGISTRIES_CONFIG: join(dir, 'registries.json'),
    ...AWS_OFFLINE_ENV,
    AWS_ENDPOINT_URL_ECR: ecr.endpoint,
    DOCKER_CONFIG: join(dir, 'docker'),
    HOME: dir,
    COSIGN_PASSWORD: 'pw',
  }
  const client = new RegistryClient({credentials: async () => ({kind: 'basic', username: 'AWS', password: PASSWORD})})
  await pushRandomImage(client, {registry: registry.host, repository: 'team/app'}, 'v1')
  await pushRandomImage(client, {registry: registry.host, repository: 'team/frozen'}, 'v1')
  expect((await sigil(['generate-key-pair'], {cwd: dir, env})).code).toBe(0)
})
afterAll(async () => {
  await proxy?.close()
  await registry?.stop()
  await ecr?.close()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

describe('ECR through the sigil binary', () => {
  test('sign and verify with a GetAuthorizationToken password; the payload names the ECR repository', async () => {
    const ref = `${HOST}/team/app:v1`
    const before = ecr.count()
    const s = await sigil(['sign', '--key', 'cosign.key', '--verbose', ref], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    expect(ecr.count() - before).toBe(1) // one token for the whole run
    expect(s.stderr + s.stdout).not.toContain(PASSWORD)
    const v = await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir, env})
    expect(v.code, v.stderr).toBe(0)
    expect(JSON.parse(v.stdout)[0].critical.identity['docker-reference']).toBe(`${HOST}/team/app`)
  })

  test('an immutable-tag refusal of the .sig update is explained with the fix', async () => {
    const ref = `${HOST}/team/frozen:v1`
    proxy.setRule((m, p) =>
      m === 'PUT' && p.includes('/manifests/sha256-')
        ? {kind: 'respond', status: 400, body: '{"errors":[{"code":"TAG_INVALID","message":"The image tag \'sha256-x.sig\' already exists in the \'team/frozen\' repository and cannot be overwritten because the repository is immutable."}]}'}
        : {kind: 'pass'},
    )
    try {
      const s = await sigil(['sign', '--key', 'cosign.key', ref], {cwd: dir, env})
      expect(s.code).toBe(1)
      expect(s.stderr).toMatch(/immutable/i)
      expect(s.stderr).toMatch(/COSIGN_REPOSITORY|SIGIL_REPOSITORY/)
      expect(s.stderr).not.toMatch(/\n\s+at /)
    } finally {
      proxy.setRule(() => ({kind: 'pass'}))
    }
  })

  test('AWS refusing the token is a clear authentication error', async () => {
    ecr.setAccessDenied(true)
    try {
      const v = await sigil(['verify', '--key', 'cosign.pub', `${HOST}/team/app:v1`], {cwd: dir, env})
      expect(v.code).toBe(1)
      expect(v.stderr).toMatch(/ecr:GetAuthorizationToken/)
    } finally {
      ecr.setAccessDenied(false)
    }
  })
})
