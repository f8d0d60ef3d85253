/**
 * A real OCI registry for tests: the CNCF distribution registry (Debian `docker-registry`),
 * started on 127.0.0.1 with storage in a temp dir and stopped (dir removed) afterwards.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {accessSync, constants} from 'node:fs'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {request as httpsRequest} from 'node:https'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {delimiter, join} from 'node:path'
import {bcryptHash} from './bcrypt.js'
import {startTokenServer, type StartTokenServerOptions, type TokenServer} from './token-server.js'

/** Options of {@link startRegistry}. */
export interface StartRegistryOptions {
  /** Require HTTP Basic auth (htpasswd, bcrypt) with this single user. Default: anonymous access. */
  readonly htpasswd?: {readonly username: string; readonly password: string}
  /**
   * Require Bearer tokens (`auth.token`) from a loopback token server started first (see
   * {@link startTokenServer}); its users and their per-repository rights come from here.
   * Stopped together with the registry. Not combinable with `htpasswd`.
   */
  readonly tokenAuth?: StartTokenServerOptions
  /** How long to wait for the registry to answer `GET /v2/`. Default 10000 ms. */
  readonly startTimeoutMs?: number
  /**
   * Serve HTTPS instead of plain HTTP (distribution's `http.tls`), with this PEM certificate
   * (or chain) and its PEM private key: the texts, not paths (they are written into the
   * registry's temp dir). The certificate must be valid for `127.0.0.1` (subjectAltName
   * `IP:127.0.0.1`): the start-up probe verifies it, trusting `cert` as its CA. `url` is then
   * `https://127.0.0.1:PORT`; clients apply plain HTTP to loopback hosts by default, so reach
   * it through an endpoint override or a mirrors file (`location` = `url`), and make them trust
   * the certificate.
   */
  readonly tls?: {readonly cert: string; readonly key: string}
  /** Allow manifest deletes (`storage.delete.enabled`). Default true; false answers deletes 405 UNSUPPORTED. */
  readonly deleteEnabled?: boolean
}

/** A running test registry. */
export interface TestRegistry {
  /** `127.0.0.1:PORT`: use as the registry host of references. */
  readonly host: string
  /** `http://127.0.0.1:PORT` (`https://` when started with `tls`) */
  readonly url: string
  /** Filesystem storage root (inside a temp dir removed by `stop`). */
  readonly storageDir: string
  /** The user required when started with `htpasswd`. */
  readonly htpasswd?: {readonly username: string; readonly password: string}
  /** The token server, when started with `tokenAuth`. */
  readonly tokenServer?: TokenServer
  /** Everything the registry logged so far (level info, includes its access log). */
  logs(): string
  /** Kill the registry and remove its temp dir. Safe to call twice. */
  stop(): Promise<void>
}

const BINARY = 'docker-registry'
const MAX_LOG_CHARS = 2 * 1024 * 1024
const PORT_ATTEMPTS = 5

/** Path of the registry binary: `$SIGIL_DOCKER_REGISTRY`, else `docker-registry` on PATH; undefined if absent. */
export function registryBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = env['SIGIL_DOCKER_REGISTRY']
    ? [env['SIGIL_DOCKER_REGISTRY']]
    : [...(env['PATH'] ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, BINARY)), `/usr/bin/${BINARY}`]
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK)
      return c
    } catch {
      // try the next one
    }
  }
  return undefined
}

/** True when the distribution registry binary (`docker-registry`) is installed. */
export function registryAvailable(): boolean {
  return registryBinary() !== undefined
}

/**
 * Guard for registry tests. Returns true when the registry binary is present; when it is
 * missing, throws under `CI=true` (such tests must fail, never skip, in CI) and otherwise
 * returns false so the caller can skip with a visible reason (see {@link REGISTRY_SKIP_REASON}).
 */
export function requireRegistry(): boolean {
  if (registryAvailable()) return true
  if (process.env['CI'] === 'true' || process.env['CI'] === '1') {
    throw new Error(
      `${BINARY} is not installed but CI=true: registry tests must run in CI. ` +
        `Install it with \`apt-get install -y ${BINARY}\` (or set SIGIL_DOCKER_REGISTRY to the binary).`,
    )
  }
  return false
}

/** Text for skipped suites when the registry binary is missing outside CI. */
export const REGISTRY_SKIP_REASON = `skipped: ${BINARY} not installed (apt-get install -y ${BINARY})`

/** A currently free loopback port (bound to port 0, then released). */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('could not get a free port')
  return address.port
}

function configYaml(opts: {port: number; storage: string; htpasswdPath?: string; token?: TokenServer; tls?: {certPath: string; keyPath: string}; deleteEnabled?: boolean}): string {
  // JSON strings are valid YAML scalars: paths with odd characters stay safe.
  const q = JSON.stringify
  return [
    'version: 0.1',
    'log:',
    '  level: info',
    '  formatter: text',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${q(opts.storage)}`,
    '  delete:',
    `    enabled: ${opts.deleteEnabled === false ? 'false' : 'true'}`,
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${q(`127.0.0.1:${opts.port}`)}`,
    `  secret: ${q(randomBytes(16).toString('hex'))}`,
    ...(opts.tls === undefined ? [] : ['  tls:', `    certificate: ${q(opts.tls.certPath)}`, `    key: ${q(opts.tls.keyPath)}`]),
    'health:',
    '  storagedriver:',
    '    enabled: false',
    ...(opts.htpasswdPath === undefined ? [] : ['auth:', '  htpasswd:', '    realm: sigil-test', `    path: ${q(opts.htpasswdPath)}`]),
    // All four token fields are required: the registry panics at start when one is missing.
    ...(opts.token === undefined
      ? []
      : [
          'auth:',
          '  token:',
          `    realm: ${q(opts.token.realm)}`,
          `    service: ${q(opts.token.service)}`,
          `    issuer: ${q(opts.token.issuer)}`,
          `    rootcertbundle: ${q(opts.token.certPath)}`,
        ]),
    '',
  ].join('\n')
}

/** The environment for the registry: ours minus `REGISTRY_*`, which distribution reads as config overrides. */
function registryEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')))
}

/**
 * Start a distribution registry on `127.0.0.1:<free port>` with filesystem storage in a fresh
 * temp dir, deletes enabled and info-level logs captured (see `logs()`). Resolves once
 * `GET /v2/` answers; rejects with the log after `startTimeoutMs` or if it exits early.
 * Always `stop()` it (e.g. in `afterAll`); it is also killed when the test process exits.
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const binary = registryBinary()
  if (binary === undefined) {
    throw new Error(`${BINARY} is not installed (apt-get install -y ${BINARY}, or set SIGIL_DOCKER_REGISTRY)`)
  }
  if (options.htpasswd !== undefined && options.tokenAuth !== undefined) throw new Error('startRegistry: htpasswd and tokenAuth are exclusive')
  const dir = await mkdtemp(join(tmpdir(), 'sigil-registry-'))
  // The token server first: its port goes into the registry's realm.
  let token: TokenServer | undefined
  try {
    if (options.tokenAuth !== undefined) token = await startTokenServer(options.tokenAuth)
    const storageDir = join(dir, 'storage')
    let htpasswdPath: string | undefined
    if (options.htpasswd !== undefined) {
      if (options.htpasswd.username.includes(':')) throw new Error('htpasswd username must not contain ":"')
      htpasswdPath = join(dir, 'htpasswd')
      await writeFile(htpasswdPath, `${options.htpasswd.username}:${bcryptHash(options.htpasswd.password, 5)}\n`)
    }
    let tls: {certPath: string; keyPath: string} | undefined
    if (options.tls !== undefined) {
      tls = {certPath: join(dir, 'tls-cert.pem'), keyPath: join(dir, 'tls-key.pem')}
      await writeFile(tls.certPath, options.tls.cert)
      await writeFile(tls.keyPath, options.tls.key, {mode: 0o600})
    }
    let lastError: Error | undefined
    for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      const port = await freePort()
      const configPath = join(dir, 'config.yml')
      await writeFile(configPath, configYaml({port, storage: storageDir, htpasswdPath, token, tls, deleteEnabled: options.deleteEnabled}))
      try {
        return await launch(binary, configPath, port, dir, storageDir, options, token)
      } catch (err) {
        lastError = err as Error
        // Someone took the port between our probe and the registry's bind: try another one.
        if (!/address already in use/i.test(lastError.message)) break
      }
    }
    throw lastError ?? new Error('registry did not start')
  } catch (err) {
    await token?.stop()
    await rm(dir, {recursive: true, force: true})
    throw err
  }
}

/** Status of `GET url` (1 s timeout); over HTTPS trusting only `ca` (host name checked as usual). */
async function probe(url: string, ca: string | undefined): Promise<number> {
  if (ca === undefined) {
    const res = await fetch(url, {signal: AbortSignal.timeout(1000)})
    await res.body?.cancel()
    return res.status
  }
  return new Promise<number>((resolve, reject) => {
    const req = httpsRequest(url, {ca, agent: false, timeout: 1000}, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end()
  })
}

async function launch(
  binary: string,
  configPath: string,
  port: number,
  dir: string,
  storageDir: string,
  options: StartRegistryOptions,
  token: TokenServer | undefined,
): Promise<TestRegistry> {
  let log = ''
  const append = (chunk: Buffer): void => {
    log += chunk.toString('utf8')
    if (log.length > MAX_LOG_CHARS) log = log.slice(log.length - MAX_LOG_CHARS)
  }
  const child: ChildProcess = spawn(binary, ['serve', configPath], {stdio: ['ignore', 'pipe', 'pipe'], env: registryEnv()})
  child.stdout?.on('data', append)
  child.stderr?.on('data', append)
  let exited: {code: number | null; signal: NodeJS.Signals | null} | undefined
  let spawnError: Error | undefined
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = {code, signal}
      resolve()
    })
    child.once('error', (err) => {
      spawnError = err
      exited ??= {code: null, signal: null}
      resolve()
    })
  })
  const killOnExit = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', killOnExit)

  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    process.removeListener('exit', killOnExit)
    if (exited === undefined) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exitPromise
      clearTimeout(timer)
    }
    await token?.stop()
    await rm(dir, {recursive: true, force: true})
  }

  const url = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`
  let probeError: Error | undefined
  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000)
  for (;;) {
    if (exited !== undefined) {
      process.removeListener('exit', killOnExit)
      const why = spawnError ? `could not be started (${spawnError.message})` : `exited with ${exited.signal ?? `code ${exited.code}`}`
      throw new Error(`${binary} ${why} before answering on ${url}. Log:\n${log}`)
    }
    try {
      const status = await probe(`${url}/v2/`, options.tls?.cert)
      if (status === 200 || status === 401) break
    } catch (err) {
      // not listening yet (or, with tls, a certificate the probe does not accept: reported on timeout)
      probeError = err as Error
    }
    if (Date.now() > deadline) {
      await stop()
      const why = probeError === undefined ? '' : ` (last error: ${probeError.message})`
      throw new Error(`${binary} did not answer GET ${url}/v2/ within ${options.startTimeoutMs ?? 10_000} ms${why}. Log:\n${log}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    storageDir,
    ...(options.htpasswd === undefined ? {} : {htpasswd: {...options.htpasswd}}),
    ...(token === undefined ? {} : {tokenServer: token}),
    logs: () => log,
    stop,
  }
}
