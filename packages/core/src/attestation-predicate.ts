/**
 * What `cosign attest --type T --predicate F` puts in the statement (cosign
 * `pkg/cosign/attestation`, spec §7.2): the predicate type, and the predicate as cosign has it
 * after its per-type handling. Pure: the caller reads the file and gives the time.
 */
import {SigilError} from './errors.js'
import {COSIGN_PREDICATE_TYPES, predicateTypeForFlag} from './in-toto.js'
import {isJsonObject} from './json-input.js'
import {formatRfc3339Seconds} from './referrers.js'

/**
 * Largest predicate file `attest` reads. A statement is at most `MAX_STATEMENT_BYTES` (16 MiB) and
 * its envelope base64-encodes it (4/3), so 8 MiB leaves room for the custom type's string escaping.
 */
export const MAX_PREDICATE_BYTES = 8 * 1024 * 1024

/** Input of {@link attestationPredicate}. */
export interface AttestationPredicateOptions {
  /** `--type`: a shortcut of `COSIGN_PREDICATE_TYPES` or a URI. Default `custom`. */
  readonly type?: string
  /** The predicate file's bytes. */
  readonly predicate: Uint8Array
  /** For the custom type's `Timestamp` (RFC 3339, UTC, whole seconds). Default now. */
  readonly now?: Date
}

/** The statement's `predicateType` and `predicate`. */
export interface AttestationPredicate {
  readonly predicateType: string
  /** A JSON object, or a string for `spdx` (cosign embeds that file as a string). */
  readonly predicate: Record<string, unknown> | string
}

const REQUIRED: Readonly<Record<string, readonly string[]>> = Object.freeze({
  slsaprovenance: ['builder', 'buildType'],
  slsaprovenance02: ['builder', 'buildType'],
  slsaprovenance1: ['buildDefinition', 'runDetails'],
  link: ['_type', 'name', 'materials', 'products', 'byproducts', 'command', 'environment'],
})

const WHAT: Readonly<Record<string, string>> = Object.freeze({
  slsaprovenance: 'provenance predicate',
  slsaprovenance02: 'provenance predicate',
  slsaprovenance1: 'provenance predicate',
  link: 'link statement',
})

function parseJson(bytes: Uint8Array, type: string): unknown {
  let text: string
  try {
    text = new TextDecoder('utf-8', {fatal: true}).decode(bytes)
  } catch {
    throw new SigilError('INVALID_ARGUMENT', `the predicate for --type ${type} must be JSON, and it is not UTF-8 text`)
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new SigilError('INVALID_ARGUMENT', `the predicate for --type ${type} is not valid JSON: ${(err as Error).message}`)
  }
}

const isEmpty = (v: unknown): boolean =>
  v === undefined || v === null || v === '' || v === false || v === 0 || (Array.isArray(v) && v.length === 0) || (isJsonObject(v) && Object.keys(v).length === 0)

/** Keep `fields` of `value` (Go struct decoding drops the rest), leaving out empty `omitempty` ones. */
function project(value: Record<string, unknown>, fields: readonly string[], omitEmpty: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    if (!Object.hasOwn(value, f)) continue
    if (omitEmpty.includes(f) && isEmpty(value[f])) continue
    out[f] = value[f]
  }
  return out
}

/** cosign re-reads SLSA v0.2 into in-toto-golang's struct: unknown fields and empty optional ones go. */
function slsa02(p: Record<string, unknown>): Record<string, unknown> {
  const out = project(p, ['builder', 'buildType', 'invocation', 'buildConfig', 'metadata', 'materials'], ['invocation', 'buildConfig', 'metadata', 'materials'])
  if (isJsonObject(out.builder)) out.builder = project(out.builder, ['id'])
  if (isJsonObject(out.invocation)) {
    const inv = project(out.invocation, ['configSource', 'parameters', 'environment'], ['configSource', 'parameters', 'environment'])
    if (isJsonObject(inv.configSource)) inv.configSource = project(inv.configSource, ['uri', 'digest', 'entryPoint'], ['uri', 'digest', 'entryPoint'])
    if (isEmpty(inv.configSource)) delete inv.configSource
    out.invocation = inv
    if (isEmpty(inv)) delete out.invocation
  }
  if (Array.isArray(out.materials)) out.materials = out.materials.map((m) => (isJsonObject(m) ? project(m, ['uri', 'digest'], ['uri', 'digest']) : m))
  return out
}

/** cosign's vuln struct has no `omitempty`: every field is written, zero values for missing ones. */
function vuln(p: Record<string, unknown>): Record<string, unknown> {
  const obj = (v: unknown): Record<string, unknown> => (isJsonObject(v) ? v : {})
  const str = (v: unknown): string => (typeof v === 'string' ? v : '')
  const inv = obj(p.invocation)
  const scanner = obj(p.scanner)
  const db = obj(scanner.db)
  const meta = obj(p.metadata)
  const time = (v: unknown): string => (typeof v === 'string' && v !== '' ? v : '0001-01-01T00:00:00Z')
  return {
    invocation: {parameters: inv.parameters ?? null, uri: str(inv.uri), event_id: str(inv.event_id), 'builder.id': str(inv['builder.id'])},
    scanner: {uri: str(scanner.uri), version: str(scanner.version), db: {uri: str(db.uri), version: str(db.version)}, result: scanner.result ?? null},
    metadata: {scanStartedOn: time(meta.scanStartedOn), scanFinishedOn: time(meta.scanFinishedOn)},
  }
}

/**
 * cosign's `GenerateStatement` per type: `custom` (default) wraps the file as a string in
 * `{"Data": <file>, "Timestamp": <RFC 3339 now>}`; `spdx` embeds it as a string; every other type
 * (and any URI) parses it as JSON, which must be an object; the SLSA and link types must carry
 * their required fields (`provenance predicate: required field builder missing`), and SLSA v0.2
 * and vuln are re-read as cosign's structs read them.
 * Throws `INVALID_ARGUMENT` (a usage error) for an unknown type or a predicate that does not fit it.
 */
export function attestationPredicate(options: AttestationPredicateOptions): AttestationPredicate {
  const type = options.type ?? 'custom'
  const predicateType = predicateTypeForFlag(type)
  const bytes = options.predicate
  if (bytes.length > MAX_PREDICATE_BYTES) {
    throw new SigilError('INVALID_ARGUMENT', `the predicate is ${bytes.length} bytes, over the ${MAX_PREDICATE_BYTES}-byte limit`)
  }
  if (predicateType === COSIGN_PREDICATE_TYPES.custom) {
    let data: string
    try {
      data = new TextDecoder('utf-8', {fatal: true}).decode(bytes)
    } catch {
      throw new SigilError('INVALID_ARGUMENT', 'the predicate for --type custom must be UTF-8 text')
    }
    return {predicateType, predicate: {Data: data, Timestamp: formatRfc3339Seconds(options.now ?? new Date())}}
  }
  if (type === 'spdx') {
    try {
      return {predicateType, predicate: new TextDecoder('utf-8', {fatal: true}).decode(bytes)}
    } catch {
      throw new SigilError('INVALID_ARGUMENT', 'the predicate for --type spdx must be UTF-8 text')
    }
  }
  const doc = parseJson(bytes, type)
  if (!isJsonObject(doc)) throw new SigilError('INVALID_ARGUMENT', `the predicate for --type ${type} must be a JSON object`)
  for (const field of REQUIRED[type] ?? []) {
    if (!Object.hasOwn(doc, field)) throw new SigilError('INVALID_ARGUMENT', `${WHAT[type]}: required field ${field} missing`)
  }
  if (type === 'slsaprovenance' || type === 'slsaprovenance02') return {predicateType, predicate: slsa02(doc)}
  if (type === 'vuln') return {predicateType, predicate: vuln(doc)}
  return {predicateType, predicate: doc}
}
