/**
 * Checking credentials against a registry as `docker login` does, before anything is stored.
 */
import type {RegistryCredential} from '@sigil/core'
import {basicHeader, parseWwwAuthenticate, requestToken} from './auth/index.js'
import {errorFromResponse, ociError} from './error.js'
import {DEFAULT_OPERATION_TIMEOUT_MS, deadlineIn, earliest, HttpTransport, type RequestEvent} from './http/index.js'
import {registryBaseUrl} from './transport-policy.js'

/** Options of {@link checkRegistryLogin}. */
export interface CheckLoginOptions {
  readonly insecure?: boolean
  readonly userAgent?: string
  readonly endpoint?: (host: string) => string | undefined
  readonly onRequest?: (event: RequestEvent) => void
  /** Longest wait for response headers, and longest silence in a body. Default 30000 ms. */
  readonly timeoutMs?: number
  /** Longest time one response may take, headers and body. Default 45000 ms. */
  readonly responseTimeoutMs?: number
  /** Longest time the whole check may take, retries and the token request included. Default 55000 ms. */
  readonly operationTimeoutMs?: number
  /** The command's `--timeout`, when it is shorter than `operationTimeoutMs`. Default none. */
  readonly totalTimeoutMs?: number
}

const SMALL = 1024 * 1024

/**
 * Check `credential` against `host` like `docker login`: `GET /v2/`; on a Basic challenge
 * repeat it with the credentials; on a Bearer challenge ask the token realm for a token (no
 * scope, Basic auth) and repeat `/v2/` with it. Resolves when the registry accepts them (or
 * needs none); REGISTRY_AUTH_FAILED when it rejects them.
 */
export async function checkRegistryLogin(host: string, credential: RegistryCredential, options: CheckLoginOptions = {}): Promise<void> {
  const transport = new HttpTransport({
    userAgent: options.userAgent,
    onRequest: options.onRequest,
    timeoutMs: options.timeoutMs,
    responseTimeoutMs: options.responseTimeoutMs,
  })
  const deadline = earliest(
    deadlineIn(options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS),
    options.totalTimeoutMs === undefined ? undefined : deadlineIn(options.totalTimeoutMs),
  )!
  const label = `the login check of ${host}`
  const url = `${registryBaseUrl(host, {insecure: options.insecure, endpoint: options.endpoint})}/v2/`
  const subject = `login to ${host}`
  const basic = basicHeader(credential)
  const first = await transport.send({method: 'GET', url, maxBytes: SMALL, label, deadline, ...(credential.kind === 'bearer' ? {headers: {authorization: `Bearer ${credential.token}`}} : {})})
  if (first.status >= 200 && first.status < 300) return
  if (first.status !== 401) throw errorFromResponse(first, {method: 'GET', url, subject})
  const rejected = (res: typeof first, method: string, at: string): never => {
    const err = errorFromResponse(res, {method, url: at, subject})
    throw ociError('REGISTRY_AUTH_FAILED', `${err.message.replace(/; check your registry credentials \(docker login\)$/, '')}; the username or password was rejected`, {
      details: err.details,
    })
  }
  if (credential.kind === 'bearer') rejected(first, 'GET', url)
  const challenges = parseWwwAuthenticate(first.headers.get('www-authenticate') ?? '')
  const bearer = challenges.find((c) => c.scheme === 'bearer')
  let authorization: string
  if (bearer !== undefined) {
    const realm = bearer.params['realm']
    if (realm === undefined || realm === '') throw ociError('REGISTRY_PROTOCOL', `${host} sent a Bearer challenge without realm`)
    const {token} = await requestToken(transport, {
      registry: host,
      realm,
      service: bearer.params['service'],
      scopes: [],
      credential,
      insecure: options.insecure ?? false,
      clientId: 'sigil',
      forbiddenIsRejection: true,
      deadline,
    })
    authorization = `Bearer ${token}`
  } else if (challenges.some((c) => c.scheme === 'basic') && basic !== undefined) {
    authorization = basic
  } else {
    throw ociError('REGISTRY_PROTOCOL', `${host} answered /v2/ with 401 but no usable challenge`)
  }
  const second = await transport.send({method: 'GET', url, headers: {authorization}, maxBytes: SMALL, label, deadline})
  if (second.status === 401) rejected(second, 'GET', url)
  if (second.status < 200 || second.status >= 300) throw errorFromResponse(second, {method: 'GET', url, subject})
}
