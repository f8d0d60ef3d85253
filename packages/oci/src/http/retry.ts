/** When a failed exchange is worth another attempt, and how long to wait before it. */

/** Retry knobs. */
export interface RetryOptions {
  /** Retries after the first attempt. Default 3. */
  readonly attempts?: number
  /** First backoff delay; doubles each retry (with jitter). Default 200 ms. */
  readonly baseDelayMs?: number
  /** Upper bound for one backoff delay, and for an honoured `Retry-After`. Default 10000 ms. */
  readonly maxDelayMs?: number
}

/** Statuses that are retried (the final one is returned to the caller). */
export const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504])

/** Network error codes that are retried with backoff. */
export const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'TIMEOUT'])

/** Refused usually means nothing listens: one quick retry covers a server that is restarting. */
export const REFUSED_RETRY_DELAY_MS = 100

/** Parse `Retry-After` (delta seconds or HTTP date) into milliseconds; undefined if absent/invalid. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined
  const v = value.trim()
  if (/^\d+$/.test(v)) return Number(v) * 1000
  const when = Date.parse(v)
  if (Number.isNaN(when)) return undefined
  return Math.max(0, when - now)
}

/** The retry policy with its defaults filled in. */
export class RetryPolicy {
  readonly attempts: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number

  constructor(options: RetryOptions = {}) {
    this.attempts = Math.max(0, options.attempts ?? 3)
    this.baseDelayMs = Math.max(0, options.baseDelayMs ?? 200)
    this.maxDelayMs = Math.max(0, options.maxDelayMs ?? 10_000)
  }

  /** Exponential backoff with jitter in [50%, 100%] of base·2^(n-1), capped. */
  backoff(attempt: number): number {
    const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1))
    return Math.round(exp / 2 + Math.random() * (exp / 2))
  }

  /** The wait before retrying a response: its `Retry-After` (capped), else the backoff. */
  delayAfter(retryAfter: string | null, attempt: number): number {
    const ms = parseRetryAfter(retryAfter)
    return ms === undefined ? this.backoff(attempt) : Math.min(ms, this.maxDelayMs)
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
