/**
 * The Amazon ECR registry adapter: recognises ECR hosts and logs in to private registries
 * with `GetAuthorizationToken` (as `docker-credential-ecr-login` and `aws ecr get-login-password`
 * do), using the AWS SDK default credential chain and the region named by the host. The SDK is
 * imported on first use only, so loading the plugin stays cheap.
 */
import {lazyModule} from '@sigil/core'
import type {RegistryAdapter, RegistryCapabilities, RegistryCredential} from '@sigil/core'
import type {ECRClient, ECRClientConfig} from '@aws-sdk/client-ecr'
import {EcrError, toEcrAuthError} from './error.js'
import {ECR_HOST_PATTERNS, parseEcrHost} from './hosts.js'
import {explainEcrError} from './immutable-tags.js'
import type {EcrErrorContext} from './immutable-tags.js'

/** Options of {@link ecrAdapter}. */
export interface EcrAdapterOptions {
  /**
   * ECR API endpoint URL. Default: the SDK's own resolution for the host's region, which
   * honours `AWS_ENDPOINT_URL_ECR` and `AWS_ENDPOINT_URL` (and FIPS endpoints for `dkr.ecr-fips` hosts).
   */
  readonly endpoint?: string
  /**
   * ECR Public API endpoint (tests, private endpoints). Default: the SDK's (`us-east-1`;
   * `AWS_ENDPOINT_URL_ECR_PUBLIC` is honoured by the SDK itself).
   */
  readonly publicEndpoint?: string
  /** Renew a token this long before its `expiresAt`. Default 5 minutes (tokens live 12 hours). */
  readonly refreshMarginMs?: number
  /** Attempts per API call, including the first (SDK retry with backoff). Default 3. */
  readonly maxAttempts?: number
}

/** Dependencies of {@link ecrAdapter} (tests, hosts that bring their own client). */
export interface EcrAdapterDeps {
  /** Build an ECR client for a configuration. Default `new ECRClient(config)`. */
  readonly createClient?: (config: ECRClientConfig) => ECRClient | Promise<ECRClient>
  /** The clock, in ms since the epoch. Default `Date.now`. */
  readonly now?: () => number
}

/** The ECR adapter: a RegistryAdapter plus the ECR error explainer. */
export interface EcrAdapter extends RegistryAdapter {
  readonly name: 'ecr'
  readonly hosts: readonly string[]
  credentials(host: string, repository: string): Promise<RegistryCredential | undefined>
  /** Turn ECR's immutable-tag refusal into a clear error with the fix; other errors unchanged. */
  explainError(err: unknown, context?: EcrErrorContext): unknown
}

/**
 * ECR's capabilities, as data. `mutableTags: false` means "tags MAY be immutable": mutability is
 * a per-repository setting sigil cannot see without extra IAM permissions, so the adapter
 * declares the restrictive case and the signing path explains the refusal when it happens
 * ({@link explainEcrError}). The referrers API is not relied upon (cosign's tag scheme is used).
 */
export const ECR_CAPABILITIES: RegistryCapabilities = Object.freeze({referrersApi: false, mutableTags: false, ociManifests: true})

type Sdk = typeof import('@aws-sdk/client-ecr')

type PublicSdk = typeof import('@aws-sdk/client-ecr-public')

// A missing SDK means no login: the same code as any other failed login.
const sdkError = (message: string, cause: unknown) => new EcrError('REGISTRY_AUTH_FAILED', message, {cause})
const loadPublicSdk = lazyModule((): Promise<PublicSdk> => import('@aws-sdk/client-ecr-public'), {
  name: '@aws-sdk/client-ecr-public',
  neededFor: 'public.ecr.aws logins',
  error: sdkError,
})
const loadSdk = lazyModule((): Promise<Sdk> => import('@aws-sdk/client-ecr'), {name: '@aws-sdk/client-ecr', neededFor: 'ECR logins', error: sdkError})

const DEFAULT_MARGIN_MS = 5 * 60_000
const DEFAULT_MAX_ATTEMPTS = 3

interface CachedToken {
  readonly credential: RegistryCredential
  /** ms since the epoch; the token is renewed once `now() >= renewAt`. */
  readonly renewAt: number
}

/** Create the ECR registry adapter. */
export function ecrAdapter(options: EcrAdapterOptions = {}, deps: EcrAdapterDeps = {}): EcrAdapter {
  const now = deps.now ?? Date.now
  const margin = options.refreshMarginMs ?? DEFAULT_MARGIN_MS
  const clients = new Map<string, Promise<ECRClient>>()
  const tokens = new Map<string, CachedToken>()
  const inFlight = new Map<string, Promise<RegistryCredential | undefined>>()

  function client(config: ECRClientConfig): Promise<ECRClient> {
    const id = `${String(config.region)}|${String(config.useFipsEndpoint ?? false)}`
    let entry = clients.get(id)
    if (!entry) {
      entry = (async () => (deps.createClient ? deps.createClient(config) : new (await loadSdk()).ECRClient(config)))()
      clients.set(id, entry)
      entry.catch(() => clients.delete(id))
    }
    return entry
  }

  /** ECR Public: its own API (`ecr-public`, always us-east-1), one token for public.ecr.aws. */
  async function loginPublic(host: string): Promise<RegistryCredential | undefined> {
    let data
    try {
      const sdk = await loadPublicSdk()
      const api = new sdk.ECRPUBLICClient({
        region: 'us-east-1',
        ...(options.publicEndpoint ? {endpoint: options.publicEndpoint} : {}),
        maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      })
      try {
        data = (await api.send(new sdk.GetAuthorizationTokenCommand({}))).authorizationData
      } finally {
        api.destroy()
      }
    } catch (err) {
      // No AWS credentials: anonymous pulls still work, and a docker login may exist.
      if ((err as {name?: unknown}).name === 'CredentialsProviderError') return undefined
      throw toEcrAuthError(err, host, 'us-east-1')
    }
    return remember(host, data?.authorizationToken, data?.expiresAt, 'us-east-1')
  }

  /** Decode `AWS:<password>`, cache it until `expiresAt` (minus the margin). */
  function remember(host: string, token: string | undefined, expires: Date | undefined, region: string): RegistryCredential {
    const decoded = token ? Buffer.from(token, 'base64').toString('utf8') : ''
    const colon = decoded.indexOf(':')
    if (colon <= 0 || colon === decoded.length - 1) {
      // Never echo the token: it is the registry password.
      throw new EcrError('REGISTRY_AUTH_FAILED', `ECR GetAuthorizationToken for ${host} returned no usable authorization token (expected base64 "AWS:<password>")`, {
        details: {registry: host, region},
      })
    }
    const credential: RegistryCredential = {kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1)}
    const expiresAt = expires instanceof Date ? expires.getTime() : now() + 12 * 3600_000
    tokens.set(host, {credential, renewAt: expiresAt - margin})
    return credential
  }

  async function login(host: string, accountId: string, region: string, fips: boolean): Promise<RegistryCredential | undefined> {
    let data
    try {
      const config: ECRClientConfig = {
        region,
        ...(fips ? {useFipsEndpoint: true} : {}),
        ...(options.endpoint ? {endpoint: options.endpoint} : {}),
        maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      }
      const [sdk, ecr] = await Promise.all([loadSdk(), client(config)])
      const out = await ecr.send(new sdk.GetAuthorizationTokenCommand({registryIds: [accountId]}))
      data = out.authorizationData?.[0]
    } catch (err) {
      // No AWS credentials at all: not this adapter's call. The next source (the docker
      // config, e.g. an `aws ecr get-login-password | docker login` entry) may have them;
      // sigil's precedence is flags > adapter > docker config > anonymous.
      if ((err as {name?: unknown}).name === 'CredentialsProviderError') return undefined
      throw toEcrAuthError(err, host, region)
    }
    return remember(host, data?.authorizationToken, data?.expiresAt, region)
  }

  return {
    name: 'ecr',
    hosts: ECR_HOST_PATTERNS,
    capabilities: ECR_CAPABILITIES,
    matches: (host: string) => parseEcrHost(host) !== undefined,
    async credentials(host: string): Promise<RegistryCredential | undefined> {
      const parsed = parseEcrHost(host)
      if (parsed === undefined) return undefined
      const key = parsed.host
      const cached = tokens.get(key)
      if (cached && now() < cached.renewAt) return cached.credential
      let pending = inFlight.get(key)
      if (!pending) {
        pending = (parsed.kind === 'public' ? loginPublic(key) : login(key, parsed.accountId, parsed.region, parsed.fips)).finally(() =>
          inFlight.delete(key),
        )
        inFlight.set(key, pending)
      }
      return pending
    },
    explainError: explainEcrError,
  }
}
