/** One HTTP exchange in flight, and the timer that ends it when the server goes silent. */
import type {ClientRequest, IncomingMessage, RequestOptions} from 'node:http'
import {transportFor} from './agent-pool.js'
import {connectionClosed} from './network-error.js'

/** Thrown when an attempt's own timer aborts it. */
export class AttemptTimeout extends Error {
  readonly code = 'TIMEOUT'
}

/**
 * One exchange with the per-attempt timer: armed for the response headers, then re-armed on
 * every body chunk (it bounds silence). When it fires, the request and the response are
 * destroyed with an {@link AttemptTimeout}.
 */
export class Attempt {
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
