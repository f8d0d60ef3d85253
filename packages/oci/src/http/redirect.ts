/** Redirects, followed by hand so that credentials never travel to another origin. */
import {ociError, redactUrl} from '../error.js'
import type {StreamingBody} from './transport.js'

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308])
const MAX_REDIRECTS = 10

/** True for the statuses that are followed. */
export function isRedirect(status: number): boolean {
  return REDIRECT_STATUS.has(status)
}

/** The request as it stands at one hop. `headers` is edited in place for the next hop. */
export interface Hop {
  readonly url: string
  readonly method: string
  /** Bytes, or a streamed body (opened again for the next hop). */
  readonly body: Uint8Array | StreamingBody | undefined
  readonly headers: Record<string, string>
}

/**
 * The next hop after a `status` redirect to `location` from `hop` (the `hop`-th redirect of the
 * request that started at `startUrl`), or REGISTRY_PROTOCOL when it cannot be followed: no
 * Location, too many redirects, an invalid Location or a scheme other than http(s).
 */
export function followRedirect(status: number, location: string | null, hop: Hop, count: number, startUrl: string): Hop {
  if (location === null) {
    throw ociError('REGISTRY_PROTOCOL', `${status} redirect without Location from ${redactUrl(hop.url)}`)
  }
  if (count >= MAX_REDIRECTS) {
    throw ociError('REGISTRY_PROTOCOL', `too many redirects (>${MAX_REDIRECTS}) starting at ${redactUrl(startUrl)}`)
  }
  let next: URL
  try {
    next = new URL(location, hop.url)
  } catch (cause) {
    throw ociError('REGISTRY_PROTOCOL', `invalid redirect Location from ${redactUrl(hop.url)}`, {cause})
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw ociError('REGISTRY_PROTOCOL', `redirect to unsupported scheme ${next.protocol} from ${redactUrl(hop.url)}`)
  }
  const headers = hop.headers
  // Credentials belong to the registry: never forward them to another origin (host:port or scheme).
  if (next.origin !== new URL(hop.url).origin) delete headers['authorization']
  let {method, body} = hop
  if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
    if (method !== 'HEAD') method = 'GET'
    body = undefined
    delete headers['content-type']
    delete headers['content-length']
  }
  return {url: next.toString(), method, body, headers}
}
