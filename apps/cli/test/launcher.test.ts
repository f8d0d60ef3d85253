/**
 * The `sigil` launcher (bin/run.js's POSIX-sh lines, bin/lean.cjs) through the real file,
 * executed directly as a shell runs `sigil` (`spawn(BIN, args)`), against real registries on
 * 127.0.0.1: NODE_EXTRA_CA_CERTS deferred to the first HTTPS request for sign/verify/--version,
 * the restart through oclif with the variable back when the lean path declines, symlinked
 * installs, and the V8 code cache made at build time.
 *
 * Which Node processes ran, and with which CA variables, is recorded by a preload
 * (`NODE_OPTIONS=--require trace.cjs`, inherited by every `node` the launcher starts): one JSON
 * line per process with its main script, NODE_EXTRA_CA_CERTS and SIGIL_DEFERRED_CA_CERTS as
 * they were when Node started.
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient, useExtraCaCertificates} from '@sigil/oci'
import {pushRandomImage, requireRegistry, startRegistry} from '@sigil/test-servers'
import type {TestRegistry} from '@sigil/test-servers'
import {hasOpenssl, makeCertificate, type TestCertificate} from '../../../packages/oci/test/tls-cert.js'
import {BIN} from './run-cli.js'

const CLI_ROOT = fileURLToPath(new URL('..', import.meta.url))
const LEAN_CJS = join(CLI_ROOT, 'bin', 'lean.cjs')
const BUNDLE = join(CLI_ROOT, 'dist', 'lean.bundle.cjs')
const CACHE = `${BUNDLE}.cache`
const PASSWORD = 'launcher test password'
/** A registry name no adapter plugin claims; the mirrors file sends it to the HTTPS registry. */
const SECURE = 'secure.sigil.test'
const WARNING = 'Ignoring extra certs'

interface TraceEntry {
  pid: number
  /** process.argv[1]: the main script Node ran. */
  script: string
  extra: string | null
  deferred: string | null
}

interface Launch {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** Node processes started for this invocation, in start order. */
  trace: TraceEntry[]
}

let registry: TestRegistry
let dir: string
let traceJs: string
let runs = 0
let ref: string
let digest: string

/**
 * The environment of every run: nothing of the caller's CA, plugin, password or mirrors
 * settings leaks in (this machine may well set NODE_EXTRA_CA_CERTS globally).
 */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env}
  for (const k of [
    'NODE_EXTRA_CA_CERTS', 'SIGIL_DEFERRED_CA_CERTS', 'SIGIL_NO_LEAN', 'SIGIL_LEAN_DECLINED', 'NODE_OPTIONS', 'SIGIL_PASSWORD',
    'SIGIL_REGISTRIES_CONFIG', 'SIGIL_REPOSITORY', 'COSIGN_REPOSITORY', 'REGISTRY_AUTH_FILE', 'XDG_RUNTIME_DIR', 'XDG_DATA_HOME', 'DEBUG',
  ]) {
    delete env[k]
  }
  return {
    ...env,
    HOME: dir,
    DOCKER_CONFIG: join(dir, 'docker'),
    XDG_CONFIG_HOME: join(dir, 'xdg'),
    SIGIL_DATA_DIR: join(dir, 'data'),
    SIGIL_CACHE_DIR: join(dir, 'cache'),
    OCLIF_DISABLE_LINKED_ESM_WARNING: '1',
    COSIGN_PASSWORD: PASSWORD,
    NODE_OPTIONS: `--require ${traceJs}`,
  }
}

/**
 * Run `command args` (BIN itself, a symlink, or process.execPath with BIN as first argument)
 * in the key dir. `env` entries are added (undefined removes one). Resolves at exit.
 */
function launch(
  command: string,
  args: string[],
  opts: {env?: Record<string, string | undefined>; cwd?: string; onSpawn?: (pid: number, traceFile: string) => void} = {},
): Promise<Launch> {
  const traceFile = join(dir, `trace-${++runs}.jsonl`)
  const env: NodeJS.ProcessEnv = {...baseEnv(), SIGIL_TEST_TRACE: traceFile, ...opts.env}
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k]
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {cwd: opts.cwd ?? dir, env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('spawn', () => opts.onSpawn?.(child.pid!, traceFile))
    // 'exit', not 'close': a grandchild may hold the pipes (see the signal test).
    child.on('exit', (code, signal) => {
      // let the pipes drain what was written before the exit
      setTimeout(() => resolve({code, signal, stdout, stderr, trace: readTrace(traceFile)}), 50)
    })
  })
}

function readTrace(file: string): TraceEntry[] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as TraceEntry)
}

const scripts = (r: Launch): string[] => r.trace.map((t) => t.script)
/** Node's process warnings name the pid (`(node:1234) Warning…`): the one part two runs never share. */
const samePid = (text: string): string => text.replace(/\(node:\d+\)/g, '(node:PID)')
const occurrences = (text: string, needle: string): number => text.split(needle).length - 1
const noStack = /\n\s+at /

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

const registryAvailable = requireRegistry()
const tlsAvailable = hasOpenssl()

beforeAll(async () => {
  expect(existsSync(BUNDLE), `${BUNDLE} is missing: build the CLI first (pnpm run build)`).toBe(true)
  dir = mkdtempSync(join(tmpdir(), 'sigil-launcher-'))
  for (const sub of ['docker', 'xdg', 'data', 'cache']) mkdirSync(join(dir, sub))
  traceJs = join(dir, 'trace.cjs')
  writeFileSync(
    traceJs,
    `if (process.env.SIGIL_TEST_TRACE) require('node:fs').appendFileSync(process.env.SIGIL_TEST_TRACE, JSON.stringify({pid: process.pid, ` +
      `script: process.argv[1], extra: process.env.NODE_EXTRA_CA_CERTS ?? null, deferred: process.env.SIGIL_DEFERRED_CA_CERTS ?? null}) + '\\n')\n`,
  )
  const keys = await launch(BIN, ['generate-key-pair'])
  expect(keys.code, keys.stderr).toBe(0)
  if (!registryAvailable) return
  registry = await startRegistry()
  const pushed = await pushRandomImage(new RegistryClient({credentials: async () => undefined}), {registry: registry.host, repository: 'launcher/app'}, 'v1')
  digest = pushed.digest
  ref = `${registry.host}/launcher/app:v1`
  // Signed once up front (through oclif, not the launcher under test), so every verify below has a signature to find.
  const signed = await launch(process.execPath, [BIN, 'sign', '--key', 'cosign.key', ref], {env: {SIGIL_NO_LEAN: '1'}})
  expect(signed.code, signed.stderr).toBe(0)
})
afterAll(async () => {
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

describe.skipIf(!registryAvailable)('NODE_EXTRA_CA_CERTS is deferred on the lean path (loopback http registry)', () => {
  test('sign then verify through the launcher succeed with NODE_EXTRA_CA_CERTS=/nonexistent/ca.pem, without the warning', async () => {
    const env = {NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem'}
    const s = await launch(BIN, ['sign', '--key', 'cosign.key', ref], {env})
    expect(s.code, s.stderr).toBe(0)
    expect(s.stderr).not.toContain(WARNING)
    // One Node process: bin/lean.cjs, started without the variable (the launcher moved it aside).
    expect(s.trace).toEqual([expect.objectContaining({script: LEAN_CJS, extra: null, deferred: '/nonexistent/ca.pem'})])
    const v = await launch(BIN, ['verify', '--key', 'cosign.pub', ref], {env})
    expect(v.code, v.stderr).toBe(0)
    expect(v.stdout).toContain(digest)
    expect(v.stderr).not.toContain(WARNING)
    expect(v.trace).toEqual([expect.objectContaining({script: LEAN_CJS, extra: null, deferred: '/nonexistent/ca.pem'})])
  })

  test('control: `node BIN verify` (no launcher lines) with the same env prints Node\'s warning once, and still verifies', async () => {
    const v = await launch(process.execPath, [BIN, 'verify', '--key', 'cosign.pub', ref], {env: {NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem'}})
    expect(v.code, v.stderr).toBe(0)
    expect(v.stdout).toContain(digest)
    expect(occurrences(v.stderr, 'Warning: Ignoring extra certs from `/nonexistent/ca.pem`, load failed:')).toBe(1)
    expect(v.trace).toEqual([expect.objectContaining({script: BIN, extra: '/nonexistent/ca.pem', deferred: null})])
  })

  test('control: SIGIL_NO_LEAN=1 or NODE_OPTIONS naming an OpenSSL CA option keep the variable for Node (warning printed once)', async () => {
    const noLean = await launch(BIN, ['verify', '--key', 'cosign.pub', ref], {env: {NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem', SIGIL_NO_LEAN: '1'}})
    expect(noLean.code, noLean.stderr).toBe(0)
    expect(occurrences(noLean.stderr, WARNING)).toBe(1)
    expect(noLean.trace).toEqual([expect.objectContaining({script: BIN, extra: '/nonexistent/ca.pem', deferred: null})])

    const openssl = await launch(BIN, ['verify', '--key', 'cosign.pub', ref], {
      env: {NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem', NODE_OPTIONS: `--use-openssl-ca --require ${traceJs}`},
    })
    expect(openssl.code, openssl.stderr).toBe(0)
    expect(occurrences(openssl.stderr, WARNING)).toBe(1)
    // Still the lean start-up, only without the deferral.
    expect(openssl.trace).toEqual([expect.objectContaining({script: LEAN_CJS, extra: '/nonexistent/ca.pem', deferred: null})])
  })
})

describe.skipIf(!registryAvailable || !tlsAvailable)('a registry over HTTPS trusted only through NODE_EXTRA_CA_CERTS (mirrors file)', () => {
  let cert: TestCertificate
  let tlsRegistry: TestRegistry
  let secureRef: string
  let secureDigest: string
  let mirrors: string

  beforeAll(async () => {
    cert = makeCertificate()
    tlsRegistry = await startRegistry({tls: {cert: cert.cert, key: cert.key}})
    expect(tlsRegistry.url).toBe(`https://${tlsRegistry.host}`)
    // This test worker pushes over HTTPS too: its own transport trusts the certificate the same way.
    useExtraCaCertificates(cert.certPath)
    const client = new RegistryClient({credentials: async () => undefined, endpoint: (h) => (h === SECURE ? tlsRegistry.url : undefined)})
    secureDigest = (await pushRandomImage(client, {registry: SECURE, repository: 'launcher/secure'}, 'v1')).digest
    secureRef = `${SECURE}/launcher/secure:v1`
    mirrors = join(dir, 'registries-tls.json')
    writeFileSync(mirrors, JSON.stringify({registries: [{prefix: SECURE, location: tlsRegistry.url}]}))
  })
  afterAll(async () => {
    await tlsRegistry?.stop()
    cert?.remove()
  })

  test('sign and verify through the launcher succeed: the lean path loads the deferred file on its first HTTPS request', async () => {
    const env = {NODE_EXTRA_CA_CERTS: cert.certPath, SIGIL_REGISTRIES_CONFIG: mirrors}
    const s = await launch(BIN, ['sign', '--key', 'cosign.key', secureRef], {env})
    expect(s.code, s.stderr).toBe(0)
    expect(s.stderr).not.toContain(WARNING)
    // Handled by the lean path itself (no restart through oclif with Node's own CA set-up).
    expect(s.trace).toEqual([expect.objectContaining({script: LEAN_CJS, extra: null, deferred: cert.certPath})])
    // The signature really went to the HTTPS registry.
    expect(tlsRegistry.logs()).toMatch(/PUT \/v2\/launcher\/secure\/manifests\/sha256-[0-9a-f]{64}\.sig/)

    const v = await launch(BIN, ['verify', '--key', 'cosign.pub', secureRef], {env})
    expect(v.code, v.stderr).toBe(0)
    expect(v.stdout).toContain(secureDigest)
    expect(v.stdout).toContain(`"docker-reference":"${SECURE}/launcher/secure"`)
    expect(v.trace).toEqual([expect.objectContaining({script: LEAN_CJS, extra: null, deferred: cert.certPath})])

    // Same verdict as Node's own start-up loading of the variable (`node BIN`, no launcher lines).
    const direct = await launch(process.execPath, [BIN, 'verify', '--key', 'cosign.pub', secureRef], {env})
    expect(direct.code, direct.stderr).toBe(0)
    expect(direct.stdout).toBe(v.stdout)
  })

  test('control: without NODE_EXTRA_CA_CERTS sign and verify fail with a certificate error, non-zero, no stack trace', async () => {
    const env = {SIGIL_REGISTRIES_CONFIG: mirrors}
    for (const args of [['sign', '--key', 'cosign.key', secureRef], ['verify', '--key', 'cosign.pub', secureRef]]) {
      const r = await launch(BIN, args, {env})
      expect(r.code, r.stderr).not.toBe(0)
      expect(r.code).not.toBeNull()
      expect(r.stderr).toMatch(/^Error: .*TLS error \(DEPTH_ZERO_SELF_SIGNED_CERT\)/m)
      expect(r.stderr).not.toMatch(noStack)
      expect(r.stdout).not.toContain(secureDigest)
      // The lean path reports it exactly as oclif does.
      const oclif = await launch(process.execPath, [BIN, ...args], {env: {...env, SIGIL_NO_LEAN: '1'}})
      expect(oclif.code).toBe(r.code)
      expect(samePid(oclif.stderr)).toBe(samePid(r.stderr))
      expect(scripts(r)).toEqual([LEAN_CJS])
    }
  })

  test('an unreadable NODE_EXTRA_CA_CERTS: the lazy load warns exactly once, then the same certificate error', async () => {
    const r = await launch(BIN, ['verify', '--key', 'cosign.pub', secureRef], {env: {NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem', SIGIL_REGISTRIES_CONFIG: mirrors}})
    expect(r.code).not.toBe(0)
    expect(occurrences(r.stderr, 'Warning: Ignoring extra certs from `/nonexistent/ca.pem`, load failed:')).toBe(1)
    expect(r.stderr).toMatch(/^Error: .*TLS error \(DEPTH_ZERO_SELF_SIGNED_CERT\)/m)
    expect(r.stderr).not.toMatch(noStack)
    expect(r.trace).toEqual([expect.objectContaining({script: LEAN_CJS, extra: null, deferred: '/nonexistent/ca.pem'})])
  })
})

describe.skipIf(!tlsAvailable)('invocations the lean path declines, with a deferred CA file: restarted through bin/run.js', () => {
  let cert: TestCertificate
  beforeAll(() => {
    cert = makeCertificate()
  })
  afterAll(() => cert?.remove())

  test('`verify --help` exits 0 and prints the same help as oclif run directly; the restarted Node has the variable back', async () => {
    const r = await launch(BIN, ['verify', '--help'], {env: {NODE_EXTRA_CA_CERTS: cert.certPath}})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('USAGE')
    expect(r.stdout).toContain('--key')
    expect(r.trace).toEqual([
      expect.objectContaining({script: LEAN_CJS, extra: null, deferred: cert.certPath}),
      expect.objectContaining({script: BIN, extra: cert.certPath, deferred: null}),
    ])
    const oclif = await launch(process.execPath, [BIN, 'verify', '--help'], {env: {NODE_EXTRA_CA_CERTS: cert.certPath, SIGIL_NO_LEAN: '1'}})
    expect(oclif.code).toBe(0)
    expect(r.stdout).toBe(oclif.stdout)
    expect(r.stderr).toBe(oclif.stderr)
  })

  test('control: without a deferred file the declined invocation runs oclif in the same process (no restart)', async () => {
    const r = await launch(BIN, ['verify', '--help'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('USAGE')
    expect(r.trace).toEqual([expect.objectContaining({script: LEAN_CJS, extra: null, deferred: null})])
  })

  test.each([
    ['a pkcs11: key', ['sign', '--key', 'pkcs11:token=none', '127.0.0.1:1/x/y:z']],
    ['an unknown scheme:// key', ['verify', '--key', 'nosuchscheme://k', '127.0.0.1:1/x/y:z']],
    ['an unknown flag (usage error)', ['verify', '--key', 'cosign.pub', '--no-such-flag', '127.0.0.1:1/x/y:z']],
  ])('%s: same exit code and stderr as SIGIL_NO_LEAN=1 node BIN', async (_name, args) => {
    const env = {NODE_EXTRA_CA_CERTS: cert.certPath}
    const r = await launch(BIN, args, {env})
    const oclif = await launch(process.execPath, [BIN, ...args], {env: {...env, SIGIL_NO_LEAN: '1'}})
    expect(oclif.code).not.toBe(0)
    expect(oclif.code).not.toBeNull()
    expect(r.code).toBe(oclif.code)
    expect(samePid(r.stderr)).toBe(samePid(oclif.stderr))
    expect(r.stdout).toBe(oclif.stdout)
    expect(r.stderr).toMatch(/^Error: /)
    expect(r.stderr).not.toMatch(noStack)
    expect(scripts(r)).toEqual([LEAN_CJS, BIN])
  })

  test('NODE_EXTRA_CA_CERTS=/nonexistent: the restarted Node prints its warning exactly once', async () => {
    const r = await launch(BIN, ['verify', '--help'], {env: {NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem'}})
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('USAGE')
    expect(occurrences(r.stderr, 'Warning: Ignoring extra certs from `/nonexistent/ca.pem`, load failed:')).toBe(1)
    expect(r.trace).toEqual([
      expect.objectContaining({script: LEAN_CJS, extra: null, deferred: '/nonexistent/ca.pem'}),
      expect.objectContaining({script: BIN, extra: '/nonexistent/ca.pem', deferred: null}),
    ])
  })

  test('a signal to the launcher reaches the restarted process (SIGTERM forwarded, re-raised); control: SIGKILL leaves it running', async () => {
    // A key scheme served by @sigil/sigstore-kms-bridge through an executable that hangs: declined by the
    // lean path, so bin/run.js (oclif) runs in a second Node process and waits on the executable.
    const plugins = join(dir, 'hang-plugin')
    mkdirSync(plugins, {recursive: true})
    const hang = join(plugins, 'sigstore-kms-hang')
    writeFileSync(hang, '#!/bin/sh\necho $$ >> "$HANG_PIDS"\nexec sleep 30\n', {mode: 0o755})
    const hangPids = join(dir, 'hang.pids')
    const started: number[] = []
    const cleanup = (): void => {
      for (const pid of [...started, ...readPids(hangPids)]) if (alive(pid)) process.kill(pid, 'SIGKILL')
    }
    try {
      for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
        rmSync(hangPids, {force: true})
        let launcherPid = 0
        let traceFile = ''
        const run = launch(BIN, ['sign', '--key', 'hang://k', '127.0.0.1:1/x/y:z'], {
          env: {NODE_EXTRA_CA_CERTS: cert.certPath, PATH: `${plugins}:${process.env.PATH}`, HANG_PIDS: hangPids},
          onSpawn: (pid, file) => {
            launcherPid = pid
            traceFile = file
          },
        })
        await until('the plugin executable to start', () => readPids(hangPids).length > 0)
        const trace = readTrace(traceFile)
        expect(trace.map((t) => t.script)).toEqual([LEAN_CJS, BIN])
        // exec all the way: the spawned process is the launcher's Node (lean.cjs)
        expect(trace[0]!.pid).toBe(launcherPid)
        const restarted = trace[1]!.pid
        started.push(restarted)
        process.kill(launcherPid, signal)
        const r = await run
        expect(r.signal).toBe(signal)
        if (signal === 'SIGTERM') {
          await until('the restarted process to end', () => !alive(restarted), 5000)
        } else {
          await new Promise((resolve) => setTimeout(resolve, 300))
          expect(alive(restarted)).toBe(true)
        }
        cleanup()
      }
    } finally {
      cleanup()
    }
  })
})

function readPids(file: string): number[] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number)
}

describe.skipIf(!registryAvailable)('symlinked installs', () => {
  let links: string
  let expected: Launch

  beforeAll(async () => {
    // A directory name with a space: the launcher's path handling must quote it.
    links = join(dir, 'bin links')
    mkdirSync(join(links, 'nested'), {recursive: true})
    symlinkSync(BIN, join(links, 'sigil-abs'))
    symlinkSync(relative(links, BIN), join(links, 'sigil-rel'))
    // a link to a link (relative), and a link in a subdirectory to a link one level up
    symlinkSync('sigil-rel', join(links, 'sigil-chain'))
    symlinkSync('../sigil-chain', join(links, 'nested', 'sigil'))
    mkdirSync(join(links, 'path-dir'))
    symlinkSync(join(links, 'sigil-chain'), join(links, 'path-dir', 'sigil'))
    expected = await launch(BIN, ['verify', '--key', 'cosign.pub', ref])
    expect(expected.code, expected.stderr).toBe(0)
    expect(expected.stdout).toContain(digest)
  })

  test.each([
    ['an absolute link target', 'sigil-abs'],
    ['a relative link target', 'sigil-rel'],
    ['a link to a link', 'sigil-chain'],
    ['a link in a subdirectory to a link one level up', 'nested/sigil'],
  ])('%s: verify gives the exit code and stdout of BIN itself, on the lean path', async (_name, link) => {
    const r = await launch(join(links, link), ['verify', '--key', 'cosign.pub', ref])
    expect(r.code, r.stderr).toBe(expected.code)
    expect(r.stdout).toBe(expected.stdout)
    expect(scripts(r)).toEqual([LEAN_CJS])
  })

  test('found on PATH and run by a relative name from its own directory', async () => {
    const byPath = await launch('sigil', ['verify', '--key', 'cosign.pub', ref], {env: {PATH: `${join(links, 'path-dir')}:${process.env.PATH}`}})
    expect(byPath.code, byPath.stderr).toBe(0)
    expect(byPath.stdout).toBe(expected.stdout)
    expect(scripts(byPath)).toEqual([LEAN_CJS])
    const relativeName = await launch('./sigil-chain', ['verify', '--key', join(dir, 'cosign.pub'), ref], {cwd: links})
    expect(relativeName.code, relativeName.stderr).toBe(0)
    expect(relativeName.stdout).toBe(expected.stdout)
    expect(scripts(relativeName)).toEqual([LEAN_CJS])
  })

  test('a non-hot command through a link runs the link itself as the ES module (oclif)', async () => {
    const r = await launch(join(links, 'sigil-chain'), ['public-key', '--key', 'cosign.key'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(readFileSync(join(dir, 'cosign.pub'), 'utf8'))
    // `exec node "$0"`: Node is given the link's path (and resolves it for the module itself).
    expect(scripts(r)).toEqual([join(links, 'sigil-chain')])
  })
})

describe('the V8 code cache made at build time', () => {
  /**
   * `compileBundle(cache).cachedDataRejected`, in a fresh `node` (no flags, as the launcher starts
   * it): V8 keeps every compiled source in a per-process compilation cache and then answers
   * later compiles of the same source from it without looking at the code cache, so only the
   * first compile of the bundle in a process says anything about a given buffer.
   */
  function verdictInFreshNode(cache: Buffer): Promise<string> {
    const file = join(dir, `cache-${++runs}.bin`)
    writeFileSync(file, cache)
    const code = `process.stdout.write(String(require(${JSON.stringify(LEAN_CJS)}).compileBundle(require('node:fs').readFileSync(${JSON.stringify(file)})).cachedDataRejected))`
    const env = baseEnv()
    delete env['NODE_OPTIONS']
    return new Promise((resolve, reject) => {
      const child = spawn('node', ['-e', code], {env, stdio: ['ignore', 'pipe', 'inherit']})
      let out = ''
      child.stdout.on('data', (d: Buffer) => (out += d.toString()))
      child.on('error', reject)
      child.on('close', () => resolve(out))
    })
  }
  const flipped = (cache: Buffer, offset: number): Buffer => {
    const copy = Buffer.from(cache)
    copy[offset]! ^= 0xff
    return copy
  }

  test('require(bin/lean.cjs).compileBundle(<dist cache>) is accepted by this Node (the first compile of the bundle here)', () => {
    const {compileBundle} = createRequire(import.meta.url)(LEAN_CJS) as {compileBundle(cachedData: Buffer | undefined): {cachedDataRejected?: boolean}}
    const cache = readFileSync(CACHE)
    expect(compileBundle(cache).cachedDataRejected).toBe(false)
    // control, in the same process: a copy with a broken magic number (checked before the compilation cache) is rejected
    expect(compileBundle(flipped(cache, 0)).cachedDataRejected).toBe(true)
  })

  test('a plain `node` accepts it too; controls: copies with another V8 version, source or flags hash, or cut short, are rejected', async () => {
    const cache = readFileSync(CACHE)
    expect(await verdictInFreshNode(cache)).toBe('false')
    // V8's header: magic number, version hash, source hash, flags hash (4 bytes each).
    for (const offset of [0, 4, 8, 12]) expect(await verdictInFreshNode(flipped(cache, offset)), `byte ${offset} flipped`).toBe('true')
    expect(await verdictInFreshNode(cache.subarray(0, cache.length >> 1)), 'truncated').toBe('true')
  })
})

describe('--version through the launcher', () => {
  test('equals `node BIN --version` and oclif\'s own answer (SIGIL_NO_LEAN=1), in one Node process', async () => {
    const viaLauncher = await launch(BIN, ['--version'])
    const viaNode = await launch(process.execPath, [BIN, '--version'])
    const oclif = await launch(BIN, ['--version'], {env: {SIGIL_NO_LEAN: '1'}})
    expect(viaLauncher.code).toBe(0)
    expect(viaLauncher.stdout).toMatch(/^@sigil\/cli\/\d+\.\d+\.\d+\S* \S+-\S+ node-v\d+/)
    expect(viaLauncher.stdout).toBe(viaNode.stdout)
    expect(viaLauncher.stdout).toBe(oclif.stdout)
    expect(viaLauncher.stderr).toBe('')
    // One Node process (bin/lean.cjs or bin/run.js, the launcher's choice), never oclif's restart.
    expect(viaLauncher.trace).toHaveLength(1)
    expect([LEAN_CJS, BIN]).toContain(viaLauncher.trace[0]!.script)
  })

  test('with NODE_EXTRA_CA_CERTS=/nonexistent: no warning through the launcher (deferred, never needed); `node BIN` warns', async () => {
    const env = {NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem'}
    const viaLauncher = await launch(BIN, ['--version'], {env})
    const viaNode = await launch(process.execPath, [BIN, '--version'], {env})
    expect(viaLauncher.code).toBe(0)
    expect(viaLauncher.stdout).toBe(viaNode.stdout)
    expect(viaLauncher.stderr).toBe('')
    expect(occurrences(viaNode.stderr, WARNING)).toBe(1)
    // Node started without the variable: the launcher had moved it aside.
    expect(viaLauncher.trace).toEqual([expect.objectContaining({extra: null, deferred: '/nonexistent/ca.pem'})])
    expect(viaNode.trace).toEqual([expect.objectContaining({script: BIN, extra: '/nonexistent/ca.pem', deferred: null})])
  })
})
