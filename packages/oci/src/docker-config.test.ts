import {mkdtemp, mkdir, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import {dockerConfigCredentials, findAuthFile} from './docker-config.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigil-docker-config-'))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

const b64 = (s: string): string => Buffer.from(s).toString('base64')
async function writeConfig(path: string, value: unknown): Promise<void> {
  await mkdir(join(path, '..'), {recursive: true})
  await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value))
}

describe('dockerConfigCredentials', () => {
  test('auth, username/password, identitytoken, registrytoken', async () => {
    await writeConfig(join(dir, 'docker', 'config.json'), {
      auths: {
        'a.example.com': {auth: b64('alice:pa:ss')},
        'b.example.com': {username: 'bob', password: 'pw'},
        'c.example.com': {username: 'carol', identitytoken: 'refresh'},
        'd.example.com': {registrytoken: 'bearer-tok'},
        'e.example.com': {},
      },
    })
    const creds = dockerConfigCredentials({HOME: dir, DOCKER_CONFIG: join(dir, 'docker')})
    expect(await creds('a.example.com', 'x')).toEqual({kind: 'basic', username: 'alice', password: 'pa:ss'})
    expect(await creds('b.example.com', 'x')).toEqual({kind: 'basic', username: 'bob', password: 'pw'})
    expect(await creds('c.example.com', 'x')).toEqual({kind: 'identity-token', username: 'carol', token: 'refresh'})
    expect(await creds('d.example.com', 'x')).toEqual({kind: 'bearer', token: 'bearer-tok'})
    expect(await creds('e.example.com', 'x')).toBeUndefined()
    expect(await creds('unknown.example.com', 'x')).toBeUndefined()
  })

  test('full repository key first, then host; https://host/v1/ keys match by hostname; Docker Hub key', async () => {
    await writeConfig(join(dir, '.docker', 'config.json'), {
      auths: {
        'ghcr.io/org/special': {auth: b64('repo-user:1')},
        'https://ghcr.io/v1/': {auth: b64('host-user:2')},
        'https://index.docker.io/v1/': {auth: b64('hub-user:3')},
        'localhost:5000': {auth: b64('local:4')},
      },
    })
    const creds = dockerConfigCredentials({HOME: dir})
    expect(await creds('ghcr.io', 'org/special')).toMatchObject({username: 'repo-user'})
    expect(await creds('ghcr.io', 'org/other')).toMatchObject({username: 'host-user'})
    expect(await creds('index.docker.io', 'library/ubuntu')).toMatchObject({username: 'hub-user'})
    expect(await creds('localhost:5000', 'a')).toMatchObject({username: 'local'})
    expect(await creds('localhost:5001', 'a')).toBeUndefined()
  })

  test('only index.docker.io reads the Docker Hub key (ggcr): registry-1.docker.io, as typed, looks up its own name', async () => {
    await writeConfig(join(dir, '.docker', 'config.json'), {
      auths: {'https://index.docker.io/v1/': {auth: b64('hub-user:3')}, 'registry-1.docker.io': {auth: b64('r1-user:5')}},
    })
    const creds = dockerConfigCredentials({HOME: dir})
    expect(await creds('index.docker.io', 'library/ubuntu')).toMatchObject({username: 'hub-user'})
    expect(await creds('registry-1.docker.io', 'library/ubuntu')).toMatchObject({username: 'r1-user'})
  })

  test('no config anywhere → anonymous', async () => {
    const creds = dockerConfigCredentials({HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg')})
    expect(await creds('ghcr.io', 'a')).toBeUndefined()
    expect(await findAuthFile({HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg')})).toBeUndefined()
  })

  test('falls back to REGISTRY_AUTH_FILE, then containers auth.json', async () => {
    await writeConfig(join(dir, 'xdg', 'containers', 'auth.json'), {auths: {'quay.io': {auth: b64('q:1')}}})
    const env = {HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg')}
    expect(await dockerConfigCredentials(env)('quay.io', 'a')).toMatchObject({username: 'q'})
    await writeConfig(join(dir, 'custom.json'), {auths: {'quay.io': {auth: b64('custom:1')}}})
    expect(await dockerConfigCredentials({...env, REGISTRY_AUTH_FILE: join(dir, 'custom.json')})('quay.io', 'a')).toMatchObject({
      username: 'custom',
    })
  })

  test('malformed file → REGISTRY_AUTH_FAILED naming the file', async () => {
    const file = join(dir, '.docker', 'config.json')
    await writeConfig(file, '{not json')
    await expect(dockerConfigCredentials({HOME: dir})('ghcr.io', 'a')).rejects.toMatchObject({
      code: 'REGISTRY_AUTH_FAILED',
      message: expect.stringContaining(file) as unknown,
    })
    await writeConfig(file, {auths: {'ghcr.io': {auth: b64('no-colon')}}})
    await expect(dockerConfigCredentials({HOME: dir})('ghcr.io', 'a')).rejects.toMatchObject({code: 'REGISTRY_AUTH_FAILED'})
  })
})
