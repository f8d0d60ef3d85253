/**
 * One document fetched by URL, not from a registry (e.g. a public key for `verify --key
 * https://…`), over the same transport and with the same rules: TLS always verified, plain HTTP
 * only for loopback hosts unless the caller allows it, never a credential, a size limit, retries
 * and deadlines.
 */
import {SigilError, isLoopbackHost} from '@sigil/core'
import {HttpTransport, deadlineIn} from './http/index.js'
import type {RequestEvent} from './http/index.js'

/** Options of {@link fetchUrlDocument}. */
export interface FetchUrlDocumentOptions {
  /** Largest body accepted. Default 1 MiB. */
  readonly maxBytes?: number
  /** Allow plain HTTP to hosts that are not loopback. Default false. */
  readonly insecure?: boolean
  /** The whole fetch, retries and redirects included. Default 55 s. */
  readonly timeoutMs?: number
  /** What the document is, for messages (`public key`). Default `document`. */
  readonly what?: string
  readonly userAgent?: string
  readonly onRequest?: (event: RequestEvent) => void
}

function plainHttpRefused(url: URL, what: string): SigilError {
  return new SigilError(
    'INSECURE_REGISTRY',
    `refusing to fetch the ${what} at ${url.href} over plain HTTP (only loopback hosts may use http://); use https:// or pass --allow-insecure-registry`,
  )
}

/** GET `url` and return its body; a non-2xx answer, a downgrade to plain HTTP or a bad URL is an error. */
export async function fetchUrlDocument(url: string, options: FetchUrlDocumentOptions = {}): Promise<Uint8Array> {
  const what = options.what ?? 'document'
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch (cause) {
    throw new SigilError('INVALID_ARGUMENT', `invalid URL for the ${what}: ${url}`, {cause})
  }
  const allowed = (u: URL) => u.protocol === 'https:' || (u.protocol === 'http:' && (options.insecure || isLoopbackHost(u.host)))
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new SigilError('INVALID_ARGUMENT', `the ${what} URL must be https:// (got ${parsed.protocol})`)
  if (parsed.username || parsed.password) throw new SigilError('INVALID_ARGUMENT', `the ${what} URL must not carry credentials`)
  if (!allowed(parsed)) throw plainHttpRefused(parsed, what)
  const transport = new HttpTransport({userAgent: options.userAgent, onRequest: options.onRequest})
  const res = await transport.send({
    method: 'GET',
    url: parsed.href,
    maxBytes: options.maxBytes ?? 1024 * 1024,
    what,
    label: `the ${what} at ${parsed.href}`,
    ...(options.timeoutMs === undefined ? {} : {deadline: deadlineIn(options.timeoutMs)}),
  })
  const final = new URL(res.url)
  // A redirect may not downgrade the fetch to plain HTTP.
  if (!allowed(final)) throw plainHttpRefused(final, what)
  if (res.status < 200 || res.status > 299) {
    throw new SigilError(res.status === 404 ? 'KEY_NOT_FOUND' : 'KEY_READ_FAILED', `cannot fetch the ${what} at ${parsed.href}: HTTP ${res.status} ${res.statusText}`.trim())
  }
  return res.body
}
