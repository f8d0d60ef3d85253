/**
 * Internal: JSON as Go's `protojson.Marshal` writes it (what sigstore-go and cosign 3 write for
 * bundles and in-toto statements): compact, message fields in declaration order (build objects
 * in that order), maps and `google.protobuf.Struct` values with keys sorted at every depth, and
 * protojson's string escaping, which, unlike `encoding/json`, leaves `<`, `>`, `&`, U+2028 and
 * U+2029 raw. protojson adds a space after every comma in some Go binaries ("detrand", chosen
 * once per binary from its hash, to keep people from depending on the bytes); the vectors'
 * cosign 3.1.1 writes none, and neither does this. Readers must not care.
 */
import {SigilError} from './errors.js'
import {compareUtf8} from './utf8-order.js'

/** Marks a `google.protobuf.Struct`/`Value` or a proto map: every object inside has sorted keys. */
export class ProtoStruct {
  constructor(readonly value: unknown) {}
}

const SHORT: Readonly<Record<number, string>> = {0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r', 0x22: '\\"', 0x5c: '\\\\'}

/** `s` quoted as protojson writes strings. Throws `INVALID_ARGUMENT` for a lone surrogate (invalid UTF-8 to Go). */
export function protoJsonString(s: string, path = '$'): string {
  let out = '"'
  let start = 0
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i)
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = s.charCodeAt(i + 1)
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++
        continue
      }
      throw new SigilError('INVALID_ARGUMENT', `cannot encode a string with a lone surrogate as protobuf JSON (at ${path})`)
    }
    if (code >= 0x20 && code !== 0x22 && code !== 0x5c) continue
    out += s.slice(start, i) + (SHORT[code] ?? `\\u${code.toString(16).padStart(4, '0')}`)
    start = i + 1
  }
  return `${out}${s.slice(start)}"`
}

function encode(value: unknown, sorted: boolean, path: string): string {
  if (value instanceof ProtoStruct) return encode(value.value, true, path)
  switch (typeof value) {
    case 'string':
      return protoJsonString(value, path)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      if (!Number.isFinite(value)) throw new SigilError('INVALID_ARGUMENT', `cannot encode ${value} as protobuf JSON (at ${path})`)
      // protojson formats doubles like encoding/json, which equals ECMAScript's shortest form.
      return Object.is(value, -0) ? '-0' : String(value)
    case 'object': {
      if (value === null) return 'null'
      if (Array.isArray(value)) return `[${value.map((item, i) => encode(item, sorted, `${path}[${i}]`)).join(',')}]`
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) {
        throw new SigilError('INVALID_ARGUMENT', `cannot encode a ${value.constructor?.name ?? 'non-plain'} object as protobuf JSON (at ${path})`)
      }
      const record = value as Record<string, unknown>
      const keys = Object.keys(record)
      if (sorted) keys.sort(compareUtf8)
      const members: string[] = []
      for (const key of keys) {
        const member = record[key]
        if (member !== undefined) members.push(`${protoJsonString(key, path)}:${encode(member, sorted, `${path}.${key}`)}`)
      }
      return `{${members.join(',')}}`
    }
    default:
      throw new SigilError('INVALID_ARGUMENT', `cannot encode a ${typeof value} as protobuf JSON (at ${path})`)
  }
}

/** Compact protobuf JSON of `value`; `undefined` members are left out (unset fields). */
export function protoMarshal(value: unknown): string {
  return encode(value, false, '$')
}
