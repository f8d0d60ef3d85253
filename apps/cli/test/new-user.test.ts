/**
 * What a new user trips over, through the binary: unknown commands, usage errors, missing
 * passwords, help without oclif.
 */
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {sigil} from './run-cli.js'

let dir: string
const noPassword = {COSIGN_PASSWORD: undefined, SIGIL_PASSWORD: undefined}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sigil-new-user-'))
  const g = await sigil(['generate-key-pair'], {cwd: dir, env: {COSIGN_PASSWORD: 'pw', SIGIL_PASSWORD: undefined}})
  expect(g.code, g.stderr).toBe(0)
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('unknown commands and usage errors exit 2 with one clear line', () => {
  test.each([
    ['a typo', ['verfy', '--key', 'k.pub', 'img'], /^Error: verfy is not a sigil command; did you mean "verify"\?/],
    ['another typo', ['generate-keypair'], /did you mean "generate-key-pair"/],
    ['no close match', ['frobnicate'], /^Error: frobnicate is not a sigil command \(see sigil --help\)/],
    ['-o yaml', ['verify', '--key', 'k.pub', '-o', 'yaml', 'img'], /Expected -o=yaml to be one of: json, text/],
    ['a missing flag value', ['verify', 'img', '--key'], /--key expects a value/],
    ['a missing required flag', ['verify', 'img'], /Missing required flag --key/],
    ['a missing argument', ['verify', '--key', 'k.pub'], /Missing required argument IMAGE/],
    ['an extra argument', ['logout', 'a.example', 'b.example'], /Unexpected argument: b\.example/],
    ['a bad integer', ['verify', '--key', 'k', '--max-workers', 'many', 'img'], /integer/],
    ['an unknown top-level flag', ['--frobnicate'], /Nonexistent flag: --frobnicate/],
  ])('%s', async (_name, args, message) => {
    const r = await sigil(args, {cwd: dir})
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })

  test('--json gives the error as JSON on stdout, with the usage code', async () => {
    const r = await sigil(['verify', '--json', '--key', 'k.pub', '-o', 'yaml', 'img'], {cwd: dir})
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout)).toMatchObject({status: 2, error: {code: 'INVALID_ARGUMENT'}})
  })

  test('oclif is still there for the commands of its plugins', async () => {
    const r = await sigil(['plugins'], {cwd: dir, env: {SIGIL_DATA_DIR: join(dir, 'data')}})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/No plugins installed/)
  })
})

describe('help', () => {
  test('sigil --help lists every command, sigil\'s and its plugins\'', async () => {
    const r = await sigil(['--help'])
    expect(r.code).toBe(0)
    for (const c of ['sign', 'verify', 'generate-key-pair', 'public-key', 'triangulate', 'login', 'providers', 'plugins']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'))
    expect(r.stdout).toContain('VERSION')
  })

  test.each([[['verify', '--help']], [['help', 'verify']], [['verify', '-h']]])('%j shows the flags and examples', async (args) => {
    const r = await sigil(args)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^USAGE\n  \$ sigil verify IMAGE\.\.\. -k <value>/m)
    expect(r.stdout).toMatch(/-k, --key=<value>/)
    expect(r.stdout).toMatch(/^EXAMPLES\n  \$ sigil verify --key cosign\.pub/m)
    expect(r.stdout).not.toContain('<%=')
  })
})

describe('passwords', () => {
  test('generate-key-pair with no terminal and no password source refuses and writes nothing', async () => {
    const d = mkdtempSync(join(tmpdir(), 'sigil-nopw-'))
    try {
      const r = await sigil(['generate-key-pair'], {cwd: d, env: noPassword})
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/^Error: no password given: set COSIGN_PASSWORD/)
      expect(existsSync(join(d, 'cosign.key'))).toBe(false)
      expect(existsSync(join(d, 'cosign.pub'))).toBe(false)
    } finally {
      rmSync(d, {recursive: true, force: true})
    }
  })

  test('an explicitly empty COSIGN_PASSWORD still makes a key with an empty password', async () => {
    const d = mkdtempSync(join(tmpdir(), 'sigil-emptypw-'))
    try {
      const r = await sigil(['generate-key-pair'], {cwd: d, env: {...noPassword, COSIGN_PASSWORD: ''}})
      expect(r.code, r.stderr).toBe(0)
      const opened = await sigil(['public-key', '--key', 'cosign.key'], {cwd: d, env: {...noPassword, COSIGN_PASSWORD: ''}})
      expect(opened.code, opened.stderr).toBe(0)
    } finally {
      rmSync(d, {recursive: true, force: true})
    }
  })

  test('a password piped on standard input is a source (creating a key)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'sigil-pipedpw-'))
    try {
      const r = await sigil(['generate-key-pair'], {cwd: d, env: noPassword, input: 'piped\n'})
      expect(r.code, r.stderr).toBe(0)
      expect((await sigil(['public-key', '--key', 'cosign.key'], {cwd: d, env: noPassword, input: 'piped\n'})).code).toBe(0)
    } finally {
      rmSync(d, {recursive: true, force: true})
    }
  })

  test.each([
    ['sign', ['sign', '--key', 'cosign.key', '127.0.0.1:9/new-user/app:v1']],
    ['public-key', ['public-key', '--key', 'cosign.key']],
  ])('%s with no password source says so, not "wrong password"', async (_name, args) => {
    const r = await sigil(args, {cwd: dir, env: noPassword})
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^Error: no password given: set COSIGN_PASSWORD/)
    expect(r.stderr).not.toContain('wrong password')
    // control: a wrong password given is still called that
    const wrong = await sigil(args, {cwd: dir, env: {...noPassword, COSIGN_PASSWORD: 'nope'}})
    expect(wrong.stderr).toContain('wrong password')
  })
})
