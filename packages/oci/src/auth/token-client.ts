/**
 * The registry token client (the distribution token protocol): GET the realm with optional Basic
 * credentials, or the OAuth2 refresh-token POST for identity tokens (falling back to GET when the
 * server only implements that, as go-containerregistry does). Used by the authenticator for
 * scoped tokens and by `docker login`'s credential check for an unscoped one.
 */
import type {RegistryCredential} from '@sigil/core'
import {errorFromResponse, ociError} from '../error.js'
import type {Deadline, HttpResponse, HttpTransport} from '../http/index.js'
import {assertTransportAllowed} from '../transport-policy.js'
import {basicHeader} from './credential-header.js'

/** What to ask a token server for. */
export interface TokenRequest {
  /** The registry whose challenge named the realm (for messages). */
  readonly registry: string
  /** The challenge's `realm`, as sent. */
  readonly realm: string
  /** The challenge's `service`. */
  readonly service?: string
  /** Formatted scopes (`repository:team/app:pull`); none for a login check. */
  readonly scopes: readonly string[]
  readonly credential?: RegistryCredential
  /** Allow a plain-HTTP realm on a non-loopback host. */
  readonly insecure: boolean
  /** OAuth2 `client_id` for refresh-token exchanges. */
  readonly clientId: string
  /** Treat 403 like 401, as the credentials being rejected (a login check), rather than access denied. */
  readonly forbiddenIsRejection?: boolean
  /** When the token request, retries included, must be done by. Default: the transport's own bound. */
  readonly deadline?: Deadline
}

/** A token as the server issued it. */
export interface IssuedToken {
  readonly token: string
  /** Lifetime in seconds (`expires_in`, else the protocol's default of 60). */
  readonly expiresInS: number
}

const DEFAULT_TOKEN_LIFETIME_S = 60
const TOKEN_BODY_LIMIT = 1024 * 1024

/**
 * Ask the realm for a token. REGISTRY_PROTOCOL for a bad realm or response, INSECURE_REGISTRY for
 * a plain-HTTP realm that is not allowed, REGISTRY_AUTH_FAILED when the credentials are rejected,
 * and the usual response errors otherwise.
 */
export async function requestToken(transport: HttpTransport, req: TokenRequest): Promise<IssuedToken> {
  let realm: URL
  try {
    realm = new URL(req.realm)
  } catch (cause) {
    throw ociError('REGISTRY_PROTOCOL', `${req.registry} sent an invalid token realm`, {cause})
  }
  if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
    throw ociError('REGISTRY_PROTOCOL', `${req.registry} sent a token realm with unsupported scheme ${realm.protocol}`)
  }
  assertTransportAllowed(realm, req.insecure)
  const subject = req.scopes.length === 0 ? `token from ${realm.host}` : `token for ${req.scopes.join(' ')} from ${realm.host}`
  const cred = req.credential

  let res: HttpResponse
  if (cred?.kind === 'identity-token') {
    const form = new URLSearchParams({grant_type: 'refresh_token', refresh_token: cred.token, client_id: req.clientId})
    if (req.service !== undefined) form.set('service', req.service)
    if (req.scopes.length > 0) form.set('scope', req.scopes.join(' '))
    res = await transport.send({
      method: 'POST',
      url: realm.toString(),
      headers: {'content-type': 'application/x-www-form-urlencoded'},
      body: form.toString(),
      maxBytes: TOKEN_BODY_LIMIT,
      what: 'token response',
      label: tokenLabel(req),
      deadline: req.deadline,
    })
    if (res.status === 404) res = await getToken(transport, realm, req)
  } else {
    res = await getToken(transport, realm, req)
  }

  if (res.status === 401 || (res.status === 403 && req.forbiddenIsRejection === true)) {
    const err = errorFromResponse(res, {method: 'GET', url: res.url, subject})
    const what = err.message.replace(/; (check your registry credentials \(docker login\)|the credentials lack permission for this repository)$/, '')
    throw ociError('REGISTRY_AUTH_FAILED', `${what}; the token service rejected the credentials for ${req.registry}`, {details: err.details})
  }
  if (res.status < 200 || res.status >= 300) {
    throw errorFromResponse(res, {method: 'GET', url: res.url, subject, attempts: res.attempts})
  }
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(res.body))
  } catch (cause) {
    throw ociError('REGISTRY_PROTOCOL', `${subject}: the token response is not JSON`, {cause})
  }
  const body = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>
  const token = typeof body['token'] === 'string' && body['token'] !== '' ? body['token'] : body['access_token']
  if (typeof token !== 'string' || token === '') {
    throw ociError('REGISTRY_PROTOCOL', `${subject}: the token response has no "token" or "access_token"`)
  }
  const expiresInS = typeof body['expires_in'] === 'number' && body['expires_in'] > 0 ? body['expires_in'] : DEFAULT_TOKEN_LIFETIME_S
  return {token, expiresInS}
}

function getToken(transport: HttpTransport, realm: URL, req: TokenRequest): Promise<HttpResponse> {
  const url = new URL(realm)
  if (req.service !== undefined) url.searchParams.append('service', req.service)
  for (const s of req.scopes) url.searchParams.append('scope', s)
  const header = basicHeader(req.credential)
  if (req.credential?.kind === 'basic') url.searchParams.append('account', req.credential.username)
  return transport.send({
    method: 'GET',
    url: url.toString(),
    headers: header === undefined ? {} : {authorization: header},
    maxBytes: TOKEN_BODY_LIMIT,
    what: 'token response',
    label: tokenLabel(req),
    deadline: req.deadline,
  })
}

function tokenLabel(req: TokenRequest): string {
  return req.scopes.length === 0 ? `a token for ${req.registry}` : `a token for ${req.scopes.join(' ')}`
}
