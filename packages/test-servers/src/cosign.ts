/**
 * The real cosign as a test peer, in two majors: 2.5.0 (Debian trixie) and 3.1.1 (Debian forky,
 * else sid), both fetched by scripts/fetch-cosign.sh (`fetch-cosign.sh 3` for cosign 3).
 *
 * Every run is offline: a throw-away HOME and TUF_ROOT, and HTTPS_PROXY/HTTP_PROXY pointing at a
 * dead loopback port, so anything that tries to reach a public service (Rekor, Fulcio, the TUF
 * mirror) fails at once, while loopback registries are reached directly (Go never proxies
 * loopback). Callers still pass cosign's own offline flags:
 *   - cosign 2: `sign --tlog-upload=false --yes --allow-http-registry` and
 *     `verify --insecure-ignore-tlog=true --offline=true --allow-http-registry`;
 *   - cosign 3: `sign`/`attest`/`sign-blob` refuse `--tlog-upload=false`; pass
 *     `--signing-config FILE` with a config naming no services ({@link cosign3SigningConfig}) and
 *     `--yes --allow-http-registry` ({@link cosign3SignArgs}); `verify --key` needs
 *     `--insecure-ignore-tlog=true --allow-http-registry` ({@link COSIGN3_VERIFY_KEY_ARGS}).
 *     cosign 3 sign still tries to fetch a TUF trusted root first; the dead proxy makes that fail
 *     at once and it carries on (a WARNING on stderr), never reaching a public host.
 */
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
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

/** `$VAR` if set (and present), else `<repo>/.cache/<cacheDir>/<inCache>` when it exists. */
function findBinary(envVar: string, cacheDir: string, inCache = 'usr/bin/cosign'): string | undefined {
  const fromEnv = process.env[envVar]
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined
  const root = findRepoRoot()
  if (root === undefined) return undefined
  const cached = join(root, '.cache', cacheDir, ...inCache.split('/'))
  return existsSync(cached) ? cached : undefined
}

function requireBinary(found: string | undefined, what: string, envVar: string, fetch: string): string | undefined {
  if (found === undefined && process.env.CI === 'true') {
    const hint = process.env[envVar]
      ? `${envVar}=${process.env[envVar]} does not exist`
      : `run ${fetch} (or scripts/setup.sh), or set ${envVar}`
    throw new Error(`${what} is required under CI=true but was not found: ${hint}`)
  }
  return found
}

/**
 * Path of the cosign 2 binary: `$SIGIL_COSIGN` if set (and present), else
 * `<repo>/.cache/cosign/usr/bin/cosign` when it exists; undefined otherwise.
 */
export function findCosign(): string | undefined {
  return findBinary('SIGIL_COSIGN', 'cosign')
}

/**
 * Like findCosign(), but under CI=true a missing cosign is an error (tests must fail, never skip
 * silently, in CI). Outside CI it returns undefined so callers can skip visibly:
 * `describe.skipIf(!requireCosign())(…)`.
 */
export function requireCosign(): string | undefined {
  return requireBinary(findCosign(), 'cosign', 'SIGIL_COSIGN', 'scripts/fetch-cosign.sh')
}

/**
 * Path of the cosign 3 binary: `$SIGIL_COSIGN3` if set (and present), else
 * `<repo>/.cache/cosign3/usr/bin/cosign` when it exists; undefined otherwise. Run it with
 * `runCosign(args, {cosign: path})`.
 */
export function findCosign3(): string | undefined {
  return findBinary('SIGIL_COSIGN3', 'cosign3')
}

/** Like {@link requireCosign}, for cosign 3: under CI=true a missing cosign 3 throws. */
export function requireCosign3(): string | undefined {
  return requireBinary(findCosign3(), 'cosign 3', 'SIGIL_COSIGN3', 'scripts/fetch-cosign.sh 3')
}

/**
 * A skopeo that checks sigstore signatures (policy type `sigstoreSigned`): `$SIGIL_SKOPEO_SIGSTORE`
 * if set (and present), else `<repo>/.cache/skopeo/skopeo` (trixie's skopeo 1.18 behind a wrapper,
 * from `scripts/fetch-cosign.sh skopeo`). Debian 12's own /usr/bin/skopeo has sigstore compiled
 * out, so it is never used for this. Under CI=true a missing one throws.
 */
export function requireSkopeoSigstore(): string | undefined {
  return requireBinary(findBinary('SIGIL_SKOPEO_SIGSTORE', 'skopeo', 'skopeo'), 'skopeo with sigstore support', 'SIGIL_SKOPEO_SIGSTORE', 'scripts/fetch-cosign.sh skopeo')
}

/**
 * A sigstore signing config that names no services (no Fulcio, Rekor, OIDC or TSA): what
 * `cosign signing-config create` writes with no flags. cosign 3 signs with a key, without a
 * transparency log, only when given such a file (`--signing-config FILE`).
 */
export const COSIGN3_NO_SERVICES_SIGNING_CONFIG = {
  mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
  rekorTlogConfig: {},
  tsaConfig: {},
} as const

/**
 * Write {@link COSIGN3_NO_SERVICES_SIGNING_CONFIG} to `<dir>/signing-config-no-services.json`
 * (creating `dir`) and return the file's path.
 */
export async function cosign3SigningConfig(dir: string): Promise<string> {
  await mkdir(dir, {recursive: true})
  const path = join(dir, 'signing-config-no-services.json')
  await writeFile(path, JSON.stringify(COSIGN3_NO_SERVICES_SIGNING_CONFIG))
  return path
}

/**
 * cosign 3's offline flags for `sign`, `attest` (and, minus the registry flag, `sign-blob`,
 * which also needs `--bundle FILE`): `--signing-config FILE --yes --allow-http-registry`.
 */
export function cosign3SignArgs(signingConfigPath: string): string[] {
  return ['--signing-config', signingConfigPath, '--yes', '--allow-http-registry']
}

/**
 * cosign 3's offline flags for `verify --key` / `verify-attestation --key`: no transparency
 * log (then no TUF root is fetched either). `--offline` is deprecated in cosign 3 and not needed.
 */
export const COSIGN3_VERIFY_KEY_ARGS: readonly string[] = ['--insecure-ignore-tlog=true', '--allow-http-registry']

export interface RunCosignOptions {
  /** Extra environment (e.g. COSIGN_PASSWORD, DOCKER_CONFIG). HOME, TUF_ROOT and the proxy
   *  variables are always overridden to keep cosign offline. */
  env?: Record<string, string | undefined>
  /** Written to cosign's stdin, which is then closed. Without it stdin is closed at once. */
  input?: string | Uint8Array
  cwd?: string
  /** Kill cosign after this many ms (default 60000). */
  timeoutMs?: number
  /** Binary to run; default findCosign() (cosign 2). Pass findCosign3() for cosign 3. */
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
