/**
 * `docker login` / `docker logout` semantics for the docker config: store or erase credentials
 * (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`) — through `credHelpers`/`credsStore`
 * when configured — keeping every other entry and key. The check against the registry that comes
 * first is login-check.ts.
 */
import {dirname} from 'node:path'
import {canonicalRegistryHost, dockerConfigKey} from '@sigil/core'
import {credentialHelperErase, credentialHelperStore, helperProgram} from './credential-helper.js'
import {dockerConfigFile, readDockerConfig} from './docker-config.js'
import {writeFileAtomic} from './atomic-file.js'
import {ociError} from './error.js'

/**
 * The server a login is for: the config key to write and the registry host to talk to.
 * Docker Hub's names (`docker.io`, `index.docker.io`, `registry-1.docker.io`, the v1 URL) all
 * become the key `https://index.docker.io/v1/`; other values lose `http(s)://` and any path.
 */
export function loginServer(input: string): {key: string; host: string} {
  const trimmed = input.trim()
  if (trimmed === '') throw ociError('INVALID_ARGUMENT', 'no registry given')
  const host = trimmed.replace(/^https?:\/\//i, '').split('/')[0]!
  if (host === '' || /[\s@]/.test(host)) throw ociError('INVALID_ARGUMENT', `invalid registry "${trimmed}"`)
  return {key: dockerConfigKey(host), host: canonicalRegistryHost(host)}
}

/** Where a login was stored or erased. */
export interface LoginStoreResult {
  /** The config file written. */
  readonly file: string
  /** The config key (`127.0.0.1:5000`, `https://index.docker.io/v1/`). */
  readonly key: string
  /** The helper program that holds the secret, when one is configured. */
  readonly helper?: string
}

/** Write `obj` to `file` as docker does: 0600, via a temp file in the same dir and rename (follows a symlinked config). */
async function writeConfigAtomic(file: string, obj: Record<string, unknown>): Promise<string> {
  // Loaded here: this module is part of every sign/verify start-up, which never writes a config.
  const {mkdir} = process.getBuiltinModule('node:fs/promises')
  // An existing config (or the link to it) is in this directory already; a new one needs it.
  await mkdir(dirname(file), {recursive: true, mode: 0o700})
  try {
    return await writeFileAtomic(file, `${JSON.stringify(obj, null, '\t')}\n`, 0o600)
  } catch (cause) {
    throw ociError('REGISTRY_AUTH_FAILED', `cannot write the docker config ${file}`, {cause})
  }
}

function helperForKey(obj: Record<string, unknown>, key: string): string | undefined {
  const helpers = (obj['credHelpers'] ?? {}) as Record<string, unknown>
  const named = helpers[key]
  if (typeof named === 'string' && named !== '') return named
  const store = obj['credsStore']
  return typeof store === 'string' && store !== '' ? store : undefined
}

/** Options of {@link storeLogin} / {@link eraseLogin}. */
export interface LoginStoreOptions {
  /** Environment: `DOCKER_CONFIG`/`HOME` pick the file; helpers run with it. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv
}

/**
 * Save a login like `docker login`: with `credHelpers[key]` or `credsStore` configured the
 * helper's `store` gets `{ServerURL, Username, Secret}` and `auths[key]` becomes `{}`; else
 * `auths[key] = {auth: base64(user:password)}`. Other entries and unknown keys are kept.
 */
export async function storeLogin(
  server: string,
  login: {readonly username: string; readonly password: string},
  options: LoginStoreOptions = {},
): Promise<LoginStoreResult> {
  const env = options.env ?? process.env
  const {key} = loginServer(server)
  const file = dockerConfigFile(env)
  const obj = (await readDockerConfig(file)) ?? {}
  const auths = {...((obj['auths'] ?? {}) as Record<string, unknown>)}
  const helper = helperForKey(obj, key)
  if (helper !== undefined) {
    await credentialHelperStore(helper, {serverUrl: key, username: login.username, secret: login.password}, {env})
    auths[key] = {}
  } else {
    auths[key] = {auth: Buffer.from(`${login.username}:${login.password}`, 'utf8').toString('base64')}
  }
  await writeConfigAtomic(file, {...obj, auths})
  return {file, key, ...(helper === undefined ? {} : {helper: helperProgram(helper)})}
}

/**
 * Remove a login like `docker logout`: erase it from the helper (if configured) and drop the
 * `auths` entries for the server (also `https://host/...` forms). `removed` is false when
 * nothing was stored; the file is then left untouched.
 */
export async function eraseLogin(server: string, options: LoginStoreOptions = {}): Promise<LoginStoreResult & {removed: boolean}> {
  const env = options.env ?? process.env
  const {key, host} = loginServer(server)
  const file = dockerConfigFile(env)
  const obj = await readDockerConfig(file)
  if (obj === undefined) return {file, key, removed: false}
  const helper = helperForKey(obj, key)
  let removed = false
  if (helper !== undefined) removed = await credentialHelperErase(helper, key, {env})
  const auths = {...((obj['auths'] ?? {}) as Record<string, unknown>)}
  for (const k of Object.keys(auths)) {
    const kHost = k.replace(/^https?:\/\//i, '').split('/')[0]!.toLowerCase()
    if (k === key || (kHost === host && (k === kHost || /^https?:\/\//i.test(k)))) {
      delete auths[k]
      removed = true
    }
  }
  if (removed) await writeConfigAtomic(file, {...obj, auths})
  return {file, key, removed, ...(helper === undefined ? {} : {helper: helperProgram(helper)})}
}
