import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {findCosign, pushRandomImage, requireRegistry, runCosign, startRegistry} from '@sigil/test-servers'
import type {TestRegistry} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

// The PKCS#11 plugin under examples/, installed the way a third party installs a plugin
// (`sigil plugins link`), signing and verifying an image in a real registry with a key on a
// real SoftHSM2 token.
const PLUGIN = fileURLToPath(new URL('../../../examples/sigil-plugin-pkcs11', import.meta.url))
const MODULE = '/usr/lib/softhsm/libsofthsm2.so'
const PIN = '1234'
const HSM_KEY = `pkcs11:token=sigil-test;object=release?pin-value=${PIN}&module-path=${MODULE}`

const has = (cmd: string) => spawnSync(cmd, ['--help'], {stdio: 'ignore'}).error === undefined
function softHsmAvailable(): boolean {
  const ok = has('softhsm2-util') && has('pkcs11-tool') && existsSync(MODULE)
  if (!ok && process.env.CI === 'true') throw new Error(`the PKCS#11 end-to-end test needs softhsm2-util, pkcs11-tool and ${MODULE} (CI=true: failing, not skipping)`)
  return ok
}

describe.skipIf(!softHsmAvailable())('the PKCS#11 plugin, linked into the CLI, with a SoftHSM2 token', () => {
  let registry: TestRegistry
  let dir: string
  let env: Record<string, string | undefined>
  let image: string

  beforeAll(async () => {
    requireRegistry()
    // The plugin's dist must exist before linking (turbo builds it; this makes a lone run work).
    execFileSync('npx', ['tsc', '-b'], {cwd: PLUGIN, stdio: 'pipe'})
    expect(existsSync(join(PLUGIN, 'dist', 'plugin.js'))).toBe(true)
    registry = await startRegistry()
    dir = mkdtempSync(join(tmpdir(), 'sigil-pkcs11-cli-'))
    mkdirSync(join(dir, 'tokens'))
    const conf = join(dir, 'softhsm2.conf')
    writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`)
    env = {
      SIGIL_DATA_DIR: join(dir, 'data'),
      SIGIL_CONFIG_DIR: join(dir, 'config'),
      SIGIL_CACHE_DIR: join(dir, 'cache'),
      SOFTHSM2_CONF: conf,
      SIGIL_PKCS11_MODULE: undefined,
      COSIGN_PKCS11_MODULE_PATH: undefined,
      COSIGN_PKCS11_PIN: undefined,
    }
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'sigil-test', '--pin', PIN, '--so-pin', '5678'], {env: {...process.env, SOFTHSM2_CONF: conf}, stdio: 'pipe'})
    const linked = await sigil(['plugins', 'link', PLUGIN], {cwd: dir, env})
    expect(linked.code, linked.stderr).toBe(0)
    await pushRandomImage(new RegistryClient(), {registry: registry.host, repository: 'hsm/app'}, 'v1')
    image = `${registry.host}/hsm/app:v1`
  })
  afterAll(async () => {
    await registry?.stop()
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  test('sigil providers --json lists the linked plugin with the pkcs11 scheme', async () => {
    const r = await sigil(['providers', '--json'], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(0)
    const plugins = JSON.parse(r.stdout).plugins as Array<{name: string; origin: string; keyProviders: Array<{name: string; schemes: string[]}>}>
    expect(plugins).toContainEqual(
      expect.objectContaining({name: 'sigil-plugin-pkcs11', origin: 'link', keyProviders: [{name: 'pkcs11', schemes: ['pkcs11']}]}),
    )
  })

  test('generate-key-pair --kms pkcs11:…, sign, verify with the URI and with hsm.pub', async () => {
    const g = await sigil(['generate-key-pair', '--kms', HSM_KEY, '--output-key-prefix', 'hsm'], {cwd: dir, env})
    expect(g.code, g.stderr).toBe(0)
    expect(g.stderr).toContain('Public key written to hsm.pub')
    expect(g.stdout + g.stderr).not.toContain(`pin-value=${PIN}`)
    expect(readFileSync(join(dir, 'hsm.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/)
    const s = await sigil(['sign', '--key', HSM_KEY, image], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    const viaUri = await sigil(['verify', '--key', HSM_KEY, image], {cwd: dir, env})
    expect(viaUri.code, viaUri.stderr).toBe(0)
    const viaPem = await sigil(['verify', '--key', 'hsm.pub', image], {cwd: dir, env})
    expect(viaPem.code, viaPem.stderr).toBe(0)
  })

  test('sign-blob of a file over the 256 MiB in-memory limit: the token signs the streamed digest; verify-blob by URI and by hsm.pub', async () => {
    writeFileSync(join(dir, 'big.bin'), '')
    truncateSync(join(dir, 'big.bin'), 300 * 1024 * 1024) // sparse: no disk used
    const s = await sigil(['sign-blob', '--key', HSM_KEY, '--output-signature', 'big.sig', '--bundle', 'big.sigstore.json', 'big.bin'], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    for (const key of [HSM_KEY, 'hsm.pub']) {
      const v = await sigil(['verify-blob', '--key', key, '--bundle', 'big.sigstore.json', 'big.bin'], {cwd: dir, env})
      expect(v.code, v.stderr).toBe(0)
    }
    const other = await sigil(['verify-blob', '--key', 'hsm.pub', '--signature', 'big.sig', 'hsm.pub'], {cwd: dir, env})
    expect(other.code).toBe(12)
  })

  test('generate-key-pair --kms again returns the same key (idempotent)', async () => {
    const before = readFileSync(join(dir, 'hsm.pub'), 'utf8')
    const g = await sigil(['generate-key-pair', '--kms', HSM_KEY, '--output-key-prefix', 'hsm-again'], {cwd: dir, env})
    expect(g.code, g.stderr).toBe(0)
    expect(readFileSync(join(dir, 'hsm-again.pub'), 'utf8')).toBe(before)
  })

  test('a key made by pkcs11-tool, with cosign\'s environment variables for module and PIN', async () => {
    execFileSync('pkcs11-tool', ['--module', MODULE, '--token-label', 'sigil-test', '--login', '--pin', PIN, '--keypairgen', '--key-type', 'EC:prime256v1', '--label', 'tool', '--id', '7001'], {
      env: {...process.env, SOFTHSM2_CONF: env.SOFTHSM2_CONF},
      stdio: 'pipe',
    })
    const cosignEnv = {...env, COSIGN_PKCS11_MODULE_PATH: MODULE, COSIGN_PKCS11_PIN: PIN}
    const key = 'pkcs11:token=sigil-test;id=%70%01'
    const p = await sigil(['public-key', '--key', key, '--outfile', 'tool.pub'], {cwd: dir, env: cosignEnv})
    expect(p.code, p.stderr).toBe(0)
    const s = await sigil(['sign', '--key', key, image], {cwd: dir, env: cosignEnv})
    expect(s.code, s.stderr).toBe(0)
    const v = await sigil(['verify', '--key', 'tool.pub', image], {cwd: dir, env})
    expect(v.code, v.stderr).toBe(0)
  })

  test('a wrong PIN fails with a clear message that does not echo the PIN', async () => {
    const r = await sigil(['sign', '--key', HSM_KEY.replace(`pin-value=${PIN}`, 'pin-value=99999'), image], {cwd: dir, env})
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('wrong PIN for token sigil-test')
    expect(r.stderr).not.toContain('99999')
  })

  test('a missing object fails with KEY_NOT_FOUND\'s message', async () => {
    const r = await sigil(['sign', '--key', HSM_KEY.replace('object=release', 'object=absent'), image], {cwd: dir, env})
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('no private key with object=absent on PKCS#11 token sigil-test')
  })

  test.runIf(Boolean(findCosign()))('the real cosign verifies the HSM-signed image with hsm.pub', async () => {
    const r = await runCosign(['verify', '--key', 'hsm.pub', '--insecure-ignore-tlog=true', '--offline=true', '--allow-http-registry', image], {cwd: dir})
    expect(r.code, r.stderr).toBe(0)
  })
})
