/**
 * The mirrors file through the built `sigil` binary: `docker.io/library/app:v1` is sent to a
 * real token-auth registry on loopback via SIGIL_REGISTRIES_CONFIG, with the Docker Hub key of
 * the docker config; the signature payload still names `index.docker.io/library/app`. A broken
 * mirrors file is a clear usage error naming it.
 */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {pushRandomImage, requireRegistry, startRegistry} from '@sigil/test-servers'
import type {TestRegistry} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

const USER = {username: 'hubuser', password: 'hub-secret-do-not-print'}
let registry: TestRegistry
let dir: string
let digest: string
let env: Record<string, string | undefined>
const direct = (): RegistryClient => new RegistryClient({credentials: async () => ({kind: 'basic', ...USER})})

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry({tokenAuth: {users: {[USER.username]: {password: USER.password, access: {'library/app': ['pull', 'push']}}}}})
  dir = mkdtempSync(join(tmpdir(), 'sigil-mirrors-cli-'))
  const docker = join(dir, 'docker')
  mkdirSync(docker)
  writeFileSync(join(docker, 'config.json'), JSON.stringify({auths: {'https://index.docker.io/v1/': {auth: Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}}}))
  writeFileSync(join(dir, 'registries.json'), JSON.stringify({registries: [{prefix: 'docker.io', location: registry.url}]}))
  env = {
    COSIGN_PASSWORD: 'k',
    SIGIL_PASSWORD: undefined,
    SIGIL_REGISTRY_PASSWORD: undefined,
    HOME: dir,
    DOCKER_CONFIG: docker,
    REGISTRY_AUTH_FILE: undefined,
    XDG_RUNTIME_DIR: undefined,
    XDG_CONFIG_HOME: join(dir, 'xdg'),
    SIGIL_REGISTRIES_CONFIG: join(dir, 'registries.json'),
  }
  digest = (await pushRandomImage(direct(), {registry: registry.host, repository: 'library/app'}, 'v1')).digest
  expect((await sigil(['generate-key-pair'], {cwd: dir, env})).code).toBe(0)
})
afterAll(async () => {
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

describe('mirrors (SIGIL_REGISTRIES_CONFIG) through the CLI', () => {
  test('sign/verify docker.io/library/app:v1 via the loopback mirror; the payload names index.docker.io/library/app', async () => {
    const s = await sigil(['sign', '--key', 'cosign.key', '--verbose', 'docker.io/library/app:v1'], {cwd: dir, env})
    expect(s.stderr + s.stdout).not.toContain(USER.password)
    expect(s.code, s.stderr).toBe(0)
    expect(s.stderr).toContain(`registry index.docker.io mapped to ${registry.url}`)
    const v = await sigil(['verify', '--key', 'cosign.pub', 'app:v1'], {cwd: dir, env})
    expect(v.code, v.stderr).toBe(0)
    expect(v.stdout).toContain('"docker-reference":"index.docker.io/library/app"')
    expect(v.stdout).toContain(digest)
    const sig = await direct().getManifestIfExists({registry: registry.host, repository: 'library/app'}, `${digest.replace(':', '-')}.sig`)
    expect(sig).toBeDefined()
  })

  test('an invalid mirrors file is a usage error naming the file', async () => {
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({registries: [{prefix: 'docker.io', location: 'http://mirror.corp'}]}))
    const v = await sigil(['verify', '--key', 'cosign.pub', 'app:v1'], {cwd: dir, env: {...env, SIGIL_REGISTRIES_CONFIG: bad}})
    expect(v.code).not.toBe(0)
    expect(v.stderr).toContain(`invalid registries config ${bad}`)
    expect(v.stderr).toContain('plain http://')
  })
})
