/**
 * Reading a response body into memory with a byte limit, or letting go of one nobody wants
 * without losing the keep-alive connection when that is cheap.
 */
import type {IncomingMessage} from 'node:http'
import type {SigilError} from '@sigil/core'
import {ociError, redactUrl, type OciErrorCode} from '../error.js'
import type {ResponseHeaders} from './headers.js'
import {connectionClosed} from './network-error.js'

/** Error bodies are only read this far (they are for messages). */
export const ERROR_BODY_LIMIT = 64 * 1024

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
export function discard(res: IncomingMessage, headers: ResponseHeaders, method: string, timeoutMs: number): Promise<void> {
  res.on('error', () => {}) // nobody reads it any more: a late error must not become an uncaught 'error' event
  const status = res.statusCode ?? 0
  const length = declaredLength(headers)
  const drain = method === 'HEAD' || status === 204 || status === 304 || res.complete || (length !== undefined && length <= ERROR_BODY_LIMIT)
  if (!drain) {
    res.destroy()
    return Promise.resolve()
  }
  return new Promise<void>((resolve) => {
    // Already over (a socket error right after the headers, say: a HEAD answered with a body
    // the parser refuses): 'end' and 'close' have been emitted and will not come again.
    if (res.destroyed || res.readableEnded) {
      resolve()
      return
    }
    const done = (): void => {
      clearTimeout(timer)
      resolve()
    }
    const timer = setTimeout(() => {
      res.destroy()
      done()
    }, timeoutMs)
    timer.unref()
    res.once('end', done)
    res.once('close', done)
    res.resume()
  })
}

function tooLargeError(what: string, url: string, size: string, limit: number): SigilError<OciErrorCode> {
  return ociError('RESPONSE_TOO_LARGE', `${what} from ${redactUrl(url)} is too large: ${size} (limit ${limit} bytes)`, {details: {limit}})
}

/**
 * A body whose Content-Length is over `limit`: the response is destroyed (nothing is read) and
 * the RESPONSE_TOO_LARGE error returned; undefined when the declared length is within it or absent.
 */
export function refuseDeclaredLength(res: IncomingMessage, headers: ResponseHeaders, limit: number, what: string, url: string): SigilError<OciErrorCode> | undefined {
  const length = declaredLength(headers)
  if (length === undefined || length <= limit) return undefined
  res.on('error', () => {})
  res.destroy()
  return tooLargeError(what, url, `Content-Length ${length} bytes`, limit)
}

/** How to read one body. */
export interface ReadBodyOptions {
  /** Largest body accepted. */
  readonly limit: number
  /** Drop what is over the limit instead of failing (error bodies are only for messages). */
  readonly truncate: boolean
  /** What the body is, for RESPONSE_TOO_LARGE messages. */
  readonly what: string
  readonly url: string
  /** Called on each chunk (re-arms the idle timer). */
  readonly touch: () => void
}

/**
 * Read a body into memory, refusing more than `limit` bytes: first by Content-Length (nothing is
 * buffered), then by counting while streaming. A body read to its end leaves the socket to the
 * keep-alive pool; a body cut short closes it.
 */
export function readBody(res: IncomingMessage, headers: ResponseHeaders, options: ReadBodyOptions): Promise<Uint8Array> {
  const {limit, truncate, what, url, touch} = options
  const tooLarge = (size: string): SigilError<OciErrorCode> => tooLargeError(what, url, size, limit)
  if (!truncate) {
    const refused = refuseDeclaredLength(res, headers, limit, what, url)
    if (refused !== undefined) return Promise.reject(refused)
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
