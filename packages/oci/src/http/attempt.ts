/** One HTTP exchange in flight, and the timers that end it when the server is too slow. */
import type {ClientRequest, IncomingMessage, RequestOptions} from 'node:http'
import type {Readable} from 'node:stream'
import {transportFor} from './agent-pool.js'
import {monotonicMs, type Deadline} from './deadline.js'
import {connectionClosed} from './network-error.js'

/** Thrown when an attempt's own timer aborts it. */
export class AttemptTimeout extends Error {
  readonly code = 'TIMEOUT'
}

/** What ended an attempt: silence longer than the idle timeout, or a deadline. */
export type Expiry = {readonly kind: 'idle'} | {readonly kind: 'deadline'; readonly deadline: Deadline; readonly stage: 'headers' | 'body'}

/**
 * One exchange with two timers. The idle timer is armed for the response headers, then re-armed
 * on every body chunk (it bounds silence). The deadline timer is set once: it bounds the whole
 * exchange, headers and body, however steadily the bytes trickle in. When either fires, the
 * request and the response are destroyed with an {@link AttemptTimeout} and {@link expiry} says which.
 */
export class Attempt {
  expiry?: Expiry
  /** The error of a streamed request body's source (it ended the request): the caller's to report as is. */
  sourceError?: unknown
  #request?: ClientRequest
  #response?: IncomingMessage
  #idle?: NodeJS.Timeout
  #hard?: NodeJS.Timeout

  constructor(
    readonly timeoutMs: number,
    readonly deadline: Deadline,
  ) {}

  get timedOut(): boolean {
    return this.expiry !== undefined
  }

  arm(): void {
    clearTimeout(this.#idle)
    this.#idle = setTimeout(() => this.#expire({kind: 'idle'}), this.timeoutMs)
  }

  stop(): void {
    clearTimeout(this.#idle)
    clearTimeout(this.#hard)
    this.#idle = undefined
    this.#hard = undefined
  }

  #expire(expiry: Expiry): void {
    if (this.expiry !== undefined) return
    this.expiry = expiry
    this.stop()
    const err = new AttemptTimeout('timeout')
    this.#response?.destroy(err)
    this.#request?.destroy(err)
  }

  /**
   * Send the request; resolves when the response headers arrive (body unread, stream paused).
   * A streamed body is piped with backpressure, each chunk re-arming the idle timer; its error
   * (a digest mismatch of a blob being copied, say) ends the request with that error.
   */
  start(url: URL, method: string, headers: Record<string, string>, body: Uint8Array | {readonly stream: Readable; readonly onBytes?: (n: number) => void} | undefined): Promise<IncomingMessage> {
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
      this.#hard = setTimeout(
        () => this.#expire({kind: 'deadline', deadline: this.deadline, stage: this.#response === undefined ? 'headers' : 'body'}),
        Math.max(0, this.deadline.at - monotonicMs()),
      )
      let settled = false
      const req = request(options)
      this.#request = req
      const source = body === undefined || body instanceof Uint8Array ? undefined : body.stream
      req.on('response', (res) => {
        // An answer before the whole body was sent (401, 413…): the rest is not wanted.
        if (source !== undefined && !source.readableEnded) source.destroy()
        settled = true
        this.#response = res
        this.arm() // headers arrived: from now on the idle timer bounds silence while reading the body
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
        source?.destroy()
        if (!settled) {
          settled = true
          reject(connectionClosed('connection closed before a response'))
        }
      })
      if (source === undefined) {
        req.end(body as Uint8Array | undefined)
        return
      }
      const onBytes = body !== undefined && !(body instanceof Uint8Array) ? body.onBytes : undefined
      source.on('data', (chunk: Uint8Array) => {
        this.arm()
        onBytes?.(chunk.length)
      })
      source.on('error', (err) => {
        this.sourceError ??= err
        req.destroy(err)
      })
      source.pipe(req)
    })
  }
}
