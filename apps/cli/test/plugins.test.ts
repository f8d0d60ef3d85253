import {mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {pushRandomImage, requireRegistry, startRegistry} from '@sigil/test-servers'
import type {TestRegistry} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

// The path a third party takes: `sigil plugins link` a plugin package that answers the
// `sigil:plugin` hook, then use its keys. The fixture imports nothing from sigil.
const FIXTURE = fileURLToPath(new URL('./fixtures/sigil-plugin-testkms', import.meta.url))
let registry: TestRegistry
let dir: string
let env: Record<string, string | undefined>

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  dir = mkdtempSync(join(tmpdir(), 'sigil-plugins-'))
  mkdirSync(join(dir, 'keys'))
  env = {
    SIGIL_DATA_DIR: join(dir, 'data'),
    SIGIL_CONFIG_DIR: join(dir, 'config'),
    SIGIL_CACHE_DIR: join(dir, 'cache'),
    TESTKMS_DIR: join(dir, 'keys'),
    COSIGN_PASSWORD: 'pw',
  }
  const linked = await sigil(['plugins', 'link', FIXTURE], {cwd: dir, env})
  expect(linked.code, linked.stderr).toBe(0)
})
afterAll(async () => {
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

describe('a linked third-party key provider', () => {
  test('sigil providers lists it with its scheme, next to the built-in file provider', async () => {
    const r = await sigil(['providers', '--json'], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(0)
    const plugins = JSON.parse(r.stdout).plugins as Array<{name: string; origin: string; keyProviders: Array<{schemes: string[]}>}>
    expect(plugins).toContainEqual(expect.objectContaining({name: 'sigil-plugin-testkms', origin: 'link', keyProviders: [{name: 'testkms', schemes: ['testkms']}]}))
    expect(plugins).toContainEqual(expect.objectContaining({name: '@sigil/key-file', origin: 'core'}))
  })

  test('generate-key-pair --kms, sign and verify with its keys; the exported .pub verifies too', async () => {
    const g = await sigil(['generate-key-pair', '--kms', 'testkms://release', '--output-key-prefix', 'release'], {cwd: dir, env})
    expect(g.code, g.stderr).toBe(0)
    expect(g.stderr).toContain('Public key written to release.pub')
    expect(readFileSync(join(dir, 'release.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/)
    const client = new RegistryClient()
    await pushRandomImage(client, {registry: registry.host, repository: 'plugins/app'}, 'v1')
    const ref = `${registry.host}/plugins/app:v1`
    const s = await sigil(['sign', '--key', 'testkms://release', ref], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    const viaPlugin = await sigil(['verify', '--key', 'testkms://release', ref], {cwd: dir, env})
    expect(viaPlugin.code, viaPlugin.stderr).toBe(0)
    const viaPem = await sigil(['verify', '--key', 'release.pub', ref], {cwd: dir, env})
    expect(viaPem.code, viaPem.stderr).toBe(0)
  })

  test('a user plugin claiming a built-in scheme is an error naming both, unless opted in', async () => {
    const clash = {...env, TESTKMS_CLAIM: 'env'}
    const r = await sigil(['public-key', '--key', 'testkms://release'], {cwd: dir, env: clash})
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/@sigil\/key-file.*sigil-plugin-testkms|sigil-plugin-testkms.*@sigil\/key-file/)
    expect(r.stderr).toContain('SIGIL_PLUGIN_OVERRIDE')
    const optedIn = await sigil(['public-key', '--key', 'testkms://release'], {cwd: dir, env: {...clash, SIGIL_PLUGIN_OVERRIDE: 'sigil-plugin-testkms'}})
    expect(optedIn.code, optedIn.stderr).toBe(0)
  })

  test('an unknown scheme names the way out', async () => {
    const r = await sigil(['sign', '--key', 'nokms://x', `${registry.host}/plugins/app:v1`], {cwd: dir, env})
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/no key provider handles "nokms:"/)
    expect(r.stderr).toContain('sigil plugins install')
  })

  test('sigil plugins install file:<tarball> installs it as a user plugin; uninstall removes it', async () => {
    const {execFileSync} = await import('node:child_process')
    const offline = {HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', npm_config_offline: 'true'}
    const packDir = join(dir, 'pack')
    mkdirSync(packDir)
    execFileSync('npm', ['pack', '--pack-destination', packDir, FIXTURE], {env: {...process.env, ...offline}, stdio: 'ignore'})
    const tarball = join(packDir, 'sigil-plugin-testkms-1.0.0.tgz')
    const other = {...env, ...offline, SIGIL_DATA_DIR: join(dir, 'data-install'), SIGIL_CACHE_DIR: join(dir, 'cache-install')}
    const i = await sigil(['plugins', 'install', `file:${tarball}`], {cwd: dir, env: other})
    expect(i.code, i.stderr).toBe(0)
    const listed = JSON.parse((await sigil(['providers', '--json'], {cwd: dir, env: other})).stdout).plugins
    expect(listed).toContainEqual(expect.objectContaining({name: 'sigil-plugin-testkms', origin: 'user'}))
    const pub = await sigil(['public-key', '--key', 'testkms://release'], {cwd: dir, env: other})
    expect(pub.code, pub.stderr).toBe(0)
    expect(pub.stdout).toBe(readFileSync(join(dir, 'release.pub'), 'utf8'))
    const u = await sigil(['plugins', 'uninstall', 'sigil-plugin-testkms'], {cwd: dir, env: other})
    expect(u.code, u.stderr).toBe(0)
    const after = JSON.parse((await sigil(['providers', '--json'], {cwd: dir, env: other})).stdout).plugins
    expect(after.map((p: {name: string}) => p.name)).not.toContain('sigil-plugin-testkms')
  })

  test('once unlinked it is gone', async () => {
    const other = {...env, SIGIL_DATA_DIR: join(dir, 'data2')}
    expect((await sigil(['plugins', 'link', FIXTURE], {cwd: dir, env: other})).code).toBe(0)
    const u = await sigil(['plugins', 'unlink', 'sigil-plugin-testkms'], {cwd: dir, env: other})
    expect(u.code, u.stderr).toBe(0)
    const r = await sigil(['providers', '--json'], {cwd: dir, env: other})
    expect(JSON.parse(r.stdout).plugins.map((p: {name: string}) => p.name)).not.toContain('sigil-plugin-testkms')
  })
})
