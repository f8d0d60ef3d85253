/**
 * The one place that calls `fetch`. Per-attempt timeouts, bounded exponential backoff on
 * 408/429/5xx and dropped connections (Retry-After honoured up to a cap), a single quick retry
 * when the connection is refused, manual redirects that drop `Authorization` when the origin
 * changes, and response bodies read with a byte limit.
 */
import {ociError, redactUrl, type OciErrorCode} from './error.js'
import {SigilError} from '@sigil/core'

/** One HTTP exchange, reported through `onRequest` (retries and redirect hops each count). */
export interface RequestEvent {
  /** HTTP method. */
  readonly method: string
  /** URL with credentials and signature-like query values redacted. */
  readonly url: string
  /** Response status; undefined when no response arrived. */
  readonly status?: number
  /** 1-based attempt number of the logical request (retries increment it). */
  readonly attempt: number
  /** Time from sending to the end of the response body. */
  readonly durationMs: number
  /** Network error code when no response arrived (`ECONNREFUSED`, `TIMEOUT`, …). */
  readonly error?: string
}

/** Retry knobs. */
export interface RetryOptions {
  /** Retries after the first attempt. Default 3. */
  readonly attempts?: number
  /** First backoff delay; doubles each retry (with jitter). Default 200 ms. */
  readonly baseDelayMs?: number
  /** Upper bound for one backoff delay, and for an honoured `Retry-After`. Default 10000 ms. */
  readonly maxDelayMs?: number
}

/** Options of {@link HttpTransport}. */
export interface HttpTransportOptions {
  /** Per-attempt timeout for the response headers, and the longest silence while reading a body. Default 30000 ms. */
  readonly timeoutMs?: number
  readonly retry?: RetryOptions
  /** `User-Agent` header. Default `sigil`. */
  readonly userAgent?: string
  readonly onRequest?: (event: RequestEvent) => void
}

/** A request for {@link HttpTransport.send}. */
export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: Uint8Array | string
  /** Largest successful (2xx) body accepted, checked against Content-Length and while streaming. */
  readonly maxBytes: number
  /** What the body is, for RESPONSE_TOO_LARGE messages (`manifest`, `blob`). Default `response`. */
  readonly what?: string
}

/** A response with its body fully read. */
export interface HttpResponse {
  readonly status: number
  readonly statusText: string
  readonly headers: Headers
  /** Final URL (after redirects). */
  readonly url: string
  readonly body: Uint8Array
  /** Attempts made (1 = no retry). */
  readonly attempts: number
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504])
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308])
const MAX_REDIRECTS = 10
/** Error bodies are only read this far (they are for messages). */
const ERROR_BODY_LIMIT = 64 * 1024
const REFUSED_RETRY_DELAY_MS = 100

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'TIMEOUT',
])

const DESCRIPTIONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  ENOTFOUND: 'host name not found (DNS)',
  EAI_AGAIN: 'temporary DNS failure',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed while sending',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
}

/** Thrown internally when our own timer aborts an attempt. */
class AttemptTimeout extends Error {
  readonly code = 'TIMEOUT'
}

/** Find a Node/undici error code anywhere in an error's cause chain (AggregateError included). */
export function networkErrorCode(err: unknown, depth = 0): string | undefined {
  if (depth > 6 || typeof err !== 'object' || err === null) return undefined
  const code = (err as {code?: unknown}).code
  if (typeof code === 'string' && code !== '' && code !== 'ABORT_ERR' && code !== 'UND_ERR_ABORTED') return code
  const nested = (err as {errors?: unknown}).errors
  if (Array.isArray(nested)) {
    for (const e of nested) {
      const c = networkErrorCode(e, depth + 1)
      if (c !== undefined) return c
    }
  }
  return networkErrorCode((err as {cause?: unknown}).cause, depth + 1)
}

function describeNetworkError(code: string | undefined, timeoutMs: number): string {
  if (code === undefined) return 'network error'
  if (code === 'TIMEOUT') return `no response within ${timeoutMs} ms`
  if (/^(CERT_|ERR_SSL|ERR_TLS|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code)) return `TLS error (${code})`
  const text = DESCRIPTIONS[code]
  return text === undefined ? `network error (${code})` : `${text} (${code})`
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Parse `Retry-After` (delta seconds or HTTP date) into milliseconds; undefined if absent/invalid. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined
  const v = value.trim()
  if (/^\d+$/.test(v)) return Number(v) * 1000
  const when = Date.parse(v)
  if (Number.isNaN(when)) return undefined
  return Math.max(0, when - now)
}

/** Sends HTTP requests with timeouts, retries and safe redirects. Stateless apart from its options. */
export class HttpTransport {
  readonly #timeoutMs: number
  readonly #attempts: number
  readonly #baseDelayMs: number
  readonly #maxDelayMs: number
  readonly #userAgent: string
  readonly #onRequest?: (event: RequestEvent) => void

  constructor(options: HttpTransportOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 30_000
    this.#attempts = Math.max(0, options.retry?.attempts ?? 3)
    this.#baseDelayMs = Math.max(0, options.retry?.baseDelayMs ?? 200)
    this.#maxDelayMs = Math.max(0, options.retry?.maxDelayMs ?? 10_000)
    this.#userAgent = options.userAgent ?? 'sigil'
    this.#onRequest = options.onRequest
  }

  /**
   * Send `req`, retrying transient failures. Resolves with any final HTTP response (including
   * 4xx/5xx: the caller maps those); rejects with REGISTRY_UNREACHABLE when no response could be
   * obtained, RESPONSE_TOO_LARGE, or REGISTRY_PROTOCOL for broken redirects.
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    let refusedRetried = false
    for (let attempt = 1; ; attempt++) {
      const retriesLeft = attempt <= this.#attempts
      let res: HttpResponse
      try {
        res = await this.#exchange(req, attempt)
      } catch (err) {
        if (isOciError(err)) throw err
        const code = networkErrorCode(err) ?? (err instanceof AttemptTimeout ? 'TIMEOUT' : undefined)
        if (code === 'ECONNREFUSED' && !refusedRetried && retriesLeft) {
          // Refused usually means nothing listens: one quick retry covers a server that is restarting.
          refusedRetried = true
          await sleep(REFUSED_RETRY_DELAY_MS)
          continue
        }
        if (code !== undefined && TRANSIENT_CODES.has(code) && retriesLeft) {
          await sleep(this.#backoff(attempt))
          continue
        }
        const host = hostOf(req.url)
        throw ociError(
          'REGISTRY_UNREACHABLE',
          `cannot reach ${host}: ${describeNetworkError(code, this.#timeoutMs)} on ${req.method} ${redactUrl(req.url)}` +
            `${attempt > 1 ? ` (after ${attempt} attempts)` : ''}; check the registry address and that it is running`,
          {cause: err, details: {host, code, attempts: attempt}},
        )
      }
      if (RETRY_STATUS.has(res.status) && retriesLeft) {
        const retryAfter = parseRetryAfter(res.headers.get('retry-after'))
        await sleep(retryAfter === undefined ? this.#backoff(attempt) : Math.min(retryAfter, this.#maxDelayMs))
        continue
      }
      return res
    }
  }

  /** Exponential backoff with jitter in [50%, 100%] of base·2^(n-1), capped. */
  #backoff(attempt: number): number {
    const exp = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempt - 1))
    return Math.round(exp / 2 + Math.random() * (exp / 2))
  }

  /** One attempt: follows redirects by hand and reads the final body. */
  async #exchange(req: HttpRequest, attempt: number): Promise<HttpResponse> {
    let url = req.url
    let method: string = req.method
    let body = req.body
    const headers: Record<string, string> = {'user-agent': this.#userAgent}
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v
    for (let hop = 0; ; hop++) {
      const started = performance.now()
      const controller = new AbortController()
      let timer: NodeJS.Timeout | undefined
      const arm = (): void => {
        clearTimeout(timer)
        timer = setTimeout(() => controller.abort(new AttemptTimeout('timeout')), this.#timeoutMs)
      }
      const report = (status?: number, error?: string): void => {
        if (this.#onRequest === undefined) return
        const event: RequestEvent = {
          method,
          url: redactUrl(url),
          status,
          attempt,
          durationMs: Math.round((performance.now() - started) * 100) / 100,
          ...(error === undefined ? {} : {error}),
        }
        try {
          this.#onRequest(event)
        } catch {
          // An observer's failure must not change the request's outcome.
        }
      }
      arm()
      let res: Response
      try {
        res = await fetch(url, {
          method,
          headers,
          body: body === undefined ? undefined : typeof body === 'string' ? body : (body as Uint8Array<ArrayBuffer>),
          redirect: 'manual',
          signal: controller.signal,
        })
      } catch (err) {
        clearTimeout(timer)
        const timedOut = controller.signal.aborted
        report(undefined, timedOut ? 'TIMEOUT' : (networkErrorCode(err) ?? 'NETWORK'))
        throw timedOut ? new AttemptTimeout('timeout', {cause: err}) : err
      }
      arm() // headers arrived: from now on the timeout bounds silence while reading the body

      if (REDIRECT_STATUS.has(res.status)) {
        clearTimeout(timer)
        await res.body?.cancel().catch(() => {})
        report(res.status)
        const location = res.headers.get('location')
        if (location === null) {
          throw ociError('REGISTRY_PROTOCOL', `${res.status} redirect without Location from ${redactUrl(url)}`)
        }
        if (hop >= MAX_REDIRECTS) {
          throw ociError('REGISTRY_PROTOCOL', `too many redirects (>${MAX_REDIRECTS}) starting at ${redactUrl(req.url)}`)
        }
        let next: URL
        try {
          next = new URL(location, url)
        } catch (cause) {
          throw ociError('REGISTRY_PROTOCOL', `invalid redirect Location from ${redactUrl(url)}`, {cause})
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw ociError('REGISTRY_PROTOCOL', `redirect to unsupported scheme ${next.protocol} from ${redactUrl(url)}`)
        }
        // Credentials belong to the registry: never forward them to another origin (host:port or scheme).
        if (next.origin !== new URL(url).origin) delete headers['authorization']
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET'
          body = undefined
          delete headers['content-type']
          delete headers['content-length']
        }
        url = next.toString()
        continue
      }

      try {
        const ok = res.status >= 200 && res.status < 300
        const bytes =
          method === 'HEAD'
            ? new Uint8Array(0)
            : await readBody(res, ok ? req.maxBytes : ERROR_BODY_LIMIT, !ok, req.what ?? 'response', url, arm)
        report(res.status)
        return {status: res.status, statusText: res.statusText, headers: res.headers, url, body: bytes, attempts: attempt}
      } catch (err) {
        if (isOciError(err)) {
          report(res.status, err.code)
          throw err
        }
        const timedOut = controller.signal.aborted
        report(res.status, timedOut ? 'TIMEOUT' : (networkErrorCode(err) ?? 'NETWORK'))
        throw timedOut ? new AttemptTimeout('timeout', {cause: err}) : err
      } finally {
        clearTimeout(timer)
        if (method === 'HEAD') await res.body?.cancel().catch(() => {})
      }
    }
  }
}

// instanceof, not isSigilError(): Node's own errors (code 'ECONNRESET', name 'Error') pass that shape test.
function isOciError(err: unknown): err is SigilError<OciErrorCode> {
  return err instanceof SigilError
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return '<invalid url>'
  }
}

/**
 * Read a body into memory, refusing more than `limit` bytes: first by Content-Length (nothing is
 * buffered), then by counting while streaming. With `truncate`, excess is dropped instead
 * (error bodies are only for messages). `touch` re-arms the idle timer on each chunk.
 */
async function readBody(
  res: Response,
  limit: number,
  truncate: boolean,
  what: string,
  url: string,
  touch: () => void,
): Promise<Uint8Array> {
  const tooLarge = (size: string): SigilError<OciErrorCode> =>
    ociError('RESPONSE_TOO_LARGE', `${what} from ${redactUrl(url)} is too large: ${size} (limit ${limit} bytes)`, {
      details: {limit},
    })
  const declared = res.headers.get('content-length')
  const length = declared !== null && /^\d+$/.test(declared.trim()) ? Number(declared) : undefined
  if (length !== undefined && length > limit && !truncate) {
    await res.body?.cancel().catch(() => {})
    throw tooLarge(`Content-Length ${length} bytes`)
  }
  if (res.body === null) return new Uint8Array(0)
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const {done, value} = await reader.read()
    if (done) break
    touch()
    if (total + value.length > limit) {
      await reader.cancel().catch(() => {})
      if (truncate) {
        chunks.push(value.subarray(0, limit - total))
        total = limit
        break
      }
      throw tooLarge(`more than ${limit} bytes streamed`)
    }
    chunks.push(value)
    total += value.length
  }
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(total)
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.length
  }
  return out
}
