import {mkdtemp, mkdir, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {installCredentialHelper} from '@sigil/test-servers'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import {credentialHelperErase, credentialHelperGet, credentialHelperStore} from './credential-helper.js'
import {dockerConfigCredentials, type CredentialSource} from './docker-config.js'
import {eraseLogin, loginServer, storeLogin} from './docker-login.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigil-cred-helper-'))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

const b64 = (s: string): string => Buffer.from(s).toString('base64')
async function writeConfig(value: unknown): Promise<string> {
  await mkdir(join(dir, 'docker'), {recursive: true})
  const file = join(dir, 'docker', 'config.json')
  await writeFile(file, JSON.stringify(value))
  return file
}

describe('credential helper protocol (a real executable on PATH)', () => {
  test('get / store / erase; "<token>" means an identity token; not found → undefined', async () => {
    const h = installCredentialHelper(dir, 'kit')
    const env = {...process.env, PATH: h.path()}
    expect(await credentialHelperGet('kit', 'reg.example', {env})).toBeUndefined()
    await credentialHelperStore('kit', {serverUrl: 'reg.example', username: 'u', secret: 's3cret'}, {env})
    expect(await credentialHelperGet('kit', 'reg.example', {env})).toEqual({kind: 'basic', username: 'u', password: 's3cret'})
    h.set('tok.example', '<token>', 'refresh-123')
    expect(await credentialHelperGet('kit', 'tok.example', {env})).toEqual({kind: 'identity-token', token: 'refresh-123'})
    expect(await credentialHelperErase('kit', 'reg.example', {env})).toBe(true)
    expect(await credentialHelperErase('kit', 'reg.example', {env})).toBe(false)
    expect(h.calls()).toEqual(['get reg.example', 'store reg.example', 'get reg.example', 'get tok.example', 'erase reg.example', 'erase reg.example'])
  })

  test('missing helper, garbage output, failure: REGISTRY_AUTH_FAILED naming the helper, never the secret', async () => {
    const h = installCredentialHelper(dir, 'kit')
    const env = {...process.env, PATH: h.path()}
    await expect(credentialHelperGet('nope', 'x', {env})).rejects.toMatchObject({
      code: 'REGISTRY_AUTH_FAILED',
      message: expect.stringMatching(/docker-credential-nope not found on PATH/) as unknown,
    })
    h.set('x', 'u', 'hunter2-secret')
    h.setMode('garbage')
    const err = await credentialHelperGet('kit', 'x', {env}).catch((e: unknown) => e as Error)
    expect(err).toMatchObject({code: 'REGISTRY_AUTH_FAILED', message: expect.stringContaining('docker-credential-kit get printed invalid output') as unknown})
    expect(JSON.stringify(err) + (err as Error).message).not.toContain('hunter2')
    h.setMode('fail')
    await expect(credentialHelperGet('kit', 'x', {env})).rejects.toMatchObject({message: expect.stringContaining('docker-credential-kit get failed: keyring is locked') as unknown})
    await expect(credentialHelperGet('../evil', 'x', {env})).rejects.toMatchObject({code: 'REGISTRY_AUTH_FAILED'})
  })
})

describe('dockerConfigCredentials with helpers', () => {
  test('credHelpers[host] wins over credsStore, which wins over auths; repository key first; results cached', async () => {
    const a = installCredentialHelper(dir, 'per-host')
    const s = installCredentialHelper(dir, 'store')
    a.set('ghcr.io', 'helper-user', 'h-pw')
    s.set('quay.io', 'store-user', 's-pw')
    s.set('quay.io/org/special', 'repo-user', 'r-pw')
    await writeConfig({
      credHelpers: {'ghcr.io': 'per-host'},
      credsStore: 'store',
      auths: {'ghcr.io': {auth: b64('file-user:f')}, 'quay.io': {auth: b64('ignored:x')}},
    })
    const sources: CredentialSource[] = []
    const env = {HOME: dir, DOCKER_CONFIG: join(dir, 'docker'), PATH: s.path(a.path())}
    const creds = dockerConfigCredentials(env, {onResolved: (e) => sources.push(e)})
    expect(await creds('ghcr.io', 'org/app')).toEqual({kind: 'basic', username: 'helper-user', password: 'h-pw'})
    expect(await creds('quay.io', 'org/app')).toEqual({kind: 'basic', username: 'store-user', password: 's-pw'})
    expect(await creds('quay.io', 'org/special')).toEqual({kind: 'basic', username: 'repo-user', password: 'r-pw'})
    // the helper is authoritative when configured: nothing there → anonymous (auths not consulted)
    expect(await creds('other.example', 'x')).toBeUndefined()
    await creds('ghcr.io', 'org/app')
    expect(sources.map((x) => `${x.host} ${x.kind} ${x.helper ?? ''}`)).toEqual([
      'ghcr.io credHelpers docker-credential-per-host',
      'quay.io credsStore docker-credential-store',
      'quay.io credsStore docker-credential-store',
      'other.example none ',
      'ghcr.io credHelpers docker-credential-per-host',
    ])
    expect(sources[0]!.description).toBe(`credHelpers (docker-credential-per-host) in ${join(dir, 'docker', 'config.json')}`)
    // ghcr.io/org/app goes to credsStore (no credHelpers for that key), then credHelpers for the host; each once.
    expect(a.calls()).toEqual(['get ghcr.io'])
    expect(s.calls()).toEqual(['get ghcr.io/org/app', 'get quay.io/org/app', 'get quay.io', 'get quay.io/org/special', 'get other.example/x', 'get other.example'])
  })

  test('auths still used without helpers; credHelpers for Docker Hub under its host names', async () => {
    const h = installCredentialHelper(dir, 'hub')
    h.set('https://index.docker.io/v1/', 'hub-user', 'pw')
    await writeConfig({credHelpers: {'docker.io': 'hub'}, auths: {'127.0.0.1:5000': {auth: b64('local:1')}}})
    const sources: CredentialSource[] = []
    const creds = dockerConfigCredentials({HOME: dir, DOCKER_CONFIG: join(dir, 'docker'), PATH: h.path()}, {onResolved: (e) => sources.push(e)})
    expect(await creds('index.docker.io', 'library/ubuntu')).toMatchObject({username: 'hub-user'})
    expect(await creds('127.0.0.1:5000', 'a')).toMatchObject({username: 'local'})
    expect(sources[1]!.description).toMatch(/^auths\["127\.0\.0\.1:5000"\] in /)
  })

  test('a broken helper rejects with its name', async () => {
    await writeConfig({credsStore: 'absent'})
    await expect(dockerConfigCredentials({HOME: dir, DOCKER_CONFIG: join(dir, 'docker'), PATH: dir})('ghcr.io', 'a')).rejects.toMatchObject({
      code: 'REGISTRY_AUTH_FAILED',
      message: expect.stringContaining('docker-credential-absent') as unknown,
    })
  })
})

describe('storeLogin / eraseLogin (docker login file handling)', () => {
  test('loginServer normalises Docker Hub names and strips schemes', () => {
    for (const x of ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1/']) {
      expect(loginServer(x)).toEqual({key: 'https://index.docker.io/v1/', host: 'index.docker.io'})
    }
    expect(loginServer('https://GHCR.io/')).toEqual({key: 'ghcr.io', host: 'ghcr.io'})
    expect(loginServer('127.0.0.1:5000')).toEqual({key: '127.0.0.1:5000', host: '127.0.0.1:5000'})
  })

  test('writes auths with mode 0600, keeps other entries and unknown keys; logout removes it', async () => {
    const file = await writeConfig({auths: {'other.example': {auth: b64('o:1')}}, psFormat: 'table', proxies: {default: {}}})
    const env = {HOME: dir, DOCKER_CONFIG: join(dir, 'docker')}
    const r = await storeLogin('docker.io', {username: 'me', password: 'p:w'}, {env})
    expect(r).toEqual({file, key: 'https://index.docker.io/v1/'})
    expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600')
    const written = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
    expect(written).toEqual({
      auths: {'other.example': {auth: b64('o:1')}, 'https://index.docker.io/v1/': {auth: b64('me:p:w')}},
      psFormat: 'table',
      proxies: {default: {}},
    })
    expect(await dockerConfigCredentials(env)('index.docker.io', 'library/x')).toEqual({kind: 'basic', username: 'me', password: 'p:w'})
    expect((await eraseLogin('index.docker.io', {env})).removed).toBe(true)
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({auths: {'other.example': {auth: b64('o:1')}}, psFormat: 'table', proxies: {default: {}}})
    expect((await eraseLogin('index.docker.io', {env})).removed).toBe(false)
  })

  test('creates the config when absent; refuses to overwrite a malformed one', async () => {
    const env = {HOME: dir}
    const r = await storeLogin('127.0.0.1:5000', {username: 'u', password: 'p'}, {env})
    expect(r.file).toBe(join(dir, '.docker', 'config.json'))
    expect(JSON.parse(await readFile(r.file, 'utf8'))).toEqual({auths: {'127.0.0.1:5000': {auth: b64('u:p')}}})
    await writeFile(r.file, '{broken')
    await expect(storeLogin('127.0.0.1:5000', {username: 'u', password: 'p'}, {env})).rejects.toMatchObject({code: 'REGISTRY_AUTH_FAILED'})
    expect(await readFile(r.file, 'utf8')).toBe('{broken')
  })

  test('with credsStore: the helper stores the secret, auths gets an empty entry; logout erases it there', async () => {
    const h = installCredentialHelper(dir, 'vault')
    const file = await writeConfig({credsStore: 'vault'})
    const env = {HOME: dir, DOCKER_CONFIG: join(dir, 'docker'), PATH: h.path()}
    const r = await storeLogin('127.0.0.1:5000', {username: 'u', password: 'secret-pw'}, {env})
    expect(r.helper).toBe('docker-credential-vault')
    expect(h.entries()).toEqual({'127.0.0.1:5000': {Username: 'u', Secret: 'secret-pw'}})
    const text = await readFile(file, 'utf8')
    expect(text).not.toContain('secret-pw')
    expect(JSON.parse(text)).toEqual({credsStore: 'vault', auths: {'127.0.0.1:5000': {}}})
    expect(await dockerConfigCredentials(env)('127.0.0.1:5000', 'a')).toEqual({kind: 'basic', username: 'u', password: 'secret-pw'})
    expect((await eraseLogin('127.0.0.1:5000', {env})).removed).toBe(true)
    expect(h.entries()).toEqual({})
  })
})
