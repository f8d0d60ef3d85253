/**
 * The one place that does HTTP, on `node:http` / `node:https` rather than the global `fetch`
 * (undici is slow to load and holds a CLI process open at exit; nothing here touches the
 * `fetch`/`Headers`/`Response`/web-stream globals, each of which loads it). Bounded waits (the
 * longest silence, the longest response, the longest request with its retries, and any deadline
 * the caller passes), bounded exponential backoff on 408/429/5xx and dropped connections
 * (Retry-After honoured up to a cap), a single quick retry when the connection is refused,
 * manual redirects that drop `Authorization` when the origin changes, and response bodies read
 * with a byte limit — or, for blobs of any size, streamed both ways (a request body piped from
 * its source, a response body handed over unread) with the same silence bound.
 *
 * TLS: certificates are always verified (Node's default CA store and host name checks).
 * `insecure` (`--allow-insecure-registry`) only allows plain HTTP to non-loopback hosts, the
 * contract of transport-policy.ts; it never turns off certificate verification.
 */
import type {IncomingMessage} from 'node:http'
import {PassThrough, type Readable} from 'node:stream'
import {SigilError} from '@sigil/core'
import {redactUrl, type OciErrorCode} from '../error.js'
import {Attempt, AttemptTimeout} from './attempt.js'
import {discard, ERROR_BODY_LIMIT, readBody, refuseDeclaredLength} from './body.js'
import {deadlineIn, earliest, monotonicMs, remainingMs, type Deadline} from './deadline.js'
import {rateLimitOf, ResponseHeaders, type RateLimitInfo} from './headers.js'
import {followRedirect, isRedirect} from './redirect.js'
import {connectionClosed, networkErrorCode, stalled, unreachable} from './network-error.js'
import {REFUSED_RETRY_DELAY_MS, RETRY_STATUS, RetryPolicy, sleep, TRANSIENT_CODES, type RetryOptions} from './retry.js'

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

/** Options of {@link HttpTransport}. */
export interface HttpTransportOptions {
  /** Per-attempt timeout for the response headers, and the longest silence while reading a body. Default 30000 ms. */
  readonly timeoutMs?: number
  /** Longest time one response may take, from sending the request to its last body byte. Default 45000 ms. */
  readonly responseTimeoutMs?: number
  /**
   * Longest time one {@link HttpTransport.send} may take, retries and backoff waits included, when
   * the request carries no `deadline` of its own. No retry starts after it. Default 55000 ms.
   */
  readonly operationTimeoutMs?: number
  readonly retry?: RetryOptions
  /** `User-Agent` header. Default `sigil`. */
  readonly userAgent?: string
  readonly onRequest?: (event: RequestEvent) => void
}

/**
 * A request body streamed from its source, of known length (sent as Content-Length). `open` is
 * called for every attempt and redirect hop, so each one sends the bytes from the start.
 */
export interface StreamingBody {
  readonly length: number
  open(): Promise<Readable>
  /** Called with the bytes of each chunk sent (progress). */
  readonly onBytes?: (count: number) => void
}

/** A request for {@link HttpTransport.send}. */
export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: Uint8Array | string | StreamingBody
  /**
   * Hand a 2xx body over as {@link HttpResponse.stream} instead of reading it into memory
   * (Content-Length is still checked against `maxBytes`; counting while reading is the caller's).
   * The idle timeout still bounds every silence while it is read, and the request's `deadline`
   * (not the per-response timeout) bounds the whole exchange: a big blob takes as long as it takes.
   */
  readonly stream?: boolean
  /** Largest successful (2xx) body accepted, checked against Content-Length and while streaming. */
  readonly maxBytes: number
  /** What the body is, for RESPONSE_TOO_LARGE messages (`manifest`, `blob`). Default `response`. */
  readonly what?: string
  /** What is asked for, for timeout messages (`the manifest of team/app:v1`). Default the method and URL. */
  readonly label?: string
  /** When the whole request, retries included, must be done by; replaces `operationTimeoutMs`. */
  readonly deadline?: Deadline
}

/** A response with its body fully read. */
export interface HttpResponse {
  readonly status: number
  readonly statusText: string
  readonly headers: ResponseHeaders
  /** Final URL (after redirects). */
  readonly url: string
  readonly body: Uint8Array
  /**
   * The unread body of a 2xx answer to a `stream` request (then `body` is empty). Read it to its
   * end or destroy it; a stall or a dropped connection errors it with a REGISTRY_UNREACHABLE error.
   */
  readonly stream?: Readable
  /** Attempts made (1 = no retry). */
  readonly attempts: number
}

export const DEFAULT_IDLE_TIMEOUT_MS = 30_000
export const DEFAULT_RESPONSE_TIMEOUT_MS = 45_000
export const DEFAULT_OPERATION_TIMEOUT_MS = 55_000

/** Thrown inside the transport when a deadline (not the idle timer) ended an attempt. */
class DeadlineExpired extends Error {
  constructor(
    readonly deadline: Deadline,
    readonly stage: 'headers' | 'body',
    readonly url: string,
    readonly method: string,
  ) {
    super('deadline expired')
  }
}

/** A streamed request body whose source failed: not retried, reported with the source's error as `cause`. */
export class SourceFailed extends Error {
  constructor(readonly source: unknown) {
    super(`the data to send could not be read: ${(source as Error)?.message ?? String(source)}`, {cause: source})
  }
}

/** Sends HTTP requests with timeouts, retries and safe redirects. Stateless apart from its options. */
export class HttpTransport {
  readonly #timeoutMs: number
  readonly #responseTimeoutMs: number
  readonly #operationTimeoutMs: number
  readonly #retry: RetryPolicy
  readonly #userAgent: string
  readonly #onRequest?: (event: RequestEvent) => void

  constructor(options: HttpTransportOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
    this.#responseTimeoutMs = options.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS
    this.#operationTimeoutMs = options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS
    this.#retry = new RetryPolicy(options.retry)
    this.#userAgent = options.userAgent ?? 'sigil'
    this.#onRequest = options.onRequest
  }

  /**
   * Send `req`, retrying transient failures while its deadline allows. Resolves with any final
   * HTTP response (including 4xx/5xx: the caller maps those); rejects with REGISTRY_UNREACHABLE
   * when no response could be obtained or a deadline passed (then `details.timeout` is true),
   * RESPONSE_TOO_LARGE, or REGISTRY_PROTOCOL for broken redirects.
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const operation = req.deadline ?? deadlineIn(this.#operationTimeoutMs)
    let refusedRetried = false
    for (let attempt = 1; ; attempt++) {
      if (remainingMs(operation) === 0) throw stalled(req.label, operation, 'headers', req.url, req.method, attempt - 1)
      // A retry happens only when its wait ends before the deadline.
      const mayRetryAfter = (delayMs: number): boolean => attempt <= this.#retry.attempts && monotonicMs() + delayMs < operation.at
      let res: HttpResponse
      try {
        res = await this.#exchange(req, attempt, operation)
      } catch (err) {
        if (isOciError(err)) throw err
        if (err instanceof SourceFailed) throw err.source
        if (err instanceof DeadlineExpired) {
          // One slow response may be followed by a quicker one; the request's own deadline is final.
          const delay = this.#retry.backoff(attempt)
          if (err.deadline !== operation && mayRetryAfter(delay)) {
            await sleep(delay)
            continue
          }
          throw stalled(req.label, err.deadline, err.stage, err.url, err.method, attempt)
        }
        const code = networkErrorCode(err) ?? (err instanceof AttemptTimeout ? 'TIMEOUT' : undefined)
        if (code === 'ECONNREFUSED' && !refusedRetried && mayRetryAfter(REFUSED_RETRY_DELAY_MS)) {
          refusedRetried = true
          await sleep(REFUSED_RETRY_DELAY_MS)
          continue
        }
        if (code !== undefined && TRANSIENT_CODES.has(code)) {
          const delay = this.#retry.backoff(attempt)
          if (mayRetryAfter(delay)) {
            await sleep(delay)
            continue
          }
        }
        throw unreachable(req.method, req.url, code, this.#timeoutMs, attempt, err)
      }
      if (RETRY_STATUS.has(res.status)) {
        const delay = this.#retry.delayAfter(res.headers.get('retry-after'), attempt)
        if (mayRetryAfter(delay)) {
          await sleep(delay)
          continue
        }
      }
      return res
    }
  }

  /** One attempt: follows redirects by hand and reads the final body. */
  async #exchange(req: HttpRequest, attempt: number, operation: Deadline): Promise<HttpResponse> {
    let url = req.url
    let method: string = req.method
    let body: Uint8Array | StreamingBody | undefined = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body
    // Compression is not asked for: bodies are hashed byte for byte.
    const headers: Record<string, string> = {'user-agent': this.#userAgent, accept: '*/*', 'accept-encoding': 'identity'}
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v
    for (let hop = 0; ; hop++) {
      // process.hrtime, not performance.now(): the `performance` global loads perf_hooks.
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
      if (body !== undefined) headers['content-length'] = String(body instanceof Uint8Array ? body.byteLength : body.length)
      // A streamed exchange (a blob of any size) is bounded by silences and the request's deadline only.
      const streamed = req.stream === true || (body !== undefined && !(body instanceof Uint8Array))
      const limit = streamed ? operation : earliest(deadlineIn(this.#responseTimeoutMs), operation)!
      const exchange = new Attempt(this.#timeoutMs, limit)
      /** The error for an attempt that failed (or was ended by a timer) after `status`. */
      const failed = (err: unknown, status?: number): Error => {
        const expiry = exchange.expiry
        report(status, expiry !== undefined ? 'TIMEOUT' : (networkErrorCode(err) ?? 'NETWORK'))
        if (expiry?.kind === 'deadline') return new DeadlineExpired(expiry.deadline, expiry.stage, url, method)
        if (expiry?.kind === 'idle') return new AttemptTimeout('timeout', {cause: err})
        return err as Error
      }
      let res: IncomingMessage
      try {
        const source = body === undefined || body instanceof Uint8Array ? body : {stream: await body.open(), onBytes: body.onBytes}
        res = await exchange.start(new URL(url), method, headers, source)
      } catch (err) {
        exchange.stop()
        if (isOciError(err)) throw err
        // The body's source failed (a file read, a download being copied): its error, not a network one.
        if (exchange.sourceError !== undefined) throw isOciError(exchange.sourceError) ? exchange.sourceError : new SourceFailed(exchange.sourceError)
        throw failed(err)
      }
      const status = res.statusCode ?? 0
      const resHeaders = new ResponseHeaders(res.rawHeaders)
      rateLimit = rateLimitOf(resHeaders)

      if (isRedirect(status)) {
        exchange.stop()
        await discard(res, resHeaders, method, Math.min(this.#timeoutMs, remainingMs(limit)))
        report(status)
        const next = followRedirect(status, resHeaders.get('location'), {url, method, body, headers}, hop, req.url)
        url = next.url
        method = next.method
        body = next.body
        continue
      }

      const ok = status >= 200 && status < 300
      if (ok && req.stream === true && method !== 'HEAD') {
        const refused = refuseDeclaredLength(res, resHeaders, req.maxBytes, req.what ?? 'response', url)
        if (refused !== undefined) {
          exchange.stop()
          report(status, refused.code)
          throw refused
        }
        report(status)
        return {status, statusText: res.statusMessage ?? '', headers: resHeaders, url, body: new Uint8Array(0), stream: this.#handOver(res, exchange, url, method, attempt, req.label), attempts: attempt}
      }
      try {
        let bytes: Uint8Array
        if (method === 'HEAD') {
          await discard(res, resHeaders, method, Math.min(this.#timeoutMs, remainingMs(limit)))
          bytes = new Uint8Array(0)
        } else {
          bytes = await readBody(res, resHeaders, {
            limit: ok ? req.maxBytes : ERROR_BODY_LIMIT,
            truncate: !ok,
            what: req.what ?? 'response',
            url,
            touch: () => exchange.arm(),
          })
        }
        report(status)
        return {status, statusText: res.statusMessage ?? '', headers: resHeaders, url, body: bytes, attempts: attempt}
      } catch (err) {
        if (isOciError(err)) {
          report(status, err.code)
          throw err
        }
        throw failed(err, status)
      } finally {
        exchange.stop()
      }
    }
  }

  /**
   * The body of `res` as a stream the caller reads: the exchange's timers stay armed (re-armed
   * per chunk) until it ends, and a timeout or network failure becomes a SigilError on it.
   */
  #handOver(res: IncomingMessage, exchange: Attempt, url: string, method: string, attempt: number, label: string | undefined): Readable {
    const out = new PassThrough({highWaterMark: 1024 * 1024})
    let finished = false
    const fail = (err: unknown): void => {
      if (finished) return
      finished = true
      exchange.stop()
      const expiry = exchange.expiry
      if (expiry?.kind === 'deadline') out.destroy(stalled(label, expiry.deadline, 'body', url, method, attempt))
      else out.destroy(isOciError(err) ? err : unreachable(method, url, expiry !== undefined ? 'TIMEOUT' : (networkErrorCode(err) ?? 'ECONNRESET'), this.#timeoutMs, attempt, err))
    }
    res.on('data', () => exchange.arm())
    res.on('error', fail)
    res.on('close', () => {
      if (!res.complete) fail(connectionClosed('connection closed while reading the body'))
    })
    res.on('end', () => {
      finished = true
      exchange.stop()
    })
    // The reader gave up (destroyed its end): let the connection go.
    out.on('close', () => {
      if (!finished) {
        finished = true
        exchange.stop()
        res.destroy()
      }
    })
    res.pipe(out)
    return out
  }
}

// instanceof, not isSigilError(): Node's own errors (code 'ECONNRESET', name 'Error') pass that shape test.
function isOciError(err: unknown): err is SigilError<OciErrorCode> {
  return err instanceof SigilError
}
