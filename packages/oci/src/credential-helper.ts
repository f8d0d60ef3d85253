/**
 * The docker credential-helper protocol (docker/docker-credential-helpers): run
 * `docker-credential-<name> get|store|erase`, server URL or JSON on stdin, JSON on stdout.
 * Secrets never appear in errors: a helper's stdout is only quoted when it is its error text.
 */
import type {RegistryCredential} from '@sigil/core'
import {ociError, sanitizeText} from './error.js'

/** The message helpers print (exit 1) when they hold nothing for a server. */
const NOT_FOUND_MESSAGE = 'credentials not found in native keychain'
/** Username helpers use when `Secret` is an identity (refresh) token. */
export const IDENTITY_TOKEN_USERNAME = '<token>'

/** Options of the helper functions. */
export interface CredentialHelperOptions {
  /** Environment for the helper (PATH decides which executable runs). Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv
  /** Kill the helper after this long. Default 60000 ms (helpers may unlock a keyring). */
  readonly timeoutMs?: number
}

interface HelperRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** `docker-credential-<name>` */
export function helperProgram(name: string): string {
  return `docker-credential-${name}`
}

function runHelper(name: string, action: 'get' | 'store' | 'erase', input: string, options: CredentialHelperOptions): Promise<HelperRun> {
  const program = helperProgram(name)
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    return Promise.reject(ociError('REGISTRY_AUTH_FAILED', `invalid credential helper name "${sanitizeText(name, 64)}" in the docker config`))
  }
  return new Promise((resolve, reject) => {
    // Loaded here, not at the top: node:child_process would slow every start-up, and most runs use no helper.
    const child = process.getBuiltinModule('node:child_process').spawn(program, [action], {env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    let settled = false
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      finish(() => reject(ociError('REGISTRY_AUTH_FAILED', `credential helper ${program} ${action} did not finish within ${options.timeoutMs ?? 60_000} ms`)))
    }, options.timeoutMs ?? 60_000)
    const finish = (fn: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      fn()
    }
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < 1024 * 1024) stdout += d.toString('utf8')
    })
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += d.toString('utf8')
    })
    child.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' ? 'not found on PATH' : err.code === 'EACCES' ? 'is not executable' : `could not be started (${err.code ?? err.message})`
      finish(() => reject(ociError('REGISTRY_AUTH_FAILED', `credential helper ${program} ${why}; install it or fix credHelpers/credsStore in the docker config`, {cause: err})))
    })
    child.on('close', (code) => finish(() => resolve({code, stdout, stderr})))
    // EPIPE when the helper exits without reading stdin is reported through 'close'.
    child.stdin.on('error', () => {})
    child.stdin.end(input)
  })
}

function helperFailure(name: string, action: string, run: HelperRun): never {
  // On failure helpers print their error message (never a secret) on stdout.
  const text = sanitizeText(run.stdout.trim() || run.stderr.trim() || `exit code ${run.code}`)
  throw ociError('REGISTRY_AUTH_FAILED', `credential helper ${helperProgram(name)} ${action} failed: ${text}`)
}

/**
 * `docker-credential-<name> get` for `serverUrl`. Undefined when the helper has no credentials
 * for it ("credentials not found" or empty ones); REGISTRY_AUTH_FAILED when the helper is
 * missing, fails or prints something that is not the protocol's JSON.
 */
export async function credentialHelperGet(
  name: string,
  serverUrl: string,
  options: CredentialHelperOptions = {},
): Promise<RegistryCredential | undefined> {
  const run = await runHelper(name, 'get', serverUrl, options)
  if (run.code !== 0) {
    if (run.stdout.trim() === NOT_FOUND_MESSAGE || /credentials not found/i.test(run.stdout + run.stderr)) return undefined
    helperFailure(name, 'get', run)
  }
  let json: unknown
  try {
    json = JSON.parse(run.stdout)
  } catch {
    // Do not quote the output: it may well contain the secret.
    throw ociError('REGISTRY_AUTH_FAILED', `credential helper ${helperProgram(name)} get printed invalid output (not the JSON {ServerURL, Username, Secret})`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw ociError('REGISTRY_AUTH_FAILED', `credential helper ${helperProgram(name)} get printed invalid output (not a JSON object)`)
  }
  const {Username: username, Secret: secret} = json as {Username?: unknown; Secret?: unknown}
  if ((username !== undefined && typeof username !== 'string') || (secret !== undefined && typeof secret !== 'string')) {
    throw ociError('REGISTRY_AUTH_FAILED', `credential helper ${helperProgram(name)} get printed invalid output (Username/Secret are not strings)`)
  }
  if (secret === undefined || secret === '') return undefined
  if (username === IDENTITY_TOKEN_USERNAME) return {kind: 'identity-token', token: secret}
  return {kind: 'basic', username: username ?? '', password: secret}
}

/** `docker-credential-<name> store`: save `{ServerURL, Username, Secret}`. */
export async function credentialHelperStore(
  name: string,
  entry: {readonly serverUrl: string; readonly username: string; readonly secret: string},
  options: CredentialHelperOptions = {},
): Promise<void> {
  const input = JSON.stringify({ServerURL: entry.serverUrl, Username: entry.username, Secret: entry.secret})
  const run = await runHelper(name, 'store', input, options)
  if (run.code !== 0) helperFailure(name, 'store', run)
}

/** `docker-credential-<name> erase`; true when something was erased, false when nothing was stored. */
export async function credentialHelperErase(name: string, serverUrl: string, options: CredentialHelperOptions = {}): Promise<boolean> {
  const run = await runHelper(name, 'erase', serverUrl, options)
  if (run.code === 0) return true
  if (/credentials not found/i.test(run.stdout + run.stderr)) return false
  helperFailure(name, 'erase', run)
}
