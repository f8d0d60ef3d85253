/**
 * in-toto statements as cosign writes them (spec §2.7, §7.2): the v1 statement cosign 3 signs
 * for an image, the statements of `cosign attest`, and a validating decoder for both versions.
 */
import {parseDigest} from './digest.js'
import {SigilError} from './errors.js'
import {goMarshal, sortedKeys} from './go-json.js'
import {MAX_JSON_DEPTH, failWith, isJsonObject, jsonDepthExceeds, kindOf, parseJsonLimited, protoField, readOptionalString, readString} from './json-input.js'
import type {Fail} from './json-input.js'
import {ProtoStruct, protoMarshal} from './proto-json.js'

/** `_type` of an in-toto Statement v1 (cosign 3 image signatures). */
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1'
/** `_type` of an in-toto Statement v0.1 (what `cosign attest` writes, in both formats). */
export const IN_TOTO_STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1'
/** predicateType of a cosign 3 image signature; the only one sigil counts as an image signature. */
export const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1'
/** Largest statement `parseInTotoStatement` decodes unless told otherwise. */
export const MAX_STATEMENT_BYTES = 16 * 1024 * 1024
/** Most subjects a statement may list (sigstore-go's limit). */
export const MAX_STATEMENT_SUBJECTS = 1024
/** Most digests one subject may list (sigstore-go's limit). */
export const MAX_SUBJECT_DIGESTS = 32

/**
 * cosign's `attest --type` shortcuts → predicateType (cosign `options.PredicateTypeMap`).
 * Any other `--type` must be a URI and is used as is (`predicateTypeForFlag`).
 */
export const COSIGN_PREDICATE_TYPES: Readonly<Record<string, string>> = Object.freeze({
  custom: 'https://cosign.sigstore.dev/attestation/v1',
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  link: 'https://in-toto.io/Link/v1',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
})

/** Which statement version a `_type` names. */
export type InTotoStatementVersion = 'v1' | 'v0.1'

/** A statement subject (in-toto `ResourceDescriptor`, the fields cosign uses). */
export interface InTotoSubject {
  /** v0.1 attestations name the repository (`index.docker.io/library/x`); cosign 3 signatures have none. */
  readonly name?: string
  /** Algorithm → lower-case hex, e.g. `{sha256: "6c11…"}`. */
  readonly digest: Readonly<Record<string, string>>
  /** cosign 3 signatures: the `-a` annotations (any JSON values, strings from cosign). */
  readonly annotations?: Readonly<Record<string, unknown>>
}

/** A decoded statement. */
export interface InTotoStatement {
  /** The `_type` URI. */
  readonly type: string
  readonly version: InTotoStatementVersion
  /** At least one. */
  readonly subject: readonly InTotoSubject[]
  readonly predicateType: string
  /** Any JSON; `undefined` when absent. */
  readonly predicate?: unknown
}

/** Options of `parseInTotoStatement`. */
export interface ParseStatementOptions {
  /** Size limit checked before decoding; default `MAX_STATEMENT_BYTES`. */
  readonly maxBytes?: number
}

/**
 * cosign's `ParsePredicateType`: a `--type` shortcut from `COSIGN_PREDICATE_TYPES`, else `type`
 * itself when it is a request URI (a scheme, or an absolute path). Throws `INVALID_ARGUMENT`
 * (`invalid predicate type: <type>`).
 */
export function predicateTypeForFlag(type: string): string {
  if (Object.hasOwn(COSIGN_PREDICATE_TYPES, type)) return COSIGN_PREDICATE_TYPES[type]!
  // Go url.ParseRequestURI: no control characters; "scheme:…" or "/…".
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x1f\x7f]/.test(type) && (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(type) || type.startsWith('/'))) return type
  throw new SigilError('INVALID_ARGUMENT', `invalid predicate type: ${type}`)
}

function statementVersion(type: string): InTotoStatementVersion | undefined {
  return type === IN_TOTO_STATEMENT_V1 ? 'v1' : type === IN_TOTO_STATEMENT_V01 ? 'v0.1' : undefined
}

function readSubject(value: unknown, path: string, fail: Fail): InTotoSubject {
  if (!isJsonObject(value)) return fail(`${path} must be an object, got ${kindOf(value)}`)
  const name = readOptionalString(protoField(value, 'name', 'name', `${path}.name`, fail), `${path}.name`, fail)
  const digest = protoField(value, 'digest', 'digest', `${path}.digest`, fail)
  if (!isJsonObject(digest)) return fail(`${path}.digest must be an object of digests, got ${kindOf(digest)}`, 'no-digest')
  const entries = Object.entries(digest)
  if (entries.length === 0) fail(`${path}.digest is empty`, 'no-digest')
  if (entries.length > MAX_SUBJECT_DIGESTS) fail(`${path}.digest lists ${entries.length} digests, more than the limit of ${MAX_SUBJECT_DIGESTS}`, 'too-many-digests')
  for (const [algorithm, hex] of entries) {
    if (typeof hex !== 'string') fail(`${path}.digest[${JSON.stringify(algorithm)}] must be a string, got ${kindOf(hex)}`)
  }
  const annotations = protoField(value, 'annotations', 'annotations', `${path}.annotations`, fail)
  if (annotations !== undefined && !isJsonObject(annotations)) fail(`${path}.annotations must be an object, got ${kindOf(annotations)}`)
  return {
    ...(name !== undefined && name !== '' && {name}),
    digest: digest as Record<string, string>,
    ...(annotations !== undefined && {annotations: annotations as Record<string, unknown>}),
  }
}

/**
 * Decode an in-toto statement (a DSSE payload): `_type` v1 or v0.1, a non-empty `subject` list
 * whose entries have a non-empty `digest` map of strings (`name` and `annotations` optional),
 * a non-empty `predicateType`, `predicate` any JSON. Unknown fields are ignored; protojson's
 * snake_case names (`predicate_type`) are accepted as cosign's reader accepts them.
 * Throws `RESPONSE_TOO_LARGE` over `maxBytes` (before decoding), else `INVALID_PAYLOAD`
 * (`details.reason`: `not-json`, `too-deep` (over 1000 levels), `unknown-type`, `no-subject`, `no-digest`,
 * `too-many-subjects`, `too-many-digests`, `invalid`).
 */
export function parseInTotoStatement(input: Uint8Array | string, options: ParseStatementOptions = {}): InTotoStatement {
  const fail = failWith('INVALID_PAYLOAD', 'invalid in-toto statement', 'in-toto-statement')
  const doc = parseJsonLimited(input, options.maxBytes ?? MAX_STATEMENT_BYTES, 'in-toto statement', 'in-toto-statement', fail)
  if (!isJsonObject(doc)) return fail(`not a JSON object (got ${kindOf(doc)})`)
  if (jsonDepthExceeds(doc)) fail(`it nests deeper than ${MAX_JSON_DEPTH} levels`, 'too-deep')
  const type = readString(protoField(doc, '_type', 'type', '_type', fail) ?? '', '_type', fail)
  const version = statementVersion(type)
  if (version === undefined) return fail(`unknown statement type ${JSON.stringify(type)} (expected ${IN_TOTO_STATEMENT_V1} or ${IN_TOTO_STATEMENT_V01})`, 'unknown-type')
  const subjects = protoField(doc, 'subject', 'subject', 'subject', fail)
  if (subjects !== undefined && !Array.isArray(subjects)) return fail(`subject must be a list, got ${kindOf(subjects)}`)
  if (subjects === undefined || subjects.length === 0) return fail('it has no subject', 'no-subject')
  if (subjects.length > MAX_STATEMENT_SUBJECTS) fail(`it has ${subjects.length} subjects, more than the limit of ${MAX_STATEMENT_SUBJECTS}`, 'too-many-subjects')
  const subject = subjects.map((s, i) => readSubject(s, `subject[${i}]`, fail))
  const predicateType = readString(protoField(doc, 'predicateType', 'predicate_type', 'predicateType', fail) ?? '', 'predicateType', fail)
  if (predicateType === '') fail('predicateType is missing or empty')
  const predicate = Object.hasOwn(doc, 'predicate') ? doc.predicate : undefined
  return {type, version, subject, predicateType, ...(predicate !== undefined && {predicate})}
}

/** Input of `buildCosignSignStatement`. */
export interface CosignSignStatementOptions {
  /** The signed image's manifest digest, `sha256:<hex>`. */
  readonly digest: string
  /** The `-a` annotations (empty or absent: `"annotations":{}`, as cosign writes). */
  readonly annotations?: Readonly<Record<string, string>>
}

/**
 * The statement cosign 3 signs for `cosign sign --new-bundle-format` (protojson, compact):
 * `{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"<alg>":"<hex>"},
 * "annotations":{…sorted…}}],"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}`.
 * cosign always sets the annotations struct, so no `-a` gives `"annotations":{}`.
 * Throws `INVALID_REFERENCE` for a bad digest.
 */
export function buildCosignSignStatement(options: CosignSignStatementOptions): Uint8Array {
  const {algorithm, hex} = parseDigest(options.digest)
  const json = protoMarshal({
    _type: IN_TOTO_STATEMENT_V1,
    subject: [{digest: new ProtoStruct({[algorithm]: hex}), annotations: new ProtoStruct({...options.annotations})}],
    predicateType: COSIGN_SIGN_PREDICATE_TYPE,
    predicate: new ProtoStruct({}),
  })
  return new TextEncoder().encode(json)
}

/** A subject of `buildAttestationStatement`. */
export interface AttestationSubject {
  /** The repository name, as cosign fills it (`ref.Context().Name()`). */
  readonly name?: string
  /** Algorithm → hex, e.g. `{sha256: "6c11…"}`. */
  readonly digest: Readonly<Record<string, string>>
}

/** Input of `buildAttestationStatement`. */
export interface AttestationStatementOptions {
  readonly subjects: readonly AttestationSubject[]
  readonly predicateType: string
  /**
   * The predicate as cosign has it after its per-type handling (cosign re-reads SLSA, link and
   * vuln predicates into typed structs, which drops unknown and empty fields; pass the result).
   * A JSON object is written as a protobuf Struct (keys sorted at every depth); a string
   * (cosign's `spdx` type) takes cosign's legacy `encoding/json` path.
   */
  readonly predicate: unknown
  /** `_type`; cosign's `attest` writes v0.1. Default `'v0.1'`. */
  readonly version?: InTotoStatementVersion
}

/**
 * The statement `cosign attest` signs (both formats; cosign 3.1.1):
 * `{"_type","subject":[{"name","digest"}],"predicateType","predicate"}` in protojson, or for a
 * string predicate Go's `json.Marshal` of a map (`_type`, `predicate`, `predicateType`,
 * `subject`, Go escaping). Throws `INVALID_ARGUMENT` for no subjects, an empty predicateType
 * or a predicate that is neither an object nor a string.
 */
export function buildAttestationStatement(options: AttestationStatementOptions): Uint8Array {
  const version = options.version ?? 'v0.1'
  const type = version === 'v1' ? IN_TOTO_STATEMENT_V1 : IN_TOTO_STATEMENT_V01
  if (options.subjects.length === 0) throw new SigilError('INVALID_ARGUMENT', 'an attestation statement needs at least one subject')
  if (options.predicateType === '') throw new SigilError('INVALID_ARGUMENT', 'an attestation statement needs a predicateType')
  const predicate = options.predicate
  if (jsonDepthExceeds(predicate)) throw new SigilError('INVALID_ARGUMENT', `an attestation predicate may nest at most ${MAX_JSON_DEPTH} levels`)
  let json: string
  if (typeof predicate === 'string') {
    json = goMarshal(
      sortedKeys({
        _type: type,
        predicate,
        predicateType: options.predicateType,
        subject: options.subjects.map((s) => ({name: s.name || undefined, digest: sortedKeys(s.digest)})),
      }),
    )
  } else if (isJsonObject(predicate)) {
    json = protoMarshal({
      _type: type,
      subject: options.subjects.map((s) => ({name: s.name || undefined, digest: new ProtoStruct(s.digest)})),
      predicateType: options.predicateType,
      predicate: new ProtoStruct(predicate),
    })
  } else {
    throw new SigilError('INVALID_ARGUMENT', `an attestation predicate must be a JSON object or a string, got ${kindOf(predicate)}`)
  }
  return new TextEncoder().encode(json)
}
