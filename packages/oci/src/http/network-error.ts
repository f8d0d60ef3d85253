/**
 * What went wrong on the network, in words: the Node error codes buried in an error's causes,
 * and the one-line errors for a registry that cannot be reached or did not answer in time.
 */
import type {SigilError} from '@sigil/core'
import {ociError, redactUrl, REGISTRY_TIMEOUT, type OciErrorCode} from '../error.js'
import {formatDuration, type Deadline} from './deadline.js'

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

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return '<invalid url>'
  }
}

/** REGISTRY_UNREACHABLE for a request that got no usable response (`code` from {@link networkErrorCode}). */
export function unreachable(method: string, url: string, code: string | undefined, idleTimeoutMs: number, attempts: number, cause: unknown): SigilError<OciErrorCode> {
  const host = hostOf(url)
  return ociError(
    'REGISTRY_UNREACHABLE',
    `cannot reach ${host}: ${describeNetworkError(code, idleTimeoutMs)} on ${method} ${redactUrl(url)}` +
      `${attempts > 1 ? ` (after ${attempts} attempts)` : ''}; check the registry address and that it is running`,
    {cause, details: {host, code, attempts}},
  )
}

/**
 * The one-line error for a registry that did not answer, or did not finish answering, before a
 * deadline: it names the host that stalled, what was asked of it (`label`, else the method and
 * URL) and the budget.
 */
export function stalled(
  label: string | undefined,
  deadline: Deadline,
  stage: 'headers' | 'body',
  url: string,
  method: string,
  attempts: number,
): SigilError<OciErrorCode> {
  const host = hostOf(url)
  const what = label ?? `${method} ${redactUrl(url)}`
  const did =
    stage === 'headers'
      ? `did not answer the request for ${what}`
      : method === 'GET'
        ? `did not finish sending ${what}`
        : `did not finish answering the request for ${what}`
  return ociError(REGISTRY_TIMEOUT, `registry ${host} ${did} within ${formatDuration(deadline.budgetMs)}${attempts > 1 ? ` (${attempts} attempts)` : ''}`, {
    details: {host, timeout: true, timeoutMs: deadline.budgetMs, stage, method, url: redactUrl(url), attempts},
  })
}
