import {SigilError, parseRepository} from '@sigil/core'
import type {RegistryAdapter, RegistryCredential} from '@sigil/core'
import type {RepositoryRef} from '@sigil/oci'
import type {ReferrersApiMemory} from '@sigil/signing'
import {join} from 'node:path'
import {RegistryClient, dockerConfigCredentials, fileChallengeStore, loadRegistryMirrors} from '@sigil/oci'
import {parseDuration} from '../runtime/duration.js'
import {sigilDir} from './dirs.js'
import {fileKeyCache} from './key-cache.js'
import {registryAdapters, trace, traceRequest} from './command-io.js'
import type {CommandIO} from './command-io.js'
import {credentials as text} from '../messages/credentials.js'

/** Options every registry-facing command shares. */
export interface RegistryFlags {
  /** `--timeout` (Go duration): the client's requests end before the command's own deadline. */
  readonly timeout?: string
  readonly 'allow-insecure-registry'?: boolean
  readonly 'allow-http-registry'?: boolean
  readonly 'registry-username'?: string
  readonly 'registry-password'?: string
  readonly 'registry-token'?: string
}

/**
 * The credential given explicitly for this run, if any, and how it was given (for --verbose).
 * `--registry-token` → Bearer as is; `--registry-username` + `--registry-password` (or the
 * `SIGIL_REGISTRY_PASSWORD` env var, which stays out of the process list) → Basic, also used
 * at token endpoints. Half a pair is a usage error rather than a silent fall-back.
 */
export function explicitCredential(
  flags: RegistryFlags,
  env: NodeJS.ProcessEnv = process.env,
): {credential: RegistryCredential; source: string} | undefined {
  const username = flags['registry-username']
  const token = flags['registry-token']
  const fromFlag = flags['registry-password']
  const password = fromFlag ?? env.SIGIL_REGISTRY_PASSWORD
  if (token !== undefined) {
    if (username !== undefined || fromFlag !== undefined) throw new SigilError('INVALID_ARGUMENT', text.tokenAndUsername)
    return {credential: {kind: 'bearer', token}, source: '--registry-token'}
  }
  if (username === undefined) {
    if (fromFlag !== undefined) throw new SigilError('INVALID_ARGUMENT', text.passwordWithoutUsername)
    return undefined
  }
  if (password === undefined || password === '') throw new SigilError('INVALID_ARGUMENT', text.usernameWithoutPassword)
  return {
    credential: {kind: 'basic', username, password},
    source: `--registry-username (user "${username}") with ${fromFlag !== undefined ? '--registry-password' : 'SIGIL_REGISTRY_PASSWORD'}`,
  }
}

/** A client for a server rather than one run (`sigil admission serve`). */
export interface LongLivedClientOptions {
  /** Each call ends within this, instead of the whole run ending within `--timeout`. */
  readonly operationTimeoutMs?: number
}

/**
 * A client for this run: credentials, adapters from plugins, `--verbose` logging.
 *
 * Credential precedence, per registry, first hit wins (README text in messages.ts `credentials.precedence`):
 *   1. `--registry-token` (Bearer, sent as is);
 *   2. `--registry-username` + `--registry-password` / `SIGIL_REGISTRY_PASSWORD` (Basic);
 *      (1 and 2 apply to every registry this run contacts, as with cosign's flags);
 *   3. the credentials of a registry adapter plugin that matches the host;
 *   4. the docker config: per key (full repository, then host) `credHelpers` → `credsStore` →
 *      `auths`; without a docker config `$REGISTRY_AUTH_FILE`, then containers `auth.json`;
 *   5. anonymous.
 * An adapter whose credentials are ambient (GHCR's `GITHUB_TOKEN`) declares
 * `credentialPrecedence: 'after-docker-config'`: for it 3 and 4 swap, so a docker login wins.
 * `--verbose` prints, once per registry, which source answered — never the secret.
 *
 * Endpoints: the mirrors file (`SIGIL_REGISTRIES_CONFIG`, else
 * `$XDG_CONFIG_HOME/sigil/registries.json`, else `~/.config/sigil/registries.json`) wins over an
 * adapter's endpoint. Only the transport moves: references, payloads and credential lookups
 * keep the original registry name.
 */
export async function createRegistryClient(io: CommandIO, flags: RegistryFlags, options: LongLivedClientOptions = {}): Promise<RegistryClient> {
  const explicit = explicitCredential(flags)
  const adapters = await registryAdapters(io)
  const adapterFor = (host: string) => adapters.find((a) => a.matches(host))
  const traced = new Set<string>()
  const said = (host: string, source: string): void => {
    const line = `credentials for ${host} from ${source}`
    if (traced.has(line)) return
    traced.add(line)
    trace(io, line)
  }
  const fromDockerConfig = dockerConfigCredentials(process.env, {
    onResolved: (s) => said(s.host, s.kind === 'none' ? `nowhere (${s.description})` : s.description),
  })
  const credentials = async (host: string, repository: string): Promise<RegistryCredential | undefined> => {
    if (explicit !== undefined) {
      said(host, explicit.source)
      return explicit.credential
    }
    const adapter = adapterFor(host)
    const fromAdapter = async (): Promise<RegistryCredential | undefined> => {
      const cred = await adapter?.credentials?.(host, repository)
      if (cred !== undefined) said(host, `registry adapter ${adapter!.name}`)
      return cred
    }
    if (ambientAdapter(adapter)) return (await fromDockerConfig(host, repository)) ?? fromAdapter()
    return (await fromAdapter()) ?? fromDockerConfig(host, repository)
  }
  const mirrors = loadRegistryMirrors(process.env)
  if (mirrors.file !== undefined) {
    for (const m of mirrors.mirrors) trace(io, `registry ${m.prefix} mapped to ${m.location} (${mirrors.file})`)
  }
  const endpoint = (host: string): string | undefined => mirrors.endpoint(host) ?? adapterFor(host)?.endpoint?.(host)?.url
  // The registry's own deadline comes just before the command's, so a stalled registry is named
  // (which host, which request) rather than reported as the command running out of time.
  const budget = flags.timeout === undefined ? undefined : Math.max(parseDuration(flags.timeout) - 250, 100)
  const perOperation = options.operationTimeoutMs
  return new RegistryClient({
    ...(perOperation !== undefined
      ? {operationTimeoutMs: perOperation, responseTimeoutMs: perOperation, timeoutMs: Math.min(perOperation, 30_000)}
      : budget === undefined
        ? {}
        : {totalTimeoutMs: budget, ...(budget > 55_000 ? {operationTimeoutMs: budget, responseTimeoutMs: budget} : {})}),
    insecure: Boolean(flags['allow-insecure-registry'] || flags['allow-http-registry']),
    userAgent: `sigil/${io.version}`,
    credentials,
    // Token realms learnt from earlier runs: the first request is authenticated up front.
    challengeStore: fileChallengeStore(join(sigilDir('cache'), 'auth-challenges.json')),
    ...(adapters.length > 0 || mirrors.mirrors.length > 0 ? {endpoint} : {}),
    onRequest: traceRequest(io),
  })
}

/** True for an adapter whose credentials are ambient (an environment token) and rank after the docker config (GHCR). */
function ambientAdapter(adapter: RegistryAdapter | undefined): boolean {
  return adapter?.credentialPrecedence === 'after-docker-config'
}

/** `SIGIL_REPOSITORY` / `COSIGN_REPOSITORY`: store signatures in another repository. */
export function signatureRepositoryFromEnv(env: NodeJS.ProcessEnv = process.env): RepositoryRef | undefined {
  const value = env.SIGIL_REPOSITORY ?? env.COSIGN_REPOSITORY
  if (!value) return undefined
  const {registry, repository} = parseRepository(value)
  return {registry, repository}
}

/** `COSIGN_DOCKER_MEDIA_TYPES` set (and not `0`): push Docker media types rather than OCI ones. */
export function dockerMediaTypesFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.COSIGN_DOCKER_MEDIA_TYPES && env.COSIGN_DOCKER_MEDIA_TYPES !== '0')
}

/**
 * The error to report for `err`, met while pushing for `image`: a registry's own quirk (e.g. ECR's
 * immutable tags) explained by the adapter of the repository written to (`SIGIL_REPOSITORY` /
 * `COSIGN_REPOSITORY`, else the image's), else `err` itself.
 */
export async function explainRegistryError(io: CommandIO, image: RepositoryRef, err: unknown): Promise<unknown> {
  const target = signatureRepositoryFromEnv() ?? {registry: image.registry, repository: image.repository}
  const adapter = (await registryAdapters(io)).find((a) => a.matches(target.registry))
  return adapter?.explainError?.(err, {repository: `${target.registry}/${target.repository}`}) ?? err
}

/**
 * What sigil learnt about registries' OCI 1.1 referrers API (served or not), kept in the cache
 * directory so later runs skip a request the registry cannot answer. Wrong memories correct
 * themselves: a registry remembered without the API is asked again after a day.
 */
export function referrersApiMemory(): ReferrersApiMemory {
  const cache = fileKeyCache(join(sigilDir('cache'), 'referrers-api.json'))
  const DAY = 24 * 60 * 60 * 1000
  return {
    get: (registry) => {
      const raw = cache.get(registry)
      if (raw === undefined) return undefined
      const [answer, at] = raw.split('@')
      if (!(Date.now() - Number(at) < DAY)) return undefined
      return answer === 'yes'
    },
    set: (registry, supported) => cache.set(registry, `${supported ? 'yes' : 'no'}@${Date.now()}`),
  }
}
