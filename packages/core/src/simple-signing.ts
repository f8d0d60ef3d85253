/**
 * cosign's simple-signing payload: the bytes that are actually signed (spec §1).
 */
import {parseDigest} from './digest.js'
import {SigilError} from './errors.js'
import {goMarshal, sortedKeys} from './go-json.js'

/** Media type of a signature layer holding a simple-signing payload. */
export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json'

/** `critical.type` of every cosign image signature. */
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature'

/** A decoded payload. Absent strings decode as `''`, as Go leaves them. */
export interface SimpleSigningPayload {
  readonly critical: {
    readonly identity: {readonly 'docker-reference': string}
    readonly image: {readonly 'docker-manifest-digest': string}
    readonly type: string
  }
  /** Annotations (`-a k=v`), or `null` when there are none. Values are usually strings. */
  readonly optional: Record<string, unknown> | null
}

/** Input of `buildPayload`. */
export interface BuildPayloadOptions {
  /** `critical.identity.docker-reference`: the repository name (`index.docker.io/library/ubuntu`), no tag. */
  readonly dockerReference: string
  /** `critical.image.docker-manifest-digest`: the signed manifest's digest. */
  readonly manifestDigest: string
  /** `optional`, written with keys sorted. Default none: `"optional":null`. */
  readonly annotations?: Readonly<Record<string, string>>
}

/**
 * The payload bytes cosign would sign: compact Go JSON in struct order, `optional` `null` when
 * there are no annotations. Throws `INVALID_REFERENCE` when `manifestDigest` is not a digest.
 */
export function buildPayload(options: BuildPayloadOptions): Uint8Array {
  parseDigest(options.manifestDigest)
  const annotations = options.annotations
  const json = goMarshal({
    critical: {
      identity: {'docker-reference': options.dockerReference},
      image: {'docker-manifest-digest': options.manifestDigest},
      type: COSIGN_SIGNATURE_TYPE,
    },
    optional: annotations && Object.keys(annotations).length > 0 ? sortedKeys(annotations) : null,
  })
  return new TextEncoder().encode(json)
}

type FieldDecoder = (value: unknown, path: string) => void

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function typeError(path: string, expected: string, value: unknown): SigilError {
  return new SigilError('INVALID_PAYLOAD', `invalid signature payload: ${path} must be ${expected}, got ${kindOf(value)}`)
}

// Go matches JSON keys to struct fields case-insensitively, with Unicode simple folding:
// besides ASCII, the Kelvin sign folds to "k" and the long s to "s".
function foldKey(key: string): string {
  return key.replace(/[A-Z\u212a\u017f]/g, (c) => (c === '\u212a' ? 'k' : c === '\u017f' ? 's' : c.toLowerCase()))
}

// A Go struct: unknown keys are ignored, `null` leaves the fields as they are, and repeated
// keys (in any case) are applied in order, later objects merging into earlier ones.
function struct(fields: Readonly<Record<string, FieldDecoder>>): FieldDecoder {
  const byName = new Map(Object.entries(fields))
  return (value, path) => {
    if (value === null) return
    if (!isJsonObject(value)) throw typeError(path, 'an object', value)
    for (const [key, member] of Object.entries(value)) byName.get(foldKey(key))?.(member, `${path}.${key}`)
  }
}

function stringField(set: (s: string) => void): FieldDecoder {
  return (value, path) => {
    if (value === null) return
    if (typeof value !== 'string') throw typeError(path, 'a string', value)
    set(value)
  }
}

/**
 * Decode a payload as cosign's Go decoder does: keys match case-insensitively
 * (`Docker-manifest-digest` works), unknown fields are ignored, missing strings are `''`.
 * Throws `INVALID_PAYLOAD` for bytes that are not JSON, a top level that is not an object,
 * or a field of the wrong type. Never re-serialize the result for verification: sign and
 * verify the original bytes.
 */
export function parsePayload(bytes: Uint8Array): SimpleSigningPayload {
  let doc: unknown
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes))
  } catch (err) {
    throw new SigilError('INVALID_PAYLOAD', `invalid signature payload: not JSON (${(err as Error).message})`, {cause: err})
  }
  if (!isJsonObject(doc)) throw typeError('the payload', 'a JSON object', doc)

  let dockerReference = ''
  let manifestDigest = ''
  let type = ''
  let optional: Record<string, unknown> | null = null
  const decode = struct({
    critical: struct({
      identity: struct({'docker-reference': stringField((s) => (dockerReference = s))}),
      image: struct({'docker-manifest-digest': stringField((s) => (manifestDigest = s))}),
      type: stringField((s) => (type = s)),
    }),
    // A Go map: null resets it, an object adds to it.
    optional: (value, path) => {
      if (value !== null && !isJsonObject(value)) throw typeError(path, 'an object or null', value)
      optional = value === null ? null : {...optional, ...value}
    },
  })
  decode(doc, 'payload')
  return {
    critical: {identity: {'docker-reference': dockerReference}, image: {'docker-manifest-digest': manifestDigest}, type},
    optional,
  }
}

/** Input of `checkClaims`. */
export interface CheckClaimsOptions {
  /** Digest of the manifest being verified. */
  readonly manifestDigest: string
  /** `verify -a k=v`: each key must be in `optional` with exactly this string value. */
  readonly annotations?: Readonly<Record<string, string>>
}

/** Outcome of `checkClaims`; `reason` is cosign's own message. */
export type ClaimCheckResult = {readonly ok: true} | {readonly ok: false; readonly reason: string}

/**
 * cosign's `SimpleClaimVerifier`: the digest claim must equal `manifestDigest`
 * (`invalid or missing digest in claim: <found>`), and every wanted annotation must be present
 * with the same string value (`missing or incorrect annotation`). `type` and
 * `docker-reference` are not checked, as cosign does not check them.
 */
export function checkClaims(payload: SimpleSigningPayload, options: CheckClaimsOptions): ClaimCheckResult {
  const found = payload.critical.image['docker-manifest-digest']
  if (found !== options.manifestDigest) return {ok: false, reason: `invalid or missing digest in claim: ${found}`}
  const optional = payload.optional
  for (const [key, value] of Object.entries(options.annotations ?? {})) {
    if (optional === null || !Object.hasOwn(optional, key) || optional[key] !== value) {
      return {ok: false, reason: 'missing or incorrect annotation'}
    }
  }
  return {ok: true}
}

// Go encoding/csv, one record, default options: what pflag's StringSlice does with a value.
function readCsvRecord(value: string): string[] {
  const fail = (problem: string): never => {
    throw new SigilError('INVALID_ANNOTATION', `unable to parse annotation: ${value}: ${problem}`)
  }
  const text = value.replace(/\r\n/g, '\n').replace(/^\n+/, '') // csv skips empty lines
  if (text === '') fail('no fields')
  const fields: string[] = []
  let i = 0
  for (;;) {
    let field = ''
    if (text[i] === '"') {
      i++
      for (;;) {
        const quote = text.indexOf('"', i)
        if (quote === -1) fail('extraneous or missing " in quoted-field')
        field += text.slice(i, quote)
        i = quote + 1
        if (text[i] === '"') {
          field += '"'
          i++
        } else if (i === text.length || text[i] === ',' || text[i] === '\n') {
          break
        } else {
          fail('extraneous or missing " in quoted-field')
        }
      }
    } else {
      let end = i
      while (end < text.length && text[end] !== ',' && text[end] !== '\n') end++
      field = text.slice(i, end)
      if (field.includes('"')) fail('bare " in non-quoted-field')
      i = end
    }
    fields.push(field)
    if (text[i] !== ',') return fields // end of input or of the first line: later lines are ignored
    i++
  }
}

/**
 * cosign's `-a/--annotations` values as a map. Like pflag's StringSlice, each value is also
 * split as one CSV record (`a=1,b=2`, `"x=1,2"`); each item is split at its first `=`,
 * and later keys win. Throws `INVALID_ANNOTATION` (`unable to parse annotation: <item>`).
 */
export function parseAnnotationFlags(values: readonly string[]): Record<string, string> {
  const annotations: Record<string, string> = {}
  for (const value of values) {
    if (value === '') continue // pflag: an empty value adds nothing
    for (const item of readCsvRecord(value)) {
      const eq = item.indexOf('=')
      if (eq === -1) throw new SigilError('INVALID_ANNOTATION', `unable to parse annotation: ${item}`)
      Object.defineProperty(annotations, item.slice(0, eq), {
        value: item.slice(eq + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
  }
  return annotations
}
