/**
 * The real cosign (Debian trixie's 2.5.0, fetched by scripts/fetch-cosign.sh) as a test peer.
 *
 * Every run is offline: a throw-away HOME and TUF_ROOT, and HTTPS_PROXY/HTTP_PROXY pointing at a
 * dead loopback port, so anything that tries to reach a public service (Rekor, Fulcio, the TUF
 * mirror) fails at once, while loopback registries are reached directly (Go never proxies
 * loopback). Callers still pass cosign's own offline flags, e.g. `sign --tlog-upload=false --yes
 * --allow-http-registry` and `verify --insecure-ignore-tlog=true --offline=true --allow-http-registry`.
 */
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/** A dead loopback proxy: connections are refused at once. */
export const DEAD_PROXY = 'http://127.0.0.1:9'

/** The monorepo root: the nearest directory above this module holding pnpm-workspace.yaml. */
function findRepoRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/**
 * Path of the cosign binary: `$SIGIL_COSIGN` if set (and present), else
 * `<repo>/.cache/cosign/usr/bin/cosign` when it exists; undefined otherwise.
 */
export function findCosign(): string | undefined {
  const fromEnv = process.env.SIGIL_COSIGN
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined
  const root = findRepoRoot()
  if (root === undefined) return undefined
  const cached = join(root, '.cache', 'cosign', 'usr', 'bin', 'cosign')
  return existsSync(cached) ? cached : undefined
}

/**
 * Like findCosign(), but under CI=true a missing cosign is an error (tests must fail, never skip
 * silently, in CI). Outside CI it returns undefined so callers can skip visibly:
 * `describe.skipIf(!requireCosign())(…)`.
 */
export function requireCosign(): string | undefined {
  const path = findCosign()
  if (path === undefined && process.env.CI === 'true') {
    const hint = process.env.SIGIL_COSIGN
      ? `SIGIL_COSIGN=${process.env.SIGIL_COSIGN} does not exist`
      : 'run scripts/fetch-cosign.sh (or scripts/setup.sh), or set SIGIL_COSIGN'
    throw new Error(`cosign is required under CI=true but was not found: ${hint}`)
  }
  return path
}

export interface RunCosignOptions {
  /** Extra environment (e.g. COSIGN_PASSWORD, DOCKER_CONFIG). HOME, TUF_ROOT and the proxy
   *  variables are always overridden to keep cosign offline. */
  env?: Record<string, string | undefined>
  /** Written to cosign's stdin, which is then closed. Without it stdin is closed at once. */
  input?: string | Uint8Array
  cwd?: string
  /** Kill cosign after this many ms (default 60000). */
  timeoutMs?: number
  /** Binary to run; default findCosign(). */
  cosign?: string
}

export interface CosignResult {
  /** Exit code; null when cosign was killed by a signal (see `signal`). */
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Run cosign offline and collect its output. Throws only if cosign is missing or cannot start. */
export async function runCosign(args: string[], opts: RunCosignOptions = {}): Promise<CosignResult> {
  const bin = opts.cosign ?? findCosign()
  if (bin === undefined) {
    throw new Error('cosign not found: run scripts/fetch-cosign.sh or set SIGIL_COSIGN')
  }
  const home = await mkdtemp(join(tmpdir(), 'sigil-cosign-'))
  try {
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries({...process.env, ...opts.env})) {
      if (v !== undefined) env[k] = v
    }
    for (const k of ['NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']) delete env[k]
    Object.assign(env, {
      HOME: home,
      TUF_ROOT: join(home, 'tuf'),
      HTTPS_PROXY: DEAD_PROXY,
      HTTP_PROXY: DEAD_PROXY,
      https_proxy: DEAD_PROXY,
      http_proxy: DEAD_PROXY,
    })
    return await new Promise<CosignResult>((resolve, reject) => {
      const child = spawn(bin, args, {cwd: opts.cwd, env, stdio: ['pipe', 'pipe', 'pipe']})
      const out: Buffer[] = []
      const err: Buffer[] = []
      child.stdout.on('data', (b: Buffer) => out.push(b))
      child.stderr.on('data', (b: Buffer) => err.push(b))
      child.stdin.on('error', () => {}) // cosign may exit before reading its input
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000)
      child.on('error', (e) => {
        clearTimeout(timer)
        reject(e)
      })
      child.on('close', (code, signal) => {
        clearTimeout(timer)
        resolve({
          code,
          signal,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        })
      })
      child.stdin.end(opts.input)
    })
  } finally {
    await rm(home, {recursive: true, force: true})
  }
}
