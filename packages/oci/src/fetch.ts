/**
 * The one place that does HTTP, on `node:http` / `node:https` (not the global `fetch`: undici
 * costs a CLI process ~35 ms to load and keeps it alive ~70 ms longer). Per-attempt timeouts,
 * bounded exponential backoff on 408/429/5xx and dropped connections (Retry-After honoured up
 * to a cap), a single quick retry when the connection is refused, manual redirects that drop
 * `Authorization` when the origin changes, and response bodies read with a byte limit.
 *
 * Connections are kept alive in one module-level agent per scheme; idle sockets are unref'd, so
 * they never keep the process running. Nothing here touches the `fetch`/`Headers`/`Response`/
 * web-stream globals (each of those loads undici).
 *
 * TLS: certificates are always verified (Node's default CA store and host name checks).
 * `insecure` (`--allow-insecure-registry`) only allows plain HTTP to non-loopback hosts — the
 * contract of transport-policy.ts, RegistryClientOptions and the README — it does not turn off
 * certificate verification, exactly as before this transport left `fetch`.
 */
import {Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions} from 'node:http'
import type {Agent as HttpsAgent} from 'node:https'
import type {Socket} from 'node:net'
import type {SecureContext} from 'node:tls'
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
  /**
   * The response's rate-limit headers (`ratelimit-limit`, `ratelimit-remaining`,
   * `ratelimit-reset`, as Docker Hub sends them), present only when the response had any.
   */
  readonly rateLimit?: RateLimitInfo
}

/** Raw rate-limit header values (Docker Hub: `ratelimit-remaining: 76;w=21600`). */
export interface RateLimitInfo {
  readonly limit?: string
  readonly remaining?: string
  readonly reset?: string
}

/** The `ratelimit-*` headers of a response, or undefined when it has none. */
export function rateLimitOf(headers: {get(name: string): string | null}): RateLimitInfo | undefined {
  const info: {limit?: string; remaining?: string; reset?: string} = {}
  for (const k of ['limit', 'remaining', 'reset'] as const) {
    const v = headers.get(`ratelimit-${k}`)
    if (v !== null) info[k] = v
  }
  return Object.keys(info).length === 0 ? undefined : info
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
  readonly headers: ResponseHeaders
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
}

/** Thrown internally when our own timer aborts an attempt. */
class AttemptTimeout extends Error {
  readonly code = 'TIMEOUT'
}

/** Find a Node error code anywhere in an error's cause chain (AggregateError included). */
export function networkErrorCode(err: unknown, depth = 0): string | undefined {
  if (depth > 6 || typeof err !== 'object' || err === null) return undefined
  const code = (err as {code?: unknown}).code
  if (typeof code === 'string' && code !== '' && code !== 'ABORT_ERR') return code
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

/**
 * Response headers with the one lookup callers need: case-insensitive `get()`, repeated fields
 * joined with `, ` (what `Headers.get` returns). Not the global `Headers`: that loads undici.
 */
export class ResponseHeaders {
  readonly #fields = new Map<string, string>()

  /** From alternating names and values, as `IncomingMessage.rawHeaders`. */
  constructor(raw: readonly string[] = []) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase()
      const value = raw[i + 1]!
      const previous = this.#fields.get(name)
      this.#fields.set(name, previous === undefined ? value : `${previous}, ${value}`)
    }
  }

  /** The field's value, or null when absent. */
  get(name: string): string | null {
    return this.#fields.get(name.toLowerCase()) ?? null
  }

  /** True when the field is present. */
  has(name: string): boolean {
    return this.#fields.has(name.toLowerCase())
  }
}

/**
 * Idle keep-alive sockets are closed after this long (or earlier when the server announces a
 * shorter `Keep-Alive: timeout=`), so a request rarely meets a socket the server already dropped.
 */
const FREE_SOCKET_TIMEOUT_MS = 4000

/**
 * Idle sockets must never hold the process open. Node's default `keepSocketAlive()` already
 * unrefs a socket it pools (and `reuseSocket()` refs it again); this makes the guarantee ours,
 * not an implementation detail. Runs after the agent's own 'free' handler, so it only touches a
 * socket that actually went to the free pool (not one handed straight to a queued request).
 */
function keepAliveAgent<A extends HttpAgent>(agent: A): A {
  agent.on('free', (socket: Socket) => {
    if (Object.values(agent.freeSockets).some((pool) => pool?.includes(socket))) socket.unref()
  })
  return agent
}

const AGENT_OPTIONS = {keepAlive: true, timeout: FREE_SOCKET_TIMEOUT_MS} as const
const httpAgent = keepAliveAgent(new HttpAgent(AGENT_OPTIONS))
let httpsAgent: HttpsAgent | undefined
let httpsRequest: typeof httpRequest | undefined
let extraCaFile: string | undefined

/**
 * Trust the PEM certificates in `path` on top of Node's default CAs for every HTTPS request made
 * here: what `NODE_EXTRA_CA_CERTS` does, except that the file is read on the first HTTPS request
 * instead of at process start. Node parses that file before running any JavaScript (~40 ms for a
 * system CA bundle), which the `sigil` launcher spares the hot commands by handing the variable
 * over to this function instead (loopback registries use plain HTTP and never need it). As with
 * Node, a file that cannot be read is reported on stderr and ignored, and a block in it that is
 * not a certificate is reported and ends the list there. Call it before the first HTTPS request.
 */
export function useExtraCaCertificates(path: string): void {
  if (httpsAgent !== undefined) throw new Error('useExtraCaCertificates: an HTTPS connection was already made')
  extraCaFile = path
}

/**
 * TLS options for the deferred extra CA file: Node's default (bundled) CAs plus the file's
 * certificates, those already among the defaults left out (a system bundle repeats most of them,
 * and each duplicate costs the store a lookup: ~30 ms in all for a 144-certificate system bundle,
 * where Node spends ~40 ms at start-up on the same file). Node's rules for the file: unreadable,
 * one warning and nothing added; no PEM block, nothing added; a block that is not a certificate
 * ends the list there with a warning, keeping the certificates before it.
 */
function caOption(): {secureContext?: SecureContext} {
  if (extraCaFile === undefined) return {}
  const warn = (why: string): void => {
    process.stderr.write(`Warning: Ignoring extra certs from \`${extraCaFile}\`, load failed: ${why}\n`)
  }
  let text: string
  try {
    text = process.getBuiltinModule('node:fs').readFileSync(extraCaFile, 'latin1')
  } catch (err) {
    warn((err as Error).message)
    return {}
  }
  const pems: string[] = []
  for (const pem of text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []) {
    if (!looksLikeCertificate(pem)) {
      warn(`certificate ${pems.length + 1} is not a valid PEM certificate`)
      break
    }
    pems.push(pem)
  }
  const body = (pem: string): string => pem.replace(/-----[^-]*-----|\s/g, '')
  const tls = process.getBuiltinModule('node:tls')
  const roots = tls.rootCertificates
  const known = new Set(roots.map(body))
  const extra = pems.filter((pem) => !known.has(body(pem)))
  // One context for every connection (an agent given `ca` would build a store per connection).
  return extra.length === 0 ? {} : {secureContext: tls.createSecureContext({ca: [...roots, ...extra]})}
}

/**
 * A cheap stand-in for OpenSSL's parse (a full X.509 parse of a system bundle costs ~20 ms):
 * base64 that decodes to one DER SEQUENCE spanning exactly the decoded bytes.
 */
function looksLikeCertificate(pem: string): boolean {
  const b64 = pem.slice('-----BEGIN CERTIFICATE-----'.length, -'-----END CERTIFICATE-----'.length).replace(/\s/g, '')
  if (b64.length === 0 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return false
  const der = Buffer.from(b64, 'base64')
  if (der.length < 2 || der[0] !== 0x30) return false
  let length = der[1]!
  let header = 2
  if (length & 0x80) {
    const bytes = length & 0x7f
    if (bytes === 0 || bytes > 4 || der.length < 2 + bytes) return false
    length = 0
    for (let i = 0; i < bytes; i++) length = length * 256 + der[2 + i]!
    header += bytes
  }
  return header + length === der.length
}

/** `request` and agent for a URL's scheme. node:https (tls) is loaded on first use: loopback registries never need it. */
function transportFor(url: URL): {request: typeof httpRequest; agent: HttpAgent} {
  if (url.protocol === 'http:') return {request: httpRequest, agent: httpAgent}
  if (url.protocol !== 'https:') throw ociError('REGISTRY_PROTOCOL', `unsupported URL scheme ${url.protocol} in ${redactUrl(url.href)}`)
  if (httpsAgent === undefined || httpsRequest === undefined) {
    const https = process.getBuiltinModule('node:https')
    // Certificates are verified (Node's default); `insecure` does not change that (see the module comment).
    httpsAgent = keepAliveAgent(new https.Agent({...AGENT_OPTIONS, ...caOption()}))
    httpsRequest = https.request as typeof httpRequest
  }
  return {request: httpsRequest, agent: httpsAgent}
}

/** An error for a connection that closed without the error telling why. */
function connectionClosed(message: string): Error {
  return Object.assign(new Error(message), {code: 'ECONNRESET'})
}

/**
 * One HTTP exchange in flight, with the per-attempt timer: armed for the response headers,
 * then re-armed on every body chunk (it bounds silence). When it fires, the request and the
 * response are destroyed with an {@link AttemptTimeout}.
 */
class Attempt {
  timedOut = false
  #request?: ClientRequest
  #response?: IncomingMessage
  #timer?: NodeJS.Timeout

  constructor(readonly timeoutMs: number) {}

  arm(): void {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.timedOut = true
      const err = new AttemptTimeout('timeout')
      this.#response?.destroy(err)
      this.#request?.destroy(err)
    }, this.timeoutMs)
  }

  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  /** Send the request; resolves when the response headers arrive (body unread, stream paused). */
  start(url: URL, method: string, headers: Record<string, string>, body: Uint8Array | undefined): Promise<IncomingMessage> {
    return new Promise<IncomingMessage>((resolve, reject) => {
      const {request, agent} = transportFor(url)
      const options: RequestOptions = {
        method,
        // Built by hand rather than from the URL: userinfo in a URL must never become a Basic header.
        hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        headers,
        agent,
      }
      this.arm()
      let settled = false
      const req = request(options)
      this.#request = req
      req.on('response', (res) => {
        settled = true
        this.#response = res
        this.arm() // headers arrived: from now on the timeout bounds silence while reading the body
        resolve(res)
      })
      req.on('error', (err) => {
        if (!settled) {
          settled = true
          reject(err)
        } else {
          // A socket error after the headers: surface it to whoever reads (or drains) the body.
          this.#response?.destroy(err)
        }
      })
      req.on('close', () => {
        if (!settled) {
          settled = true
          reject(connectionClosed('connection closed before a response'))
        }
      })
      req.end(body)
    })
  }
}

/** Content-Length as a number, or undefined when absent or malformed. */
function declaredLength(headers: ResponseHeaders): number | undefined {
  const declared = headers.get('content-length')
  return declared !== null && /^\d+$/.test(declared.trim()) ? Number(declared) : undefined
}

/**
 * Let go of a response whose body is not wanted. Bodies that are empty, already complete or
 * declared small are drained so the keep-alive socket goes back to the pool before the next
 * request (bounded by `timeoutMs`, with a timer that does not hold the process open); anything
 * else is cut off, closing the connection. Resolves once the response is done with.
 */
function discard(res: IncomingMessage, headers: ResponseHeaders, method: string, timeoutMs: number): Promise<void> {
  res.on('error', () => {}) // nobody reads it any more: a late error must not become an uncaught 'error' event
  const status = res.statusCode ?? 0
  const length = declaredLength(headers)
  const drain = method === 'HEAD' || status === 204 || status === 304 || res.complete || (length !== undefined && length <= ERROR_BODY_LIMIT)
  if (!drain) {
    res.destroy()
    return Promise.resolve()
  }
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => res.destroy(), timeoutMs)
    timer.unref()
    const done = (): void => {
      clearTimeout(timer)
      resolve()
    }
    res.once('end', done)
    res.once('close', done)
    res.resume()
  })
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
    let body = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body
    // Compression is not asked for: bodies are hashed byte for byte.
    const headers: Record<string, string> = {'user-agent': this.#userAgent, accept: '*/*', 'accept-encoding': 'identity'}
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v
    for (let hop = 0; ; hop++) {
      // process.hrtime, not performance.now(): the `performance` global loads perf_hooks (~0.6 ms of start-up).
      const started = process.hrtime.bigint()
      let rateLimit: RateLimitInfo | undefined
      const report = (status?: number, error?: string): void => {
        if (this.#onRequest === undefined) return
        const event: RequestEvent = {
          method,
          url: redactUrl(url),
          status,
          attempt,
          durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
          ...(error === undefined ? {} : {error}),
          ...(rateLimit === undefined ? {} : {rateLimit}),
        }
        try {
          this.#onRequest(event)
        } catch {
          // An observer's failure must not change the request's outcome.
        }
      }
      if (body !== undefined) headers['content-length'] = String(body.byteLength)
      const exchange = new Attempt(this.#timeoutMs)
      let res: IncomingMessage
      try {
        res = await exchange.start(new URL(url), method, headers, body)
      } catch (err) {
        exchange.stop()
        if (isOciError(err)) throw err
        const timedOut = exchange.timedOut
        report(undefined, timedOut ? 'TIMEOUT' : (networkErrorCode(err) ?? 'NETWORK'))
        throw timedOut ? new AttemptTimeout('timeout', {cause: err}) : err
      }
      const status = res.statusCode ?? 0
      const resHeaders = new ResponseHeaders(res.rawHeaders)
      rateLimit = rateLimitOf(resHeaders)

      if (REDIRECT_STATUS.has(status)) {
        exchange.stop()
        await discard(res, resHeaders, method, this.#timeoutMs)
        report(status)
        const location = resHeaders.get('location')
        if (location === null) {
          throw ociError('REGISTRY_PROTOCOL', `${status} redirect without Location from ${redactUrl(url)}`)
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
        if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET'
          body = undefined
          delete headers['content-type']
          delete headers['content-length']
        }
        url = next.toString()
        continue
      }

      try {
        const ok = status >= 200 && status < 300
        let bytes: Uint8Array
        if (method === 'HEAD') {
          await discard(res, resHeaders, method, this.#timeoutMs)
          bytes = new Uint8Array(0)
        } else {
          bytes = await readBody(res, resHeaders, ok ? req.maxBytes : ERROR_BODY_LIMIT, !ok, req.what ?? 'response', url, () => exchange.arm())
        }
        report(status)
        return {status, statusText: res.statusMessage ?? '', headers: resHeaders, url, body: bytes, attempts: attempt}
      } catch (err) {
        if (isOciError(err)) {
          report(status, err.code)
          throw err
        }
        const timedOut = exchange.timedOut
        report(status, timedOut ? 'TIMEOUT' : (networkErrorCode(err) ?? 'NETWORK'))
        throw timedOut ? new AttemptTimeout('timeout', {cause: err}) : err
      } finally {
        exchange.stop()
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
 * (error bodies are only for messages). `touch` re-arms the idle timer on each chunk. A body
 * read to its end leaves the socket to the keep-alive pool; a body cut short closes it.
 */
function readBody(
  res: IncomingMessage,
  headers: ResponseHeaders,
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
  const length = declaredLength(headers)
  if (length !== undefined && length > limit && !truncate) {
    res.on('error', () => {})
    res.destroy()
    return Promise.reject(tooLarge(`Content-Length ${length} bytes`))
  }
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Uint8Array[] = []
    let total = 0
    let done = false
    const finish = (err?: unknown): void => {
      if (done) return
      done = true
      if (err !== undefined) {
        reject(err)
        return
      }
      // Always a fresh, exactly sized Uint8Array (not a Buffer view into a shared pool).
      const out = new Uint8Array(total)
      let offset = 0
      for (const c of chunks) {
        out.set(c, offset)
        offset += c.length
      }
      resolve(out)
    }
    res.on('data', (chunk: Buffer) => {
      if (done) return
      touch()
      if (total + chunk.length > limit) {
        res.destroy()
        if (truncate) {
          chunks.push(chunk.subarray(0, limit - total))
          total = limit
          finish()
        } else {
          finish(tooLarge(`more than ${limit} bytes streamed`))
        }
        return
      }
      chunks.push(chunk)
      total += chunk.length
    })
    res.on('end', () => finish())
    res.on('error', (err) => finish(err))
    res.on('close', () => finish(res.complete ? undefined : connectionClosed('connection closed while reading the body')))
  })
}
