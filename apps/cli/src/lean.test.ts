import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import {hostMatches, runLean} from './lean.js'

// Every case here must be declined before any key or registry is touched.
describe('runLean declines what it cannot do exactly like oclif', () => {
  let root: string
  let data: string
  const saved = process.env.SIGIL_DATA_DIR
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sigil-lean-'))
    data = join(root, 'data')
    mkdirSync(data)
    process.env.SIGIL_DATA_DIR = data
    writeFileSync(join(root, 'package.json'), JSON.stringify({version: '1.2.3', oclif: {dirname: 'sigil', plugins: ['@oclif/plugin-help', '@oclif/plugin-plugins']}}))
  })
  afterEach(() => {
    if (saved === undefined) delete process.env.SIGIL_DATA_DIR
    else process.env.SIGIL_DATA_DIR = saved
    rmSync(root, {recursive: true, force: true})
  })

  test.each([
    ['another command', ['public-key', '--key', 'k']],
    ['help', ['verify', '--help']],
    ['no image', ['verify', '--key', 'k.pub']],
    ['a KMS key', ['verify', '--key', 'awskms:///alias/x', 'img']],
    ['a PKCS#11 key', ['sign', '--key', 'pkcs11:token=x', 'img']],
    ['an unknown flag', ['verify', '--key', 'k.pub', '--bogus', 'img']],
  ])('%s', async (_name, argv) => {
    expect(await runLean(argv, root)).toBe(false)
  })

  test('user-installed plugins send everything through oclif', async () => {
    writeFileSync(join(data, 'package.json'), JSON.stringify({oclif: {plugins: [{name: 'sigil-plugin-x', type: 'user'}]}}))
    expect(await runLean(['verify', '--key', 'k.pub', 'img'], root)).toBe(false)
  })

  const caps = (plugins: unknown[]) => {
    mkdirSync(join(root, 'dist'), {recursive: true})
    writeFileSync(join(root, 'dist', 'plugin-capabilities.json'), JSON.stringify({plugins}))
  }
  const fileOnly = {name: '@sigil/key-file', keyProviders: [{name: 'file', schemes: ['env'], handlesPaths: true}], registryAdapters: []}
  const declare = (...names: string[]) =>
    writeFileSync(join(root, 'package.json'), JSON.stringify({version: '1', oclif: {dirname: 'sigil', plugins: names}}))

  test('no capabilities record (not built) → oclif', async () => {
    declare('@sigil/key-file')
    expect(await runLean(['verify', '--key', 'k.pub', 'img'], root)).toBe(false)
  })

  test('a stale record (plugins changed since the build) → oclif', async () => {
    declare('@sigil/key-file', '@sigil/kms-aws')
    caps([fileOnly])
    expect(await runLean(['verify', '--key', 'k.pub', 'img'], root)).toBe(false)
  })

  test('an image on a host a built-in registry adapter serves → oclif', async () => {
    declare('@sigil/key-file', '@sigil/registry-x')
    caps([fileOnly, {name: '@sigil/registry-x', keyProviders: [], registryAdapters: [{name: 'x', hosts: ['*.x.io']}]}])
    expect(await runLean(['verify', '--key', 'k.pub', 'eu.x.io/team/app:v1'], root)).toBe(false)
    expect(await runLean(['verify', '--key', 'k.pub', 'eu.x.io:5000/team/app:v1'], root)).toBe(false)
  })

  test('COSIGN_REPOSITORY on an adapter\'s host → oclif', async () => {
    declare('@sigil/key-file', '@sigil/registry-x')
    caps([fileOnly, {name: '@sigil/registry-x', keyProviders: [], registryAdapters: [{name: 'x', hosts: ['x.io']}]}])
    process.env.COSIGN_REPOSITORY = 'x.io/sigs/app'
    try {
      expect(await runLean(['verify', '--key', 'k.pub', 'localhost:5000/team/app:v1'], root)).toBe(false)
    } finally {
      delete process.env.COSIGN_REPOSITORY
    }
  })

  test('an adapter for other hosts leaves a key-file verify on the lean path', async () => {
    declare('@sigil/key-file', '@sigil/registry-x')
    caps([fileOnly, {name: '@sigil/registry-x', keyProviders: [], registryAdapters: [{name: 'x', hosts: ['x.io', '*.x.io']}]}])
    const {generateKeyPairSync} = await import('node:crypto')
    writeFileSync(join(root, 'k.pub'), generateKeyPairSync('ec', {namedCurve: 'P-256'}).publicKey.export({type: 'spki', format: 'pem'}))
    const origWrite = process.stderr.write.bind(process.stderr)
    process.stderr.write = (() => true) as typeof process.stderr.write
    try {
      expect(await runLean(['verify', '--key', join(root, 'k.pub'), '127.0.0.1:9/lean/app:v1'], root)).toBe(true)
    } finally {
      process.stderr.write = origWrite
    }
    expect(process.exitCode).toBe(1)
    process.exitCode = 0
  })

  test('an adapter that declares no hosts could serve anything → oclif', async () => {
    declare('@sigil/key-file', 'acme-registry')
    caps([fileOnly, {name: 'acme-registry', keyProviders: [], registryAdapters: [{name: 'acme', hosts: []}]}])
    expect(await runLean(['verify', '--key', 'k.pub', 'localhost:5000/team/app:v1'], root)).toBe(false)
  })

  test('another plugin that also takes plain paths → oclif', async () => {
    declare('@sigil/key-file', 'acme-keys')
    caps([fileOnly, {name: 'acme-keys', keyProviders: [{name: 'acme', schemes: [], handlesPaths: true}], registryAdapters: []}])
    expect(await runLean(['verify', '--key', 'k.pub', 'img'], root)).toBe(false)
  })

  test('a KMS scheme owned by another built-in plugin → oclif', async () => {
    declare('@sigil/key-file', '@sigil/kms-aws')
    caps([fileOnly, {name: '@sigil/kms-aws', keyProviders: [{name: 'awskms', schemes: ['awskms'], handlesPaths: false}], registryAdapters: []}])
    expect(await runLean(['verify', '--key', 'awskms:///alias/x', 'img'], root)).toBe(false)
  })
})

describe('runLean takes a plain key-file invocation of the real CLI', () => {
  test('verify with a key file is handled without oclif (here: a clean registry error)', async () => {
    // In a child process: the lean path writes straight to file descriptor 2 (shared/stdio.ts).
    const cliRoot = new URL('..', import.meta.url).pathname
    const dir = mkdtempSync(join(tmpdir(), 'sigil-lean-real-'))
    try {
      const {generateKeyPairSync} = await import('node:crypto')
      const {publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
      writeFileSync(join(dir, 'k.pub'), publicKey.export({type: 'spki', format: 'pem'}))
      const script = `import {runLean} from ${JSON.stringify(join(cliRoot, 'dist', 'lean.js'))}
const handled = await runLean(['verify', '--key', ${JSON.stringify(join(dir, 'k.pub'))}, '127.0.0.1:9/lean/app:v1'], ${JSON.stringify(cliRoot)})
process.stdout.write(JSON.stringify({handled}))`
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: {...process.env, SIGIL_DATA_DIR: join(dir, 'no-plugins'), NODE_EXTRA_CA_CERTS: undefined},
      })
      expect(JSON.parse(r.stdout)).toEqual({handled: true})
      expect(r.status).toBe(1)
      expect(r.stderr).toMatch(/^Error: .*127\.0\.0\.1:9/m)
      expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('hostMatches (an adapter\'s host pattern, `*` = any run of characters, any port)', () => {
  // The rule as a regular expression, to check the hand-written matcher against.
  const reference = (pattern: string, host: string): boolean =>
    new RegExp(`^${pattern.toLowerCase().split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}(:\\d+)?$`).test(host.toLowerCase())

  test.each([
    ['ghcr.io', 'ghcr.io', true],
    ['ghcr.io', 'GHCR.IO:443', true],
    ['ghcr.io', 'ghcr.io.evil.com', false],
    ['ghcr.io', 'xghcr.io', false],
    ['*.dkr.ecr.*.amazonaws.com', '123.dkr.ecr.us-east-1.amazonaws.com', true],
    ['*.dkr.ecr.*.amazonaws.com', '123.dkr.ecr.us-east-1.amazonaws.com.cn', false],
    ['*.dkr.ecr.*.amazonaws.com', 'dkr.ecr.x.amazonaws.com', false],
    ['index.docker.io', 'index.docker.io:5000', true],
    ['*', 'anything:1', true],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['localhost:5000', 'localhost:5000', true],
    ['localhost:5000', 'localhost', false],
  ])('%s ~ %s → %s', (pattern, host, expected) => {
    expect(hostMatches(pattern, host)).toBe(expected)
    expect(reference(pattern, host)).toBe(expected)
  })

  test('agrees with the regular-expression rule on random patterns and hosts', () => {
    const alphabet = ['a', 'b', '.', '-', '*']
    const pick = (n: number, chars: string[]): string => Array.from({length: n}, () => chars[Math.floor(Math.random() * chars.length)]).join('')
    for (let i = 0; i < 5000; i++) {
      const pattern = pick(1 + Math.floor(Math.random() * 6), alphabet)
      const host = pick(Math.floor(Math.random() * 8), ['a', 'b', '.', '-']) + (Math.random() < 0.3 ? `:${Math.floor(Math.random() * 99)}` : '')
      expect([pattern, host, hostMatches(pattern, host)]).toEqual([pattern, host, reference(pattern, host)])
    }
  })
})
