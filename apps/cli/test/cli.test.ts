import {existsSync, mkdtempSync, readFileSync, statSync, writeFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {pushRandomImage, requireRegistry, startRegistry} from '@sigil/test-servers'
import type {TestRegistry} from '@sigil/test-servers'
import {sigil, sigilOnTerminal} from './run-cli.js'

let registry: TestRegistry
let client: RegistryClient
let dir: string
const env = {COSIGN_PASSWORD: 'correct horse', SIGIL_PASSWORD: undefined}

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  client = new RegistryClient()
  dir = mkdtempSync(join(tmpdir(), 'sigil-cli-'))
  const alice = await sigil(['generate-key-pair', '--output-key-prefix', 'alice'], {cwd: dir, env})
  expect(alice.code, alice.stderr).toBe(0)
  const mallory = await sigil(['generate-key-pair', '--output-key-prefix', 'mallory'], {cwd: dir, env: {COSIGN_PASSWORD: 'x'}})
  expect(mallory.code, mallory.stderr).toBe(0)
})
afterAll(async () => {
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

let n = 0
async function image(tag = 'v1'): Promise<{ref: string; digest: string; repo: {registry: string; repository: string}}> {
  const repo = {registry: registry.host, repository: `cli/app${++n}`}
  const pushed = await pushRandomImage(client, repo, tag)
  return {ref: `${registry.host}/${repo.repository}:${tag}`, digest: pushed.digest, repo}
}

describe('generate-key-pair', () => {
  test('writes a 0600 encrypted key and a public key, and says so on stderr', () => {
    expect(statSync(join(dir, 'alice.key')).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(dir, 'alice.key'), 'utf8')).toMatch(/^-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n/)
    expect(readFileSync(join(dir, 'alice.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/)
  })

  test('refuses to overwrite an existing key without --force, leaving it intact', async () => {
    const before = readFileSync(join(dir, 'alice.key'))
    const r = await sigil(['generate-key-pair', '--output-key-prefix', 'alice'], {cwd: dir, env})
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/already exists/)
    expect(r.stderr).toMatch(/--force/)
    expect(readFileSync(join(dir, 'alice.key')).equals(before)).toBe(true)
  })

  test('--force overwrites', async () => {
    const d = mkdtempSync(join(tmpdir(), 'sigil-force-'))
    expect((await sigil(['generate-key-pair'], {cwd: d, env})).code).toBe(0)
    const first = readFileSync(join(d, 'cosign.pub'), 'utf8')
    const r = await sigil(['generate-key-pair', '--force'], {cwd: d, env})
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(join(d, 'cosign.pub'), 'utf8')).not.toBe(first)
    rmSync(d, {recursive: true, force: true})
  })
})

describe('public-key', () => {
  test('derives the same public key from the private key', async () => {
    const r = await sigil(['public-key', '--key', 'alice.key'], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(readFileSync(join(dir, 'alice.pub'), 'utf8'))
  })

  test('a wrong password is a clear error, never a stack trace, and never echoes the password', async () => {
    const r = await sigil(['public-key', '--key', 'alice.key'], {cwd: dir, env: {COSIGN_PASSWORD: 'wrong-secret-123'}})
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^Error: .*(password|decrypt)/i)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(r.stderr + r.stdout).not.toContain('wrong-secret-123')
  })

  test('the password is read from stdin when no env var is set', async () => {
    const r = await sigil(['public-key', '--key', 'mallory.key'], {cwd: dir, env: {COSIGN_PASSWORD: undefined}, input: 'x'})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(readFileSync(join(dir, 'mallory.pub'), 'utf8'))
  })

  test('a password that arrives on stdin after the command started is waited for', async () => {
    const r = await sigil(['public-key', '--key', 'mallory.key'], {cwd: dir, env: {COSIGN_PASSWORD: undefined}, input: 'x', inputDelayMs: 400})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(readFileSync(join(dir, 'mallory.pub'), 'utf8'))
    // …also for sign; and the wrong password still fails (the read is real).
    const {ref} = await image()
    const signed = await sigil(['sign', '--key', 'mallory.key', ref], {cwd: dir, env: {COSIGN_PASSWORD: undefined}, input: 'x', inputDelayMs: 400})
    expect(signed.code, signed.stderr).toBe(0)
    const wrong = await sigil(['sign', '--key', 'mallory.key', ref], {cwd: dir, env: {COSIGN_PASSWORD: undefined}, input: 'y', inputDelayMs: 400})
    expect(wrong.code).not.toBe(0)
    expect(wrong.stderr).toContain('wrong password')
  })
})

describe('on a terminal', () => {
  test('generate-key-pair asks for the password twice without echoing it; the key opens with it', async () => {
    const d = mkdtempSync(join(tmpdir(), 'sigil-tty-'))
    try {
      const r = await sigilOnTerminal(['generate-key-pair'], {cwd: d, env: {COSIGN_PASSWORD: undefined, SIGIL_PASSWORD: undefined}}, [
        ['expect', 'Enter password for private key: '],
        ['send', 'tty-secret-1\r'],
        ['expect', 'Enter password for private key again: '],
        ['send', 'tty-secret-1\r'],
      ])
      expect(r.code, r.output).toBe(0)
      expect(r.output).not.toContain('tty-secret-1')
      expect((await sigil(['public-key', '--key', 'cosign.key'], {cwd: d, env: {COSIGN_PASSWORD: 'tty-secret-1'}})).code).toBe(0)
      // Two different answers: nothing is written.
      const m = await sigilOnTerminal(['generate-key-pair', '--output-key-prefix', 'other'], {cwd: d, env: {COSIGN_PASSWORD: undefined, SIGIL_PASSWORD: undefined}}, [
        ['expect', 'Enter password for private key: '],
        ['send', 'one\r'],
        ['expect', 'again: '],
        ['send', 'two\r'],
      ])
      expect(m.code).not.toBe(0)
      expect(m.output).toContain('passwords do not match')
      expect(existsSync(join(d, 'other.key'))).toBe(false)
    } finally {
      rmSync(d, {recursive: true, force: true})
    }
  })
})

describe('import-key-pair', () => {
  test.each([
    ['SEC1 EC', 'ec', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-pkeyopt', 'ec_param_enc:named_curve'], true],
    ['PKCS#8 RSA', 'rsa', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], false],
    ['PKCS#8 Ed25519', 'ed', ['-algorithm', 'ED25519'], false],
  ])('imports a %s key; it signs an image that verifies with the written .pub', async (_name, prefix, genArgs, sec1) => {
    const {execFileSync} = await import('node:child_process')
    const pem = join(dir, `${prefix}.pem`)
    execFileSync('openssl', ['genpkey', ...genArgs, '-out', pem])
    if (sec1) execFileSync('openssl', ['ec', '-in', pem, '-out', pem])
    const r = await sigil(['import-key-pair', '--key', `${prefix}.pem`, '--output-key-prefix', `imp-${prefix}`], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain(`Private key written to imp-${prefix}.key`)
    expect(statSync(join(dir, `imp-${prefix}.key`)).mode & 0o777).toBe(0o600)
    const {ref} = await image()
    expect((await sigil(['sign', '--key', `imp-${prefix}.key`, ref], {cwd: dir, env})).code).toBe(0)
    const v = await sigil(['verify', '--key', `imp-${prefix}.pub`, ref], {cwd: dir})
    expect(v.code, v.stderr).toBe(0)
  })

  test('refuses to clobber an existing key', async () => {
    const before = readFileSync(join(dir, 'alice.key'))
    const r = await sigil(['import-key-pair', '--key', 'ec.pem', '--output-key-prefix', 'alice'], {cwd: dir, env})
    expect(r.code).toBe(1)
    expect(readFileSync(join(dir, 'alice.key')).equals(before)).toBe(true)
  })
})

describe('public-key --outfile', () => {
  test('writes the PEM, and refuses to overwrite without --force', async () => {
    const r = await sigil(['public-key', '--key', 'alice.key', '--outfile', 'derived.pub'], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('Public key written to derived.pub')
    expect(readFileSync(join(dir, 'derived.pub'), 'utf8')).toBe(readFileSync(join(dir, 'alice.pub'), 'utf8'))
    const again = await sigil(['public-key', '--key', 'alice.key', '--outfile', 'derived.pub'], {cwd: dir, env})
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/--force/)
  })
})

describe('sign and verify through the binary', () => {
  test('sign then verify prints cosign\'s claims JSON and header', async () => {
    const {ref, digest} = await image()
    const s = await sigil(['sign', '--key', 'alice.key', '-y', '--tlog-upload=false', ref], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    expect(s.stderr).toContain('uses a tag, not a digest')
    expect(s.stderr).toContain(`Pushing signature to: ${ref.replace(/:v1$/, '')}`)
    const v = await sigil(['verify', '--key', 'alice.pub', '--insecure-ignore-tlog', ref], {cwd: dir})
    expect(v.code, v.stderr).toBe(0)
    expect(v.stderr).toBe(
      `\nVerification for ${ref} --\nThe following checks were performed on each of these signatures:\n` +
        '  - The cosign claims were validated\n  - The signatures were verified against the specified public key\n',
    )
    expect(v.stdout.startsWith('\n[')).toBe(true)
    const claims = JSON.parse(v.stdout)
    expect(claims).toEqual([
      {
        critical: {
          identity: {'docker-reference': ref.replace(/:v1$/, '')},
          image: {'docker-manifest-digest': digest},
          type: 'cosign container image signature',
        },
        optional: null,
      },
    ])
  })

  test('unsigned → 10, missing tag → 11, wrong key → 12', async () => {
    const {ref} = await image()
    const unsigned = await sigil(['verify', '--key', 'alice.pub', ref], {cwd: dir})
    expect(unsigned.code).toBe(10)
    expect(unsigned.stderr).toContain('no signatures found')
    const missing = await sigil(['verify', '--key', 'alice.pub', ref.replace(/:v1$/, ':nope')], {cwd: dir})
    expect(missing.code).toBe(11)
    expect(missing.stderr).toContain('image tag not found')
    await sigil(['sign', '--key', 'mallory.key', ref], {cwd: dir, env: {COSIGN_PASSWORD: 'x'}})
    const wrongKey = await sigil(['verify', '--key', 'alice.pub', ref], {cwd: dir})
    expect(wrongKey.code).toBe(12)
    expect(wrongKey.stderr).toContain('no matching signatures')
    // One line with the reason (README: errors are one line).
    expect(wrongKey.stderr).toBe('Error: no matching signatures: invalid signature when validating ASN.1 encoded signature\n')
  })

  test('a tag re-pushed by an attacker fails verification', async () => {
    const {ref, repo} = await image()
    expect((await sigil(['sign', '--key', 'alice.key', ref], {cwd: dir, env})).code).toBe(0)
    expect((await sigil(['verify', '--key', 'alice.pub', ref], {cwd: dir})).code).toBe(0)
    await pushRandomImage(client, repo, 'v1')
    const unsignedNow = await sigil(['verify', '--key', 'alice.pub', ref], {cwd: dir})
    expect(unsignedNow.code).toBe(10)
    // The attacker signs the new image with their own key: still refused.
    expect((await sigil(['sign', '--key', 'mallory.key', ref], {cwd: dir, env: {COSIGN_PASSWORD: 'x'}})).code).toBe(0)
    const v = await sigil(['verify', '--key', 'alice.pub', ref], {cwd: dir})
    expect(v.code).toBe(12)
    expect(v.stdout).toBe('')
  })

  test('-a annotations round-trip; verify -a mismatch fails with 12', async () => {
    const {ref} = await image()
    const s = await sigil(['sign', '--key', 'alice.key', '-a', 'env=prod', '-a', 'git=abc,team=x', ref], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    const v = await sigil(['verify', '--key', 'alice.pub', '-a', 'env=prod', ref], {cwd: dir})
    expect(v.code, v.stderr).toBe(0)
    expect(v.stderr).toContain('The specified annotations were verified.')
    expect(JSON.parse(v.stdout)[0].optional).toEqual({env: 'prod', git: 'abc', team: 'x'})
    const bad = await sigil(['verify', '--key', 'alice.pub', '-a', 'env=dev', ref], {cwd: dir})
    expect(bad.code).toBe(12)
    expect(bad.stderr).toContain('missing or incorrect annotation')
  })

  test('multi-image sign a b c and verify a b c; one failure sets the exit code', async () => {
    const imgs = await Promise.all([image(), image(), image()])
    const refs = imgs.map((i) => i.ref)
    const s = await sigil(['sign', '--key', 'alice.key', ...refs], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    expect(s.stderr.match(/Pushing signature to/g)).toHaveLength(3)
    const v = await sigil(['verify', '--key', 'alice.pub', '-o', 'json', ...refs], {cwd: dir})
    expect(v.code, v.stderr).toBe(0)
    expect(v.stderr.match(/Verification for/g)).toHaveLength(3)
    const extra = await image()
    const mixed = await sigil(['verify', '--key', 'alice.pub', refs[0]!, extra.ref], {cwd: dir})
    expect(mixed.code).toBe(10)
  })

  test('--json gives machine-readable results and errors', async () => {
    const {ref, digest} = await image()
    const s = await sigil(['sign', '--key', 'alice.key', '--json', ref], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    expect(JSON.parse(s.stdout).signed[0]).toMatchObject({digest, appended: true})
    const v = await sigil(['verify', '--key', 'mallory.pub', '--json', ref], {cwd: dir})
    expect(v.code).toBe(12)
    expect(JSON.parse(v.stdout).error.code).toBe('NO_MATCHING_SIGNATURES')
  })

  test('-o text prints the raw payloads', async () => {
    const {ref} = await image()
    await sigil(['sign', '--key', 'alice.key', ref], {cwd: dir, env})
    const v = await sigil(['verify', '--key', 'alice.pub', '-o', 'text', ref], {cwd: dir})
    expect(v.code, v.stderr).toBe(0)
    expect(v.stdout).toMatch(/^\{"critical":\{"identity":\{"docker-reference":".*"\},"image":\{"docker-manifest-digest":"sha256:[0-9a-f]{64}"\},"type":"cosign container image signature"\},"optional":null\}\n$/)
  })

  test('triangulate prints the signature tag', async () => {
    const {ref, digest, repo} = await image()
    const r = await sigil(['triangulate', ref], {cwd: dir})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(`${repo.registry}/${repo.repository}:sha256-${digest.slice(7)}.sig\n`)
  })
})

describe("sigil's start-up path and oclif (SIGIL_VIA_OCLIF=1) agree", () => {
  test.each([
    ['verify ok', (ref: string) => ['verify', '--key', 'alice.pub', ref]],
    ['verify -o text', (ref: string) => ['verify', '--key', 'alice.pub', '-o', 'text', ref]],
    ['verify --check-claims=false', (ref: string) => ['verify', '--key', 'alice.pub', '--check-claims=false', ref]],
    ['verify wrong key', (ref: string) => ['verify', '--key', 'mallory.pub', ref]],
    ['verify wrong key --json', (ref: string) => ['verify', '--key', 'mallory.pub', '--json', ref]],
    ['verify --json', (ref: string) => ['verify', '--json', '--key', 'alice.pub', ref]],
    ['verify two images, one unsigned', (ref: string) => ['verify', '--key', 'alice.pub', ref, ref.replace(/:v1$/, ':gone')]],
    ['verify -a mismatch', (ref: string) => ['verify', '-a', 'x=y', '--key', 'alice.pub', ref]],
    ['verify missing tag', (ref: string) => ['verify', '--key', 'alice.pub', ref.replace(/:v1$/, ':gone')]],
    ['verify bad reference', () => ['verify', '--key', 'alice.pub', 'Upper/Case']],
    ['sign --upload=false', (ref: string) => ['sign', '--key', 'alice.key', '--upload=false', ref]],
    ['sign bad annotation', (ref: string) => ['sign', '--key', 'alice.key', '-a', 'novalue', ref]],
    ['admission check without images', () => ['admission', 'check', '--policy', 'alice.pub']],
  ])('%s', async (_name, args) => {
    const {ref} = await image()
    await sigil(['sign', '--key', 'alice.key', ref], {cwd: dir, env})
    const own = await sigil(args(ref), {cwd: dir, env})
    const viaOclif = await sigil(args(ref), {cwd: dir, env: {...env, SIGIL_VIA_OCLIF: '1'}})
    // Signatures are randomized: compare sign output without them.
    const scrub = (s: string) => s.replace(/^M[A-Za-z0-9+/=]{60,}$/gm, '<sig>')
    expect({code: own.code, stdout: scrub(own.stdout), stderr: own.stderr}).toEqual({
      code: viaOclif.code,
      stdout: scrub(viaOclif.stdout),
      stderr: viaOclif.stderr,
    })
  })
})

describe('bad input', () => {
  test.each([
    ['uppercase repository', ['verify', '--key', 'alice.pub', 'localhost:5000/Bad/Name:v1'], 2, /lowercase|invalid/i],
    ['malformed reference', ['verify', '--key', 'alice.pub', 'a b c'], 2, /reference/i],
    ['unknown flag', ['verify', '--nope', 'x'], 2, /nope/],
    ['missing key file', ['sign', '--key', 'missing.key', 'localhost:5000/app:v1'], 1, /missing\.key/],
    ['a public key where a private key is needed', ['sign', '--key', 'alice.pub', 'localhost:5000/app:v1'], 1, /public key/i],
    ['a private key where a public key is needed', ['verify', '--key', 'alice.key', 'localhost:5000/app:v1'], 1, /private key|public key/i],
    ['a bad annotation', ['sign', '--key', 'alice.key', '-a', 'novalue', 'localhost:5000/app:v1'], 2, /unable to parse annotation: novalue/],
    ['--tlog-upload=true', ['sign', '--key', 'alice.key', '--tlog-upload=true', 'localhost:5000/app:v1'], 2, /transparency log/],
  ])('%s → clean error', async (_name, args, code, pattern) => {
    const r = await sigil(args, {cwd: dir, env})
    expect(r.code, r.stderr).toBe(code)
    expect(r.stderr).toMatch(pattern)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  test('a truncated key file is a clear error', async () => {
    const key = readFileSync(join(dir, 'alice.key'), 'utf8')
    writeFileSync(join(dir, 'truncated.key'), key.slice(0, 120))
    const r = await sigil(['sign', '--key', 'truncated.key', 'localhost:5000/app:v1'], {cwd: dir, env})
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^Error: /)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  test('a registry that is down is a registry error, not "no signatures"', async () => {
    const r = await sigil(['verify', '--key', 'alice.pub', '127.0.0.1:9/app:v1'], {cwd: dir})
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/127\.0\.0\.1:9/)
    expect(r.stderr).not.toContain('no signatures')
  })

  test('--help mentions the transparency-log stance', async () => {
    const r = await sigil(['sign', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('--tlog-upload=false')
  })
})
