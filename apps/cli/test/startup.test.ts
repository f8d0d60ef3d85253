import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {BIN} from './run-cli.js'

// Cold start must stay lean: no cloud SDK (or gRPC, or the native PKCS#11 module) may load
// unless a key of that kind is actually used. Hooks report every module resolved, by import
// (a module resolve hook) and by require (a wrapped Module._resolveFilename).
const HEAVY = /@aws-sdk|@smithy|@google-cloud|google-gax|google-auth-library|@grpc|pkcs11js/
let dir: string
let hook: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sigil-startup-'))
  hook = join(dir, 'trace.mjs')
  writeFileSync(
    hook,
    `import {register, createRequire} from 'node:module'
register('data:text/javascript,' + encodeURIComponent(\`
export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write('RESOLVED ' + r.url + '\\\\n'); return r }\`))
const Module = createRequire(import.meta.url)('node:module')
const resolveFilename = Module._resolveFilename
Module._resolveFilename = function (request, ...rest) {
  const r = resolveFilename.call(this, request, ...rest)
  process.stderr.write('RESOLVED ' + r + '\\n')
  return r
}
`,
  )
  writeFileSync(join(dir, 'k.pub'), '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEOc6HkISHzVdUbtUsdjYtPuyPYBeg\n4FCemyVurIM4KEORQk4OAu8ZNwxvGSoY3eAabYaFIPPQ8ROAjrbdPwNdJw==\n-----END PUBLIC KEY-----\n')
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

function resolvedBy(args: string[]): string[] {
  const r = spawnSync(process.execPath, ['--import', hook, BIN, ...args], {cwd: dir, encoding: 'utf8', env: {...process.env, SIGIL_DATA_DIR: join(dir, 'data'), SIGIL_CACHE_DIR: join(dir, 'cache'), HOME: dir}})
  return r.stderr.split('\n').filter((l) => l.startsWith('RESOLVED ')).map((l) => l.slice(9))
}

describe('start-up loads no heavy SDK', () => {
  test.each([
    ['--version', ['--version']],
    ['--help', ['--help']],
    ['sign --help', ['sign', '--help']],
    ['providers', ['providers']],
    ['verify with a key file', ['verify', '--key', 'k.pub', '127.0.0.1:9/startup/app:v1']],
  ])('%s', (_name, args) => {
    const resolved = resolvedBy(args)
    expect(resolved.length).toBeGreaterThan(0) // the hook works
    expect(resolved.filter((u) => HEAVY.test(u))).toEqual([])
  })

  test("the admission controller's code and its YAML parser load only for `sigil admission` and a manifest to read", () => {
    const yaml = /\/node_modules\/yaml\/|\/packages\/admission\/dist\//
    for (const args of [['--help'], ['verify', '--key', 'k.pub', '127.0.0.1:9/startup/app:v1'], ['admission', 'serve', '--help'], ['manifest', 'verify', '--help'], ['admission', 'check', '--help']]) {
      expect(resolvedBy(args).filter((u) => yaml.test(u))).toEqual([])
    }
    // Control: a policy file to parse makes it load.
    writeFileSync(join(dir, 'bad.yaml'), 'kind: [')
    writeFileSync(join(dir, 'empty.pem'), '')
    expect(resolvedBy(['admission', 'serve', '--policy', 'bad.yaml', '--tls-cert-file', 'empty.pem', '--tls-private-key-file', 'empty.pem']).some((u) => /\/node_modules\/yaml\//.test(u))).toBe(true)
    const manifest = resolvedBy(['manifest', 'verify', '--key', 'k.pub', 'bad.yaml'])
    expect(manifest.some((u) => /\/node_modules\/yaml\//.test(u))).toBe(true)
    expect(resolvedBy(['admission', 'check', '--policy', 'bad.yaml', '--image', '127.0.0.1:9/startup/app:v1']).some((u) => /\/node_modules\/yaml\//.test(u))).toBe(true)
  })

  test('the hook does see an SDK when a KMS key is used (control)', () => {
    const resolved = resolvedBy(['public-key', '--key', 'awskms:///alias/none'])
    expect(resolved.some((u) => /@aws-sdk/.test(u))).toBe(true)
  })

  test("sigil's own commands and help do not load oclif; other plugins' commands do (control)", () => {
    expect(resolvedBy(['verify', '--key', 'k.pub', '127.0.0.1:9/startup/app:v1']).some((u) => u.includes('@oclif/core'))).toBe(false)
    expect(resolvedBy(['public-key', '--key', 'awskms:///alias/none']).some((u) => u.includes('@oclif/core'))).toBe(false)
    expect(resolvedBy(['--help']).some((u) => u.includes('@oclif/core'))).toBe(false)
    expect(resolvedBy(['plugins']).some((u) => u.includes('@oclif/core'))).toBe(true)
  })

  test('--version prints exactly what oclif would, without loading it', () => {
    const fast = spawnSync(process.execPath, [BIN, '--version'], {encoding: 'utf8'})
    const viaOclif = spawnSync(process.execPath, [BIN, '--version'], {encoding: 'utf8', env: {...process.env, SIGIL_VIA_OCLIF: '1'}})
    expect(fast.status).toBe(0)
    expect(fast.stdout).toMatch(/^@sigil\/cli\/\d+\.\d+\.\d+ \w+-\w+ node-v\d+/)
    expect(resolvedBy(['--version']).some((u) => u.includes('@oclif/core'))).toBe(false)
    expect(viaOclif.status).toBe(0)
    expect(fast.stdout).toBe(viaOclif.stdout)
  })
})
