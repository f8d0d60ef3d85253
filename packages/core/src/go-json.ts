/**
 * JSON exactly as Go's `encoding/json` `Marshal` writes it, so signed bytes match cosign's.
 */
import {SigilError} from './errors.js'
import {compareUtf8} from './utf8-order.js'

// Marks objects from `sortedKeys`. Registry-wide so it survives duplicate package copies.
const GO_MAP = Symbol.for('@sigil/core/go-map')

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x08: '\\b', // Go ≥ 1.22; older Go wrote \u0008 and \u000c
  0x09: '\\t',
  0x0a: '\\n',
  0x0c: '\\f',
  0x0d: '\\r',
  0x22: '\\"',
  0x5c: '\\\\',
}

function unicodeEscape(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`
}

function needsEscape(code: number): boolean {
  // Go escapes HTML-significant characters and the JS line terminators on top of JSON's set.
  return code < 0x20 || code === 0x22 || code === 0x5c || code === 0x3c || code === 0x3e || code === 0x26 || code === 0x2028 || code === 0x2029
}

/**
 * `s` as a quoted JSON string with Go's escaping: `<` `>` `&` → `\u003c` `\u003e` `\u0026`,
 * U+2028/U+2029 → `\u2028`/`\u2029`, `\b \f \n \r \t " \\` short forms, other control
 * characters `\u00XX`; everything else (non-ASCII included) raw. A lone surrogate becomes
 * `\ufffd`, as Go writes for invalid UTF-8.
 */
export function goJsonString(s: string): string {
  let out = '"'
  let start = 0
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i)
    let escaped: string
    if (needsEscape(code)) {
      escaped = SHORT_ESCAPES[code] ?? unicodeEscape(code)
    } else if (code >= 0xd800 && code <= 0xdfff) {
      const next = s.charCodeAt(i + 1)
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++ // a valid pair: emitted raw
        continue
      }
      escaped = '\\ufffd'
    } else {
      continue
    }
    out += s.slice(start, i) + escaped
    start = i + 1
  }
  return `${out}${s.slice(start)}"`
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function encode(value: unknown, path: string): string {
  switch (typeof value) {
    case 'string':
      return goJsonString(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'bigint':
      return value.toString()
    case 'number':
      if (!Number.isFinite(value)) {
        throw new SigilError('INVALID_ARGUMENT', `cannot encode ${value} as JSON (at ${path})`)
      }
      // ECMAScript's shortest round-trip form and exponent thresholds equal Go's float64 output.
      return Object.is(value, -0) ? '-0' : String(value)
    case 'object': {
      if (value === null) return 'null'
      if (Array.isArray(value)) {
        return `[${value.map((item, i) => (item === undefined ? 'null' : encode(item, `${path}[${i}]`))).join(',')}]`
      }
      if (!isPlainObject(value)) {
        throw new SigilError('INVALID_ARGUMENT', `cannot encode a ${value.constructor?.name ?? 'non-plain'} object as JSON (at ${path})`)
      }
      const keys = Object.keys(value)
      if ((value as {[GO_MAP]?: boolean})[GO_MAP]) keys.sort(compareUtf8)
      const members: string[] = []
      for (const key of keys) {
        const member = value[key]
        if (member !== undefined) members.push(`${goJsonString(key)}:${encode(member, `${path}.${key}`)}`)
      }
      return `{${members.join(',')}}`
    }
    default:
      throw new SigilError('INVALID_ARGUMENT', `cannot encode a ${typeof value} as JSON (at ${path})`)
  }
}

/**
 * Compact JSON with Go's string escaping (`goJsonString`). Object keys keep insertion order,
 * so build objects in Go struct order; pass Go maps through `sortedKeys`. Properties that are
 * `undefined` are left out (Go's `omitempty`), `undefined` array items become `null`.
 * Throws `INVALID_ARGUMENT` for non-finite numbers, functions, symbols and class instances.
 */
export function goMarshal(value: unknown): string {
  return encode(value, '$')
}

/**
 * A copy of `obj` whose keys are sorted by UTF-8 byte value, as Go emits a `map[string]…`.
 * The copy is tagged so that `goMarshal` keeps that order even for integer-like keys
 * (`"10"`, `"9"`), which JS objects always enumerate first in numeric order.
 * Shallow: sort nested maps separately.
 */
export function sortedKeys<V>(obj: Readonly<Record<string, V>>): Record<string, V> {
  const out: Record<string, V> = {}
  for (const key of Object.keys(obj).sort(compareUtf8)) {
    Object.defineProperty(out, key, {value: obj[key], enumerable: true, writable: true, configurable: true})
  }
  Object.defineProperty(out, GO_MAP, {value: true})
  return out
}
