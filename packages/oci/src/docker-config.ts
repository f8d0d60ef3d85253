/**
 * Credentials from the docker CLI config (`auths`), resolved the way go-containerregistry's
 * default keychain does (cosign-compat §8.1). Credential helpers are not run.
 */
import {readFile, stat} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'
import type {RegistryCredential} from '@sigil/core'
import {ociError} from './error.js'

/** Looks up the credential for a repository on a registry host; undefined = anonymous. */
export type CredentialsFunction = (host: string, repository: string) => Promise<RegistryCredential | undefined>

/** The Docker Hub host as go-containerregistry names it, and the key docker login writes for it. */
const DOCKER_HUB_HOST = 'index.docker.io'
const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/'

interface AuthEntry {
  auth?: unknown
  username?: unknown
  password?: unknown
  identitytoken?: unknown
  registrytoken?: unknown
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
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
  if ((await isFile(dockerHome)) || (dockerEnv !== undefined && (await isFile(dockerEnv)))) {
    return dockerEnv ?? dockerHome
  }
  const candidates = [
    env['REGISTRY_AUTH_FILE'],
    env['XDG_RUNTIME_DIR'] ? join(env['XDG_RUNTIME_DIR'], 'containers', 'auth.json') : undefined,
    join(env['XDG_CONFIG_HOME'] || join(home, '.config'), 'containers', 'auth.json'),
  ]
  for (const c of candidates) if (c && (await isFile(c))) return c
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

/**
 * A {@link CredentialsFunction} backed by the docker config's `auths` (also podman's auth.json,
 * see {@link findAuthFile}). Entries may hold `auth` (base64 `user:pass`), `username`/`password`,
 * `identitytoken` (exchanged for tokens) or `registrytoken` (used as the bearer token).
 * Keys tried: the full repository (`ghcr.io/org/img`), then the host (`ghcr.io`; Docker Hub:
 * `https://index.docker.io/v1/`), matching `https://host/v1/`-style keys by hostname like docker.
 * `credHelpers`/`credsStore` are not run (such hosts are anonymous here).
 * The file is read once, on first use; a malformed file rejects with REGISTRY_AUTH_FAILED.
 * @param env environment to resolve paths from; default `process.env`.
 */
export function dockerConfigCredentials(env: NodeJS.ProcessEnv = process.env): CredentialsFunction {
  let loaded: Promise<{file: string; auths: Record<string, AuthEntry>} | undefined> | undefined
  const load = async (): Promise<{file: string; auths: Record<string, AuthEntry>} | undefined> => {
    const file = await findAuthFile(env)
    if (file === undefined) return undefined
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (cause) {
      if ((cause as {code?: unknown}).code === 'ENOENT') return undefined
      throw ociError('REGISTRY_AUTH_FAILED', `cannot read registry credentials from ${file}`, {cause})
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (cause) {
      throw ociError('REGISTRY_AUTH_FAILED', `cannot parse registry credentials file ${file}: not valid JSON`, {cause})
    }
    const auths = typeof json === 'object' && json !== null ? (json as {auths?: unknown}).auths : undefined
    if (auths === undefined || auths === null) return {file, auths: {}}
    if (typeof auths !== 'object' || Array.isArray(auths)) {
      throw ociError('REGISTRY_AUTH_FAILED', `invalid registry credentials file ${file}: "auths" is not an object`)
    }
    return {file, auths: auths as Record<string, AuthEntry>}
  }
  return async (host, repository) => {
    loaded ??= load()
    const config = await loaded
    if (config === undefined) return undefined
    const hostKey = host === DOCKER_HUB_HOST ? DOCKER_HUB_AUTH_KEY : host
    for (const key of [`${host}/${repository}`, hostKey]) {
      const hit = lookup(config.auths, key)
      if (hit === undefined || typeof hit[1] !== 'object' || hit[1] === null) continue
      const cred = entryToCredential(hit[1], hit[0], config.file)
      if (cred !== undefined) return cred
    }
    return undefined
  }
}
