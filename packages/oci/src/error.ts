/**
 * Turning HTTP failures into SigilErrors with stable codes. Messages carry the registry's own
 * `errors[].code/message` but never an Authorization value or a token.
 */
import {SigilError, type SigilErrorCode} from '@sigil/core'

/** The codes @sigil/oci raises. */
export type OciErrorCode = Extract<
  SigilErrorCode,
  | 'REGISTRY_UNREACHABLE'
  | 'REGISTRY_AUTH_FAILED'
  | 'REGISTRY_DENIED'
  | 'REGISTRY_ERROR'
  | 'REGISTRY_PROTOCOL'
  | 'INSECURE_REGISTRY'
  | 'DIGEST_MISMATCH'
  | 'RESPONSE_TOO_LARGE'
  | 'MANIFEST_UNKNOWN'
  | 'BLOB_UNKNOWN'
  | 'INVALID_ARGUMENT'
  | 'INVALID_REFERENCE'
>

/**
 * The code of a registry that did not answer, or did not finish answering, within a deadline:
 * unreachable, as a connection that never opens is (`details.timeout` tells them apart).
 */
export const REGISTRY_TIMEOUT: OciErrorCode = 'REGISTRY_UNREACHABLE'

/** One entry of a registry error body (`{"errors":[{"code","message","detail"}]}`). */
export interface RegistryErrorEntry {
  readonly code: string
  readonly message: string
}

/** Create an oci error (a SigilError narrowed to {@link OciErrorCode}). */
export function ociError(
  code: OciErrorCode,
  message: string,
  options?: {cause?: unknown; details?: Record<string, unknown>},
): SigilError<OciErrorCode> {
  return new SigilError<OciErrorCode>(code, message, options)
}

/** Drop control characters (terminal escapes) and collapse whitespace in server-supplied text. */
export function sanitizeText(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim()
  return clean.length > max ? `${clean.slice(0, max)}…` : clean
}

/**
 * Parse the registry's error body. Returns undefined when the body is not the distribution
 * error shape (HTML from a proxy, truncated JSON, …).
 */
export function parseRegistryErrors(body: Uint8Array): RegistryErrorEntry[] | undefined {
  if (body.length === 0) return undefined
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(body))
  } catch {
    return undefined
  }
  if (typeof json !== 'object' || json === null) return undefined
  const errors = (json as {errors?: unknown}).errors
  if (!Array.isArray(errors)) return undefined
  const entries: RegistryErrorEntry[] = []
  for (const e of errors) {
    if (typeof e !== 'object' || e === null) continue
    const code = (e as {code?: unknown}).code
    const message = (e as {message?: unknown}).message
    entries.push({
      code: typeof code === 'string' ? sanitizeText(code, 64) : 'UNKNOWN',
      message: typeof message === 'string' ? sanitizeText(message) : '',
    })
  }
  return entries
}

/** Describe a registry error body for a message: `CODE: message; CODE2: message2` or a body snippet. */
export function describeErrorBody(body: Uint8Array): {text: string; entries?: RegistryErrorEntry[]} {
  const entries = parseRegistryErrors(body)
  if (entries !== undefined && entries.length > 0) {
    return {text: entries.map((e) => (e.message ? `${e.code}: ${e.message}` : e.code)).join('; '), entries}
  }
  const snippet = sanitizeText(new TextDecoder().decode(body.subarray(0, 1024)))
  return {text: snippet === '' ? '' : `unparsable error body: "${snippet}"`, entries}
}

/**
 * Remove credentials from a URL for messages and events: userinfo is dropped and query values
 * that look like signatures or tokens (pre-signed blob URLs) are replaced by `REDACTED`.
 */
export function redactUrl(url: string): string {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return '<invalid url>'
  }
  u.username = ''
  u.password = ''
  if (u.search === '') return u.toString()
  const parts = u.search
    .slice(1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=')
      const key = eq === -1 ? pair : pair.slice(0, eq)
      return /sig|token|credential|secret|key|password|policy|auth/i.test(decodeURIComponentSafe(key)) && eq !== -1
        ? `${key}=REDACTED`
        : pair
    })
  return `${u.origin}${u.pathname}?${parts.join('&')}`
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** What was being done when a response failed, for the error message. */
export interface FailureContext {
  /** HTTP method. */
  readonly method: string
  /** Request URL (redacted before use). */
  readonly url: string
  /** Human description, e.g. `manifest 127.0.0.1:5000/app:latest`. */
  readonly subject: string
  /** Code for a 404 (MANIFEST_UNKNOWN, BLOB_UNKNOWN); default REGISTRY_ERROR. */
  readonly notFound?: OciErrorCode
  /** How many attempts were made (retries included). */
  readonly attempts?: number
}

/** The minimal response shape {@link errorFromResponse} needs. */
export interface FailedResponse {
  readonly status: number
  readonly statusText: string
  readonly body: Uint8Array
  /** Response headers, for 429 (`ratelimit-reset`, `retry-after`). */
  readonly headers?: {get(name: string): string | null}
}

/**
 * When a rate limit resets, from `ratelimit-reset` (seconds from now, or an epoch time) or
 * `Retry-After` (seconds or an HTTP date); undefined when the response does not say.
 */
export function rateLimitReset(headers: {get(name: string): string | null} | undefined, now = Date.now()): Date | undefined {
  if (headers === undefined) return undefined
  const reset = headers.get('ratelimit-reset')?.split(';')[0]?.trim()
  if (reset !== undefined && /^\d+$/.test(reset)) {
    const n = Number(reset)
    // Small numbers are delta-seconds (IETF RateLimit draft), large ones epoch seconds.
    return new Date(n > 1_000_000_000 ? n * 1000 : now + n * 1000)
  }
  const retryAfter = headers.get('retry-after')?.trim()
  if (retryAfter !== undefined && retryAfter !== '') {
    if (/^\d+$/.test(retryAfter)) return new Date(now + Number(retryAfter) * 1000)
    const at = Date.parse(retryAfter)
    if (!Number.isNaN(at)) return new Date(at)
  }
  return undefined
}

/**
 * Map an unsuccessful registry response to a SigilError:
 * 404 → `notFound` (or REGISTRY_ERROR), 401 → REGISTRY_AUTH_FAILED, 403 or a `DENIED` entry →
 * REGISTRY_DENIED, anything else → REGISTRY_ERROR. The registry's `errors[]` are in the
 * message and in `details.registryErrors`.
 */
export function errorFromResponse(res: FailedResponse, ctx: FailureContext): SigilError<OciErrorCode> {
  const {text, entries} = describeErrorBody(res.body)
  const url = redactUrl(ctx.url)
  const statusText = `${res.status}${res.statusText ? ` ${sanitizeText(res.statusText, 64)}` : ''}`
  const suffix = text ? `: ${text}` : ''
  const retried = ctx.attempts !== undefined && ctx.attempts > 1 ? ` after ${ctx.attempts} attempts` : ''
  const details = {status: res.status, method: ctx.method, url, registryErrors: entries ?? []}
  const codes = new Set((entries ?? []).map((e) => e.code))

  if (res.status === 404 && ctx.notFound !== undefined) {
    return ociError(ctx.notFound, `${ctx.subject} not found (${statusText}${suffix})`, {details})
  }
  if (res.status === 401) {
    return ociError(
      'REGISTRY_AUTH_FAILED',
      `authentication failed for ${ctx.subject} (${ctx.method} ${url} → ${statusText}${suffix}); check your registry credentials (docker login)`,
      {details},
    )
  }
  if (res.status === 429 || codes.has('TOOMANYREQUESTS')) {
    const reset = rateLimitReset(res.headers)
    const limit = res.headers?.get('ratelimit-limit')
    return ociError(
      'REGISTRY_ERROR',
      `rate limit reached for ${ctx.subject} (${ctx.method} ${url} → ${statusText}${retried}${suffix})` +
        `${limit ? `; limit ${sanitizeText(limit, 64)}` : ''}` +
        `; ${reset === undefined ? 'try again later' : `the limit resets at ${reset.toISOString()}`}` +
        '; log in (docker login / sigil login) for a higher limit, or use a mirror (registries.json)',
      {details: {...details, rateLimited: true, ...(reset === undefined ? {} : {resetAt: reset.toISOString()})}},
    )
  }
  if (res.status === 403 || codes.has('DENIED')) {
    return ociError(
      'REGISTRY_DENIED',
      `access denied to ${ctx.subject} (${ctx.method} ${url} → ${statusText}${suffix}); the credentials lack permission for this repository`,
      {details},
    )
  }
  return ociError('REGISTRY_ERROR', `registry error for ${ctx.subject}: ${ctx.method} ${url} → ${statusText}${retried}${suffix}`, {
    details,
  })
}
