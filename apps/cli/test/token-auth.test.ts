/**
 * The built `sigil` binary against a real token-auth registry (docker-registry `auth.token`
 * + the testkit's loopback token server): `sigil login`/`logout`, the explicit credential
 * flags, credHelpers with a real helper executable, permission errors and `--verbose`.
 */
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {installCredentialHelper, pushRandomImage, requireRegistry, startRegistry} from '@sigil/test-servers'
import type {TestRegistry} from '@sigil/test-servers'
import {sigil, sigilOnTerminal} from './run-cli.js'

const WRITER = {username: 'writer', password: 'wr1ter-secret-do-not-print'}
const READER = {username: 'reader', password: 'r3ader-secret-do-not-print'}
const REPO = 'team/app'
let registry: TestRegistry
let dir: string
let ref: string
let digest: string
let n = 0
const pw = {COSIGN_PASSWORD: 'k', SIGIL_PASSWORD: undefined, SIGIL_REGISTRY_PASSWORD: undefined}
const b64 = (s: string): string => Buffer.from(s).toString('base64')
const writerClient = (): RegistryClient => new RegistryClient({credentials: async () => ({kind: 'basic', ...WRITER})})

/** A fresh, empty docker config dir and the env pointing at it (no other auth files). */
function freshConfig(content?: unknown): {env: Record<string, string | undefined>; file: string} {
  const d = join(dir, `docker-${++n}`)
  mkdirSync(d, {recursive: true})
  const file = join(d, 'config.json')
  if (content !== undefined) writeFileSync(file, JSON.stringify(content))
  return {file, env: {...pw, HOME: dir, DOCKER_CONFIG: d, REGISTRY_AUTH_FILE: undefined, XDG_RUNTIME_DIR: undefined, XDG_CONFIG_HOME: join(dir, 'xdg')}}
}
async function sigTagExists(): Promise<boolean> {
  const tag = `${digest.replace(':', '-')}.sig`
  return (await writerClient().getManifestIfExists({registry: registry.host, repository: REPO}, tag)) !== undefined
}

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry({
    tokenAuth: {
      users: {
        [WRITER.username]: {password: WRITER.password, access: {[REPO]: ['pull', 'push']}},
        [READER.username]: {password: READER.password, access: {[REPO]: ['pull']}},
      },
    },
  })
  dir = mkdtempSync(join(tmpdir(), 'sigil-token-cli-'))
  digest = (await pushRandomImage(writerClient(), {registry: registry.host, repository: REPO}, 'v1')).digest
  ref = `${registry.host}/${REPO}@${digest}`
  expect((await sigil(['generate-key-pair'], {cwd: dir, env: pw})).code).toBe(0)
})
afterAll(async () => {
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

describe('sigil login / logout against a token-auth registry', () => {
  test('a wrong password is rejected and nothing is written', async () => {
    const {env, file} = freshConfig()
    const r = await sigil(['login', registry.host, '-u', WRITER.username, '--password-stdin'], {cwd: dir, env, input: 'wrong-pass-xyz\n'})
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^Error: .*rejected/m)
    expect(r.stderr).not.toContain('wrong-pass-xyz')
    expect(existsSync(file)).toBe(false)
  })

  test('on a terminal, login asks for the user name and the password, and does not echo the password', async () => {
    const {env, file} = freshConfig()
    const r = await sigilOnTerminal(['login', registry.host], {cwd: dir, env}, [
      ['expect', 'Username: '],
      ['send', `${WRITER.username}\r`],
      ['expect', 'Password: '],
      ['send', `${WRITER.password}\r`],
    ])
    expect(r.code, r.output).toBe(0)
    expect(r.output).toContain(`Login Succeeded (${registry.host}`)
    expect(r.output).toContain(WRITER.username) // the user name is echoed as typed…
    expect(r.output).not.toContain(WRITER.password) // …the password is not
    expect(JSON.parse(readFileSync(file, 'utf8')).auths[registry.host]).toEqual({auth: b64(`${WRITER.username}:${WRITER.password}`)})
    // With -u, only the password is asked; a wrong one writes nothing.
    const other = freshConfig()
    const wrong = await sigilOnTerminal(['login', registry.host, '-u', WRITER.username], {cwd: dir, env: other.env}, [
      ['expect', 'Password: '],
      ['send', 'wrong-pass-xyz\r'],
    ])
    expect(wrong.code, wrong.output).toBe(1)
    expect(wrong.output).not.toContain('Username: ')
    expect(wrong.output).toMatch(/Error: .*rejected/)
    expect(existsSync(other.file)).toBe(false)
    // Control: not on a terminal, nothing is asked (a clear error instead).
    expect((await sigil(['login', registry.host], {cwd: dir, env})).stderr).toContain('a username is required')
  })

  test('a pull-only user cannot sign: clear permission error, no .sig tag left behind', async () => {
    const {env} = freshConfig()
    const s = await sigil(['sign', '--key', 'cosign.key', '--registry-username', READER.username, ref], {
      cwd: dir,
      env: {...env, SIGIL_REGISTRY_PASSWORD: READER.password},
    })
    expect(s.code).toBe(1)
    expect(s.stderr).toMatch(/^Error: access denied to .*team\/app.*insufficient_scope/m)
    expect(s.stderr).not.toContain(READER.password)
    expect(await sigTagExists()).toBe(false)
  })

  test('login (stdin) writes config.json 0600 keeping other keys; sign and verify use it; --verbose names the source, never the secret', async () => {
    const {env, file} = freshConfig({auths: {'other.example': {auth: b64('o:p')}}, detachKeys: 'ctrl-e,e'})
    const l = await sigil(['login', registry.host, '-u', WRITER.username, '--password-stdin'], {cwd: dir, env, input: `${WRITER.password}\n`})
    expect(l.code, l.stderr).toBe(0)
    expect(l.stderr).toContain(`Login Succeeded (${registry.host}, stored in ${file})`)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      auths: {'other.example': {auth: b64('o:p')}, [registry.host]: {auth: b64(`${WRITER.username}:${WRITER.password}`)}},
      detachKeys: 'ctrl-e,e',
    })
    const tokens = registry.tokenServer!.requests
    const before = tokens.length
    const s = await sigil(['sign', '--key', 'cosign.key', '--verbose', ref], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    expect(s.stderr).toContain(`credentials for ${registry.host} from auths["${registry.host}"] in ${file}`)
    // one token request per scope per run (not per registry request)
    const signScopes = tokens.slice(before).map((r) => r.scopes.join(' '))
    expect(new Set(signScopes).size).toBe(signScopes.length)
    expect(signScopes.length).toBeLessThanOrEqual(2)
    const beforeVerify = tokens.length
    const v = await sigil(['verify', '--key', 'cosign.pub', '--verbose', ref], {cwd: dir, env})
    expect(v.code, v.stderr).toBe(0)
    expect(tokens.slice(beforeVerify).map((r) => [r.user, r.scopes.join(' ')])).toEqual([['writer', `repository:${REPO}:pull`]])
    const all = l.stdout + l.stderr + s.stdout + s.stderr + v.stdout + v.stderr
    expect(all).not.toContain(WRITER.password)
    expect(all).not.toContain(b64(`${WRITER.username}:${WRITER.password}`))
    expect(await sigTagExists()).toBe(true)

    const out = await sigil(['logout', registry.host], {cwd: dir, env})
    expect(out.code, out.stderr).toBe(0)
    expect(out.stderr).toContain(`Removing login credentials for ${registry.host}`)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({auths: {'other.example': {auth: b64('o:p')}}, detachKeys: 'ctrl-e,e'})
    expect((await sigil(['logout', registry.host], {cwd: dir, env})).stderr).toContain(`Not logged in to ${registry.host}`)
  })

  test('-p works with a warning, like docker', async () => {
    const {env, file} = freshConfig()
    const l = await sigil(['login', registry.host, '-u', READER.username, '-p', READER.password], {cwd: dir, env})
    expect(l.code, l.stderr).toBe(0)
    expect(l.stderr).toContain('WARNING! Using --password via the CLI is insecure. Use --password-stdin.')
    expect(existsSync(file)).toBe(true)
  })

  test('--registry-username/--registry-password override the docker config; a reader verifies', async () => {
    // The config holds the reader; the flags give the writer: signing works only if the flags win.
    const {env} = freshConfig({auths: {[registry.host]: {auth: b64(`${READER.username}:${READER.password}`)}}})
    const s = await sigil(
      ['sign', '--key', 'cosign.key', '--verbose', '--registry-username', WRITER.username, '--registry-password', WRITER.password, '-a', 'run=override', ref],
      {cwd: dir, env},
    )
    expect(s.code, s.stderr).toBe(0)
    expect(s.stderr).toContain(`credentials for ${registry.host} from --registry-username (user "writer") with --registry-password`)
    expect(s.stderr + s.stdout).not.toContain(WRITER.password)
    const v = await sigil(['verify', '--key', 'cosign.pub', '--verbose', '-a', 'run=override', ref], {cwd: dir, env})
    expect(v.code, v.stderr).toBe(0)
    expect(v.stderr).toContain(`credentials for ${registry.host} from auths["${registry.host}"]`)
    expect(v.stderr + v.stdout).not.toContain(READER.password)
  })

  test('--registry-token: a bearer token used as is', async () => {
    const {env} = freshConfig()
    const token = registry.tokenServer!.issueToken({access: {[REPO]: ['pull']}})
    const v = await sigil(['verify', '--key', 'cosign.pub', '--verbose', '--registry-token', token, ref], {cwd: dir, env})
    expect(v.code, v.stderr).toBe(0)
    expect(v.stderr).toContain(`credentials for ${registry.host} from --registry-token`)
    expect(v.stderr + v.stdout).not.toContain(token)
    const bad = await sigil(['verify', '--key', 'cosign.pub', '--registry-token', token, '--registry-username', 'x', ref], {cwd: dir, env})
    expect(bad.code).toBe(2)
  })

  test('credHelpers with a real helper executable on PATH; a missing helper is named', async () => {
    const h = installCredentialHelper(dir, 'sigil-kit')
    h.set(registry.host, WRITER.username, WRITER.password)
    const {env} = freshConfig({credHelpers: {[registry.host]: 'sigil-kit'}})
    const s = await sigil(['sign', '--key', 'cosign.key', '--verbose', '-a', 'run=helper', ref], {cwd: dir, env: {...env, PATH: h.path()}})
    expect(s.code, s.stderr).toBe(0)
    expect(s.stderr).toContain(`credentials for ${registry.host} from credHelpers (docker-credential-sigil-kit)`)
    expect(s.stderr + s.stdout).not.toContain(WRITER.password)
    expect(h.calls()).toEqual([`get ${registry.host}`])

    const missing = freshConfig({credHelpers: {[registry.host]: 'not-installed'}})
    const m = await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir, env: missing.env})
    expect(m.code).toBe(1)
    expect(m.stderr).toMatch(/^Error: credential helper docker-credential-not-installed not found on PATH/m)
  })

  test('login through credsStore: the helper gets the secret, config.json does not', async () => {
    const h = installCredentialHelper(dir, 'sigil-store')
    const {env, file} = freshConfig({credsStore: 'sigil-store'})
    const l = await sigil(['login', registry.host, '-u', READER.username, '--password-stdin'], {cwd: dir, env: {...env, PATH: h.path()}, input: READER.password})
    expect(l.code, l.stderr).toBe(0)
    expect(l.stderr).toContain('stored by docker-credential-sigil-store')
    expect(h.entries()).toEqual({[registry.host]: {Username: READER.username, Secret: READER.password}})
    expect(readFileSync(file, 'utf8')).not.toContain(READER.password)
    const v = await sigil(['verify', '--key', 'cosign.pub', '--verbose', ref], {cwd: dir, env: {...env, PATH: h.path()}})
    expect(v.code, v.stderr).toBe(0)
    expect(v.stderr).toContain(`from credsStore (docker-credential-sigil-store)`)
  })
})
