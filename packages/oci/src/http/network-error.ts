/** Naming what went wrong on the network, from the Node error codes buried in an error's causes. */

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

/** A few words for a network error code (`connection refused (ECONNREFUSED)`). */
export function describeNetworkError(code: string | undefined, timeoutMs: number): string {
  if (code === undefined) return 'network error'
  if (code === 'TIMEOUT') return `no response within ${timeoutMs} ms`
  if (/^(CERT_|ERR_SSL|ERR_TLS|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code)) return `TLS error (${code})`
  const text = DESCRIPTIONS[code]
  return text === undefined ? `network error (${code})` : `${text} (${code})`
}

/** An error for a connection that closed without the error telling why. */
export function connectionClosed(message: string): Error {
  return Object.assign(new Error(message), {code: 'ECONNRESET'})
}
