/**
 * The `sigil` executable (bin/run.js) through the real file, executed directly as a shell runs
 * `sigil` (`spawn(BIN, args)`), against real registries on 127.0.0.1: an HTTPS registry trusted
 * through NODE_EXTRA_CA_CERTS, symlinked installs, and the V8 code cache made at build time.
 *
 * Which Node processes ran is recorded by a preload (`NODE_OPTIONS=--require trace.cjs`,
 * inherited by every `node` started): one JSON line per process with its main script and
 * NODE_EXTRA_CA_CERTS as they were when Node started.
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
import {admission} from '../src/messages/admission.js'
import {clean} from '../src/messages/clean.js'
import {copy as copyText} from '../src/messages/copy.js'
import {gitSetup} from '../src/messages/git-setup.js'
import {manifest} from '../src/messages/manifest.js'
import {signBlob} from '../src/messages/sign-blob.js'
import {tree} from '../src/messages/tree.js'

const CLI_ROOT = fileURLToPath(new URL('..', import.meta.url))
const BUNDLE = join(CLI_ROOT, 'dist', 'sigil.bundle.cjs')
const CACHE = `${BUNDLE}.cache`
const PASSWORD = 'launcher test password'
/** A registry name no adapter plugin claims; the mirrors file sends it to the HTTPS registry. */
const SECURE = 'secure.sigil.test'

interface TraceEntry {
  pid: number
  /** process.argv[1]: the main script Node ran. */
  script: string
  extra: string | null
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
    'NODE_EXTRA_CA_CERTS', 'SIGIL_VIA_OCLIF', 'NODE_OPTIONS', 'SIGIL_PASSWORD',
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

const noStack = /\n\s+at /


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
      `script: process.argv[1], extra: process.env.NODE_EXTRA_CA_CERTS ?? null}) + '\\n')\n`,
  )
  const keys = await launch(BIN, ['generate-key-pair'])
  expect(keys.code, keys.stderr).toBe(0)
  if (!registryAvailable) return
  registry = await startRegistry()
  const pushed = await pushRandomImage(new RegistryClient({credentials: async () => undefined}), {registry: registry.host, repository: 'launcher/app'}, 'v1')
  digest = pushed.digest
  ref = `${registry.host}/launcher/app:v1`
  // Signed once up front (through oclif, not the launcher under test), so every verify below has a signature to find.
  const signed = await launch(process.execPath, [BIN, 'sign', '--key', 'cosign.key', ref], {env: {SIGIL_VIA_OCLIF: '1'}})
  expect(signed.code, signed.stderr).toBe(0)
})
afterAll(async () => {
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
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

  test('sign and verify succeed with NODE_EXTRA_CA_CERTS naming the CA, in one Node process', async () => {
    const env = {NODE_EXTRA_CA_CERTS: cert.certPath, SIGIL_REGISTRIES_CONFIG: mirrors}
    const s = await launch(BIN, ['sign', '--key', 'cosign.key', secureRef], {env})
    expect(s.code, s.stderr).toBe(0)
    expect(s.trace).toEqual([expect.objectContaining({script: BIN, extra: cert.certPath})])
    // The signature really went to the HTTPS registry.
    expect(tlsRegistry.logs()).toMatch(/PUT \/v2\/launcher\/secure\/manifests\/sha256-[0-9a-f]{64}\.sig/)

    const v = await launch(BIN, ['verify', '--key', 'cosign.pub', secureRef], {env})
    expect(v.code, v.stderr).toBe(0)
    expect(v.stdout).toContain(secureDigest)
    expect(v.stdout).toContain(`"docker-reference":"${SECURE}/launcher/secure"`)
    expect(v.trace).toHaveLength(1)
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
      // Reported exactly as through oclif.
      const oclif = await launch(process.execPath, [BIN, ...args], {env: {...env, SIGIL_VIA_OCLIF: '1'}})
      expect(oclif.code).toBe(r.code)
      expect(oclif.stderr).toBe(r.stderr)
    }
  })
})

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
  ])('%s: verify gives the exit code and stdout of BIN itself, in one Node process', async (_name, link) => {
    const r = await launch(join(links, link), ['verify', '--key', 'cosign.pub', ref])
    expect(r.code, r.stderr).toBe(expected.code)
    expect(r.stdout).toBe(expected.stdout)
    expect(r.trace).toHaveLength(1)
  })

  test('found on PATH and run by a relative name from its own directory', async () => {
    const byPath = await launch('sigil', ['verify', '--key', 'cosign.pub', ref], {env: {PATH: `${join(links, 'path-dir')}:${process.env.PATH}`}})
    expect(byPath.code, byPath.stderr).toBe(0)
    expect(byPath.stdout).toBe(expected.stdout)
    expect(byPath.trace).toHaveLength(1)
    const relativeName = await launch('./sigil-chain', ['verify', '--key', join(dir, 'cosign.pub'), ref], {cwd: links})
    expect(relativeName.code, relativeName.stderr).toBe(0)
    expect(relativeName.stdout).toBe(expected.stdout)
    expect(relativeName.trace).toHaveLength(1)
  })

  test('another command through a link works the same', async () => {
    const r = await launch(join(links, 'sigil-chain'), ['public-key', '--key', 'cosign.key'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(readFileSync(join(dir, 'cosign.pub'), 'utf8'))
    expect(r.trace).toHaveLength(1)
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
    const code = `process.stdout.write(String(require(${JSON.stringify(BIN)}).compileBundle(require('node:fs').readFileSync(${JSON.stringify(file)})).cachedDataRejected))`
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

  test('require(bin/run.js).compileBundle(<dist cache>) is accepted by this Node (the first compile of the bundle here)', () => {
    const {compileBundle} = createRequire(import.meta.url)(BIN) as {compileBundle(cachedData: Buffer | undefined): {cachedDataRejected?: boolean}}
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

describe('the split bundle', () => {
  /** The bundle files a `sigil ARGS` run reads, as SIGIL_DEBUG_CODE_CACHE reports them. */
  function filesRead(args: string[]): Promise<string[]> {
    const env = {...baseEnv(), SIGIL_DEBUG_CODE_CACHE: '1'}
    return new Promise((resolve, reject) => {
      const child = spawn('node', [BIN, ...args], {env, stdio: ['ignore', 'ignore', 'pipe']})
      let err = ''
      child.stderr.on('data', (d: Buffer) => (err += d.toString()))
      child.on('error', reject)
      child.on('close', () => resolve(err.split('\n').filter((l) => l.startsWith('code cache '))))
    })
  }

  test('every file a run reads comes from its accepted code cache; verify reads none of the rarer commands\' code', async () => {
    const verify = await filesRead(['verify', '--key', 'nope.pub', '127.0.0.1:9/x/y:v1'])
    expect(verify.length).toBeGreaterThan(1)
    for (const line of verify) expect(line).toMatch(/^code cache accepted: dist\/(sigil\.bundle\.cjs|chunks\/.+\.cjs)$/)
    expect(verify.join('\n')).not.toMatch(/admission|copy|save|load|attest|blob|weierstrass|ssh|git|clean|download|encrypted-key|nist|secp256k1|noble/)
    // Nor other commands' help text, nor the encrypted-key codec (private keys only).
    const read = verify.map((l) => readFileSync(join(CLI_ROOT, l.replace(/^code cache accepted: /, '')), 'latin1')).join('\n')
    expect(read).toContain('Verify the signatures of container images against a public key')
    for (const text of [admission.serve.summary, admission.check.summary, admission.certs.summary, copyText.summary, gitSetup.summary, signBlob.summary, clean.summary, tree.summary, manifest.verify.summary]) {
      expect(read).not.toContain(text)
    }
    expect(read).not.toMatch(/ENCRYPTED SIGSTORE PRIVATE KEY|xsalsa20poly1305/)
    // A rarer command reads its own chunk, also from its cache.
    const copy = await filesRead(['copy', '--help'])
    expect(copy.some((l) => /chunks\/copy-/.test(l))).toBe(true)
    for (const line of copy) expect(line).toMatch(/^code cache accepted: /)
  })
})

describe.skipIf(!registryAvailable)('what a verify loads', () => {
  test('a file-key verify loads neither node:fs/promises nor node:module (only rarer commands and cloud SDKs use them)', async () => {
    const loadList = join(dir, 'module-load-list.txt')
    const preload = join(dir, 'load-list.cjs')
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loadList)}, process.moduleLoadList.join('\\n')))\n`)
    const r = await launch(BIN, ['verify', '--key', 'cosign.pub', ref], {env: {NODE_OPTIONS: `--require ${preload}`}})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(digest)
    const loaded = readFileSync(loadList, 'utf8').split('\n')
    // control: the list is the real one (the registry was reached over node:http)
    expect(loaded).toContain('NativeModule http')
    expect(loaded).not.toContain('NativeModule fs/promises')
    expect(loaded).not.toContain('NativeModule module')
  })
})

describe('--version', () => {
  test('equals `node BIN --version` and oclif\'s own answer (SIGIL_VIA_OCLIF=1), in one Node process', async () => {
    const viaLauncher = await launch(BIN, ['--version'])
    const viaNode = await launch(process.execPath, [BIN, '--version'])
    const oclif = await launch(BIN, ['--version'], {env: {SIGIL_VIA_OCLIF: '1'}})
    expect(viaLauncher.code).toBe(0)
    expect(viaLauncher.stdout).toMatch(/^@sigil\/cli\/\d+\.\d+\.\d+\S* \S+-\S+ node-v\d+/)
    expect(viaLauncher.stdout).toBe(viaNode.stdout)
    expect(viaLauncher.stdout).toBe(oclif.stdout)
    expect(viaLauncher.stderr).toBe('')
    expect(viaLauncher.trace).toEqual([expect.objectContaining({script: BIN})])
  })
})
