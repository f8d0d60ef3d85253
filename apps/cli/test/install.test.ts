/**
 * sigil as a user installs it: the tarballs `pnpm pack` makes of @sigil/cli and its workspace
 * dependencies, installed with `npm install --global` into a prefix of their own by
 * scripts/pack-install.sh (run by scripts/test.sh, which passes the prefix in
 * SIGIL_INSTALLED_PREFIX). npm lays node_modules out differently from pnpm: the start-up
 * bundle must still find each cloud SDK through the package that depends on it.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {AWS_OFFLINE_ENV, pushRandomImage, requireRegistry, startAwsKmsServer, startRegistry} from '@sigil/test-servers'
import type {AwsKmsTestServer, TestRegistry} from '@sigil/test-servers'
import {runProgram} from './run-cli.js'
import type {CliResult} from './run-cli.js'

const PREFIX = process.env.SIGIL_INSTALLED_PREFIX
const CI = process.env.CI === 'true' || process.env.CI === '1'
if (!PREFIX && CI) throw new Error('SIGIL_INSTALLED_PREFIX is not set but CI=true: scripts/test.sh installs sigil with scripts/pack-install.sh first')

function installed(args: string[], env: Record<string, string | undefined> = {}, cwd?: string): Promise<CliResult> {
  return runProgram(join(PREFIX!, 'bin', 'sigil'), args, {env, cwd})
}

describe.skipIf(!PREFIX)('the npm-installed sigil', () => {
  let dir: string
  let registry: TestRegistry
  let kms: AwsKmsTestServer
  let env: Record<string, string | undefined>

  beforeAll(async () => {
    requireRegistry()
    dir = mkdtempSync(join(tmpdir(), 'sigil-installed-'))
    registry = await startRegistry()
    kms = await startAwsKmsServer({region: 'eu-west-1'})
    env = {
      ...AWS_OFFLINE_ENV,
      HOME: dir,
      SIGIL_DATA_DIR: join(dir, 'data'),
      SIGIL_CACHE_DIR: join(dir, 'cache'),
      DOCKER_CONFIG: join(dir, 'docker'),
      COSIGN_PASSWORD: 'installed',
      AWS_ENDPOINT_URL_KMS: kms.endpoint,
    }
  })
  afterAll(async () => {
    await registry?.stop()
    await kms?.close()
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  test('--help and --version work', async () => {
    const help = await installed(['--help'], env)
    expect(help.code, help.stderr).toBe(0)
    expect(help.stdout).toMatch(/^  verify /m)
    expect(help.stdout).toMatch(/^  plugins /m)
    const version = await installed(['--version'], env)
    expect(version.stdout).toMatch(/^@sigil\/cli\/\d+\.\d+\.\d+ /)
  })

  test('generate-key-pair, sign and verify against a registry', async () => {
    expect((await installed(['generate-key-pair'], env, dir)).code).toBe(0)
    await pushRandomImage(new RegistryClient(), {registry: registry.host, repository: 'installed/app'}, 'v1')
    const ref = `${registry.host}/installed/app:v1`
    const s = await installed(['sign', '--key', 'cosign.key', ref], env, dir)
    expect(s.code, s.stderr).toBe(0)
    const v = await installed(['verify', '--key', 'cosign.pub', ref], env, dir)
    expect(v.code, v.stderr).toBe(0)
    expect(v.stdout).toContain('"docker-manifest-digest"')
  })

  test('an AWS KMS key: the SDK is found through @sigil/kms-aws in npm\'s layout', async () => {
    const g = await installed(['generate-key-pair', '--kms', 'awskms:///alias/installed', '--output-key-prefix', 'kms'], env, dir)
    expect(g.code, g.stderr).toBe(0)
    const p = await installed(['public-key', '--key', 'awskms:///alias/installed'], env, dir)
    expect(p.code, p.stderr).toBe(0)
    expect(p.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----/)
  })

  test('sigil-ssh-keygen is installed beside sigil and signs with a cosign.key (ssh-keygen verifies)', async () => {
    const {writeFileSync} = await import('node:fs')
    const work = mkdtempSync(join(dir, 'git-'))
    expect((await installed(['generate-key-pair'], env, work)).code).toBe(0)
    const pub = await installed(['public-key', '--key', 'cosign.key', '--ssh', '--outfile', 'git.pub'], env, work)
    expect(pub.code, pub.stderr).toBe(0)
    writeFileSync(join(work, 'msg'), 'installed\n')
    const s = await runProgram(join(PREFIX!, 'bin', 'sigil-ssh-keygen'), ['-Y', 'sign', '-n', 'git', '-f', 'git.pub', 'msg'], {env, cwd: work})
    expect(s.code, s.stderr).toBe(0)
    const check = await runProgram(join(PREFIX!, 'bin', 'sigil-ssh-keygen'), ['-Y', 'check-novalidate', '-n', 'git', '-s', 'msg.sig'], {env, cwd: work, input: 'installed\n'})
    expect(check.code, check.stderr).toBe(0)
  })

  test('oclif\'s own commands (plugins) and completion', async () => {
    const r = await installed(['plugins'], env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('No plugins installed')
    const ac = await installed(['autocomplete', 'bash'], env)
    expect(ac.code, ac.stderr).toBe(0)
  })
})
