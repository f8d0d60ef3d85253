/**
 * Credentials from the docker CLI config, resolved the way go-containerregistry's default
 * keychain (and the docker CLI under it) does (cosign-compat §8.1): for each key (the full
 * repository, then the host), `credHelpers[key]` → `docker-credential-<name> get`, else
 * `credsStore` → the same protocol, else `auths[key]`. A helper that applies to a key is
 * authoritative for it, as in docker: "not found" there means no credentials for that key.
 */
import {readFileSync, statSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {DOCKER_HUB_CONFIG_KEY, DOCKER_HUB_HOSTS, DOCKER_HUB_REGISTRY} from '@sigil/core'
import type {RegistryCredential} from '@sigil/core'
import {credentialHelperGet, helperProgram} from './credential-helper.js'
import {ociError} from './error.js'

/** Looks up the credential for a repository on a registry host; undefined = anonymous. */
export type CredentialsFunction = (host: string, repository: string) => Promise<RegistryCredential | undefined>


interface AuthEntry {
  auth?: unknown
  username?: unknown
  password?: unknown
  identitytoken?: unknown
  registrytoken?: unknown
}

// Config files are looked up and read synchronously: a few small files, once per registry and
// client, before its first request; the async API's thread-pool round trips (and loading
// node:fs/promises) would cost a command's start-up more than the reads themselves.
function isFile(path: string): boolean {
  try {
    return statSync(path, {throwIfNoEntry: false})?.isFile() ?? false
  } catch {
    return false
  }
}

/** The docker CLI config file: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json` (it may not exist). */
export function dockerConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return env['DOCKER_CONFIG'] ? join(env['DOCKER_CONFIG'], 'config.json') : join(env['HOME'] || homedir(), '.docker', 'config.json')
}

/**
 * Which file holds the auths, in ggcr's order: the docker config (`$DOCKER_CONFIG/config.json`,
 * else `~/.docker/config.json`) if either exists; else `$REGISTRY_AUTH_FILE`; else
 * `$XDG_RUNTIME_DIR/containers/auth.json`; else `$XDG_CONFIG_HOME/containers/auth.json`
 * (default `~/.config`). Undefined when none exists.
 */
export async function findAuthFile(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const home = env['HOME'] || homedir()
  const dockerHome = join(home, '.docker', 'config.json')
  const dockerEnv = env['DOCKER_CONFIG'] ? join(env['DOCKER_CONFIG'], 'config.json') : undefined
  if (isFile(dockerHome) || (dockerEnv !== undefined && isFile(dockerEnv))) {
    return dockerEnv ?? dockerHome
  }
  const candidates = [
    env['REGISTRY_AUTH_FILE'],
    env['XDG_RUNTIME_DIR'] ? join(env['XDG_RUNTIME_DIR'], 'containers', 'auth.json') : undefined,
    join(env['XDG_CONFIG_HOME'] || join(home, '.config'), 'containers', 'auth.json'),
  ]
  for (const c of candidates) if (c && isFile(c)) return c
  return undefined
}

/** docker/cli `ConvertToHostname`: strip `http(s)://` and everything from the first `/`. */
function convertToHostname(key: string): string {
  const stripped = key.replace(/^https?:\/\//, '')
  const slash = stripped.indexOf('/')
  return slash === -1 ? stripped : stripped.slice(0, slash)
}

function entryToCredential(entry: AuthEntry, key: string, file: string): RegistryCredential | undefined {
  let username = typeof entry.username === 'string' ? entry.username : ''
  let password = typeof entry.password === 'string' ? entry.password : ''
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon === -1) {
      throw ociError('REGISTRY_AUTH_FAILED', `invalid "auth" value for "${key}" in ${file}: expected base64 of user:password`)
    }
    username = decoded.slice(0, colon)
    password = decoded.slice(colon + 1)
  }
  if (typeof entry.registrytoken === 'string' && entry.registrytoken !== '') {
    return {kind: 'bearer', token: entry.registrytoken}
  }
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') {
    return username === '' ? {kind: 'identity-token', token: entry.identitytoken} : {kind: 'identity-token', username, token: entry.identitytoken}
  }
  if (username !== '' && password !== '') return {kind: 'basic', username, password}
  return undefined
}

/**
 * docker/cli file store `Get`: exact key, else a key whose hostname form equals it. Unlike
 * docker (random Go map order) repository-scoped keys (`host/org/img`) never stand in for the
 * host: only `host` and URL forms (`https://host/v1/`) do.
 */
function lookup(auths: Record<string, AuthEntry>, key: string): [string, AuthEntry] | undefined {
  if (Object.hasOwn(auths, key)) return [key, auths[key]!]
  for (const [k, v] of Object.entries(auths)) {
    if (convertToHostname(k) === key && (/^https?:\/\//.test(k) || !k.includes('/'))) return [k, v]
  }
  return undefined
}

/** Where a credential came from, for `--verbose` (never the secret). */
export interface CredentialSource {
  readonly host: string
  readonly repository: string
  /** `credHelpers` / `credsStore` (a helper ran), `auths` (the file), `none` (anonymous). */
  readonly kind: 'credHelpers' | 'credsStore' | 'auths' | 'none'
  /** The config file consulted, when there is one. */
  readonly file?: string
  /** The key that matched (`ghcr.io`, `https://index.docker.io/v1/`). */
  readonly key?: string
  /** The helper program run (`docker-credential-pass`). */
  readonly helper?: string
  /** One line for people: `credHelpers (docker-credential-pass) in /home/u/.docker/config.json`. */
  readonly description: string
}

/** Options of {@link dockerConfigCredentials}. */
export interface DockerConfigCredentialsOptions {
  /** Called once per host+repository lookup with where the answer came from. */
  readonly onResolved?: (source: CredentialSource) => void
  /** Kill a credential helper after this long. Default 60000 ms. */
  readonly helperTimeoutMs?: number
}

interface LoadedConfig {
  readonly file: string
  readonly auths: Record<string, AuthEntry>
  readonly credHelpers: Record<string, string>
  readonly credsStore?: string
}

/** The helper docker would use for `key`: `credHelpers[key]` (Docker Hub: also its host names), else `credsStore`. */
function helperFor(config: LoadedConfig, key: string): {kind: 'credHelpers' | 'credsStore'; name: string} | undefined {
  const aliases = key === DOCKER_HUB_CONFIG_KEY ? [key, ...DOCKER_HUB_HOSTS] : [key]
  for (const k of aliases) {
    const name = config.credHelpers[k]
    if (name !== undefined && name !== '') return {kind: 'credHelpers', name}
  }
  if (config.credsStore !== undefined && config.credsStore !== '') return {kind: 'credsStore', name: config.credsStore}
  return undefined
}

/** Read and check a docker-style config file; undefined when it does not exist. */
export async function readDockerConfig(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (cause) {
    if ((cause as {code?: unknown}).code === 'ENOENT') return undefined
    throw ociError('REGISTRY_AUTH_FAILED', `cannot read registry credentials from ${file}`, {cause})
  }
  if (text.trim() === '') return {}
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw ociError('REGISTRY_AUTH_FAILED', `cannot parse registry credentials file ${file}: not valid JSON`, {cause})
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw ociError('REGISTRY_AUTH_FAILED', `invalid registry credentials file ${file}: not a JSON object`)
  }
  const obj = json as Record<string, unknown>
  for (const field of ['auths', 'credHelpers'] as const) {
    const v = obj[field]
    if (v !== undefined && v !== null && (typeof v !== 'object' || Array.isArray(v))) {
      throw ociError('REGISTRY_AUTH_FAILED', `invalid registry credentials file ${file}: "${field}" is not an object`)
    }
  }
  if (obj['credsStore'] !== undefined && typeof obj['credsStore'] !== 'string') {
    throw ociError('REGISTRY_AUTH_FAILED', `invalid registry credentials file ${file}: "credsStore" is not a string`)
  }
  return obj
}

/**
 * A {@link CredentialsFunction} backed by the docker config (also podman's auth.json, see
 * {@link findAuthFile}). For each key — the full repository (`ghcr.io/org/img`), then the host
 * (`ghcr.io`; Docker Hub: `https://index.docker.io/v1/`) — the first source that applies wins:
 * 1. `credHelpers[key]`: run `docker-credential-<name> get` (Username `<token>` = identity token);
 * 2. `credsStore`: the same protocol with that helper;
 * 3. `auths[key]` (also `https://host/v1/`-style keys by hostname, like docker): `auth`
 *    (base64 `user:pass`), `username`/`password`, `identitytoken` or `registrytoken`.
 * A helper's "credentials not found" means none for that key. The file is read once and each
 * helper answer is cached for the life of the function (one run). Failures (malformed file,
 * missing or broken helper) reject with REGISTRY_AUTH_FAILED naming the file or helper, never a secret.
 * @param env environment to resolve paths from and run helpers with; default `process.env`.
 */
export function dockerConfigCredentials(env: NodeJS.ProcessEnv = process.env, options: DockerConfigCredentialsOptions = {}): CredentialsFunction {
  let loaded: Promise<LoadedConfig | undefined> | undefined
  const helperCache = new Map<string, Promise<RegistryCredential | undefined>>()
  const load = async (): Promise<LoadedConfig | undefined> => {
    const file = await findAuthFile(env)
    if (file === undefined) return undefined
    const obj = await readDockerConfig(file)
    if (obj === undefined) return undefined
    const helpers = (obj['credHelpers'] ?? {}) as Record<string, unknown>
    return {
      file,
      auths: (obj['auths'] ?? {}) as Record<string, AuthEntry>,
      credHelpers: Object.fromEntries(Object.entries(helpers).filter((e): e is [string, string] => typeof e[1] === 'string')),
      ...(typeof obj['credsStore'] === 'string' ? {credsStore: obj['credsStore']} : {}),
    }
  }
  const runGet = (name: string, key: string): Promise<RegistryCredential | undefined> => {
    const cacheKey = `${name}\n${key}`
    let p = helperCache.get(cacheKey)
    if (p === undefined) {
      p = credentialHelperGet(name, key, {env, timeoutMs: options.helperTimeoutMs})
      helperCache.set(cacheKey, p)
    }
    return p
  }
  const resolve = async (host: string, repository: string): Promise<{cred?: RegistryCredential; source: CredentialSource}> => {
    loaded ??= load()
    const config = await loaded
    if (config === undefined) return {source: {host, repository, kind: 'none', description: 'no docker config or auth file: anonymous'}}
    // ggcr's keychain: only `index.docker.io` reads the Docker Hub key; `registry-1.docker.io`, kept
    // as typed in a reference, is looked up under its own name (unlike `dockerConfigKey`, which is
    // where `docker login` writes).
    const hostKey = host === DOCKER_HUB_REGISTRY ? DOCKER_HUB_CONFIG_KEY : host
    for (const key of [`${host}/${repository}`, hostKey]) {
      const helper = helperFor(config, key)
      if (helper !== undefined) {
        const cred = await runGet(helper.name, key)
        if (cred !== undefined) {
          const program = helperProgram(helper.name)
          return {
            cred,
            source: {host, repository, kind: helper.kind, file: config.file, key, helper: program, description: `${helper.kind} (${program}) in ${config.file}`},
          }
        }
        continue
      }
      const hit = lookup(config.auths, key)
      if (hit === undefined || typeof hit[1] !== 'object' || hit[1] === null) continue
      const cred = entryToCredential(hit[1], hit[0], config.file)
      if (cred !== undefined) {
        return {cred, source: {host, repository, kind: 'auths', file: config.file, key: hit[0], description: `auths["${hit[0]}"] in ${config.file}`}}
      }
    }
    return {source: {host, repository, kind: 'none', file: config.file, description: `no entry in ${config.file}: anonymous`}}
  }
  return async (host, repository) => {
    const {cred, source} = await resolve(host, repository)
    options.onResolved?.(source)
    return cred
  }
}
