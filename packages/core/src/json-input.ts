/**
 * Internal helpers for reading untrusted JSON documents: a size limit checked before decoding,
 * errors with a stable code naming the format, and typed field readers.
 */
import {decodeStdBase64} from './base64.js'
import {SigilError} from './errors.js'
import type {SigilErrorCode} from './errors.js'

/** Throws the format's error; `reason` goes into `details.reason` as a stable sub-code. */
export type Fail = (message: string, reason?: string) => never

export function failWith(code: SigilErrorCode, prefix: string, format: string): Fail {
  return (message, reason = 'invalid') => {
    throw new SigilError(code, `${prefix}: ${message}`, {details: {format, reason}})
  }
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/**
 * `input` decoded as JSON, after checking its size against `maxBytes` (`RESPONSE_TOO_LARGE`,
 * before any decoding). Bytes that are not UTF-8 JSON fail with `fail`.
 */
export function parseJsonLimited(input: Uint8Array | string, maxBytes: number, what: string, format: string, fail: Fail): unknown {
  const size = typeof input === 'string' ? input.length : input.byteLength
  // A string's UTF-16 length is a lower bound of its UTF-8 size, so measure only when close.
  const bytes = typeof input === 'string' && size <= maxBytes && size * 3 > maxBytes ? new TextEncoder().encode(input).byteLength : size
  if (bytes > maxBytes) {
    throw new SigilError('RESPONSE_TOO_LARGE', `${what} is too large: ${bytes} bytes (limit ${maxBytes} bytes)`, {
      details: {format, reason: 'too-large', size: bytes, limit: maxBytes},
    })
  }
  let text: string
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', {fatal: true}).decode(input)
  } catch {
    return fail('not UTF-8 text', 'not-json')
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    return fail(`not JSON (${(err as Error).message})`, 'not-json')
  }
}

/**
 * A protobuf-JSON field: protojson accepts the JSON name and the proto field name, but not both.
 */
export function protoField(obj: Record<string, unknown>, jsonName: string, protoName: string, path: string, fail: Fail): unknown {
  const a = Object.hasOwn(obj, jsonName) ? obj[jsonName] : undefined
  const b = jsonName !== protoName && Object.hasOwn(obj, protoName) ? obj[protoName] : undefined
  if (a !== undefined && b !== undefined) fail(`${path} has both "${jsonName}" and "${protoName}"`)
  const value = a !== undefined ? a : b
  return value === null ? undefined : value
}

export function readString(value: unknown, path: string, fail: Fail): string {
  return typeof value === 'string' ? value : fail(`${path} must be a string, got ${kindOf(value)}`)
}

export function readOptionalString(value: unknown, path: string, fail: Fail): string | undefined {
  if (value === undefined || value === null) return undefined
  return readString(value, path, fail)
}

export function readStringMap(value: unknown, path: string, fail: Fail): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined
  if (!isJsonObject(value)) return fail(`${path} must be an object of strings, got ${kindOf(value)}`)
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') fail(`${path}[${JSON.stringify(key)}] must be a string, got ${kindOf(v)}`)
  }
  return value as Record<string, string>
}

const STD_OR_URL_BASE64 = /^(?:[A-Za-z0-9+/]*|[A-Za-z0-9_-]*)={0,2}$/

/**
 * Base64 as protojson and go-securesystemslib read it: the standard alphabet, else the
 * URL-safe one, padded or not. `undefined` for anything else.
 */
export function decodeLenientBase64(text: string): Uint8Array | undefined {
  if (!STD_OR_URL_BASE64.test(text)) return undefined
  let std = text.replace(/-/g, '+').replace(/_/g, '/')
  const unpadded = std.replace(/=+$/, '')
  if (unpadded.length % 4 === 1) return undefined
  if (std.length === unpadded.length) std = unpadded + '='.repeat((4 - (unpadded.length % 4)) % 4)
  return decodeStdBase64(std)
}

/** Deepest nesting of JSON values sigil walks recursively; deeper documents are refused, never a stack overflow. */
export const MAX_JSON_DEPTH = 1000

/** True when `value` nests arrays/objects deeper than `max` levels. Iterative: safe on any input. */
export function jsonDepthExceeds(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!
    if (typeof item !== 'object' || item === null) continue
    if (depth >= max) return true
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
    }
  }
  return false
}
