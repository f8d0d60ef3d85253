import {thrown} from '../test/thrown.js'
import {readFileSync} from 'node:fs'
import {describe, expect, test} from 'vitest'
import {SigilError} from './errors.js'
import {
  COSIGN_PREDICATE_TYPES,
  COSIGN_SIGN_PREDICATE_TYPE,
  IN_TOTO_STATEMENT_V01,
  IN_TOTO_STATEMENT_V1,
  MAX_STATEMENT_SUBJECTS,
  MAX_SUBJECT_DIGESTS,
  buildAttestationStatement,
  buildCosignSignStatement,
  parseInTotoStatement,
  predicateTypeForFlag,
} from './in-toto.js'

const vectors = new URL('../../../../shared/spec/vectors/cosign3/', import.meta.url)
const readText = (path: string) => readFileSync(new URL(path, vectors), 'utf8')
const text = (b: Uint8Array) => new TextDecoder().decode(b)
const bundlePayload = (path: string) => new Uint8Array(Buffer.from(JSON.parse(readText(path)).dsseEnvelope.payload, 'base64'))
const legacyPayload = () => new Uint8Array(Buffer.from(JSON.parse(readText('legacy/att-dsse-envelope.json')).payload, 'base64'))

const DIGEST = 'sha256:6c11cb75f27d9244063c2d5499cd08d6cce4cc8fe88bafdb6387c05c050f982d'
const HEX = DIGEST.slice(7)


test('constants are cosign’s', () => {
  expect(IN_TOTO_STATEMENT_V1).toBe('https://in-toto.io/Statement/v1')
  expect(IN_TOTO_STATEMENT_V01).toBe('https://in-toto.io/Statement/v0.1')
  expect(COSIGN_SIGN_PREDICATE_TYPE).toBe('https://sigstore.dev/cosign/sign/v1')
  expect(MAX_STATEMENT_SUBJECTS).toBe(1024)
  expect(MAX_SUBJECT_DIGESTS).toBe(32)
  expect(COSIGN_PREDICATE_TYPES).toEqual({
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
  expect(Object.isFrozen(COSIGN_PREDICATE_TYPES)).toBe(true)
})

describe('predicateTypeForFlag', () => {
  test.each(Object.entries(COSIGN_PREDICATE_TYPES))('%s → %s', (flag, uri) => expect(predicateTypeForFlag(flag)).toBe(uri))
  test.each(['https://example.com/p/v1', 'urn:example:x', '/abs/path'])('the URI %s is used as is', (uri) => expect(predicateTypeForFlag(uri)).toBe(uri))
  test.each(['slsa', '', 'example.com/x', '1http://x', 'https://x/\n'])('%j is refused', (flag) => {
    const err = thrown(() => predicateTypeForFlag(flag))
    expect(err.code).toBe('INVALID_ARGUMENT')
    expect(err.message).toBe(`invalid predicate type: ${flag}`)
  })
  test('no prototype keys', () => expect(() => predicateTypeForFlag('constructor')).toThrow(SigilError))
})

describe('buildCosignSignStatement', () => {
  test('byte for byte the statement cosign 3.1.1 signed (vector image/bundle.json)', () => {
    const expected = bundlePayload('image/bundle.json')
    expect(buildCosignSignStatement({digest: DIGEST, annotations: {env: 'prod', team: 'payments'}})).toEqual(expected)
    // Annotation order does not matter: protojson sorts the Struct.
    expect(buildCosignSignStatement({digest: DIGEST, annotations: {team: 'payments', env: 'prod'}})).toEqual(expected)
  })

  test('no annotations: cosign still sets the (empty) struct', () => {
    const want = `{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"${HEX}"},"annotations":{}}],"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}`
    expect(text(buildCosignSignStatement({digest: DIGEST}))).toBe(want)
    expect(text(buildCosignSignStatement({digest: DIGEST, annotations: {}}))).toBe(want)
  })

  test('protojson escaping: HTML characters stay raw, keys sort by UTF-8 bytes, integer-like keys too', () => {
    const out = text(buildCosignSignStatement({digest: DIGEST, annotations: {'10': 'a', '9': 'b', é: 'x<y>&z\u2028', Z: '"\\\n\u0001'}}))
    expect(out).toContain('"annotations":{"10":"a","9":"b","Z":"\\"\\\\\\n\\u0001","é":"x<y>&z\u2028"}')
  })

  test('a bad digest is refused', () => {
    expect(thrown(() => buildCosignSignStatement({digest: 'sha256:abc'})).code).toBe('INVALID_REFERENCE')
  })
})

describe('buildAttestationStatement', () => {
  test('byte for byte the v0.1 statement of cosign 3.1.1 attest --type slsaprovenance (vector attestation/bundle.json)', () => {
    // cosign reads an SLSA 0.2 predicate into its typed struct, which drops the empty `materials`.
    const {materials, ...predicate} = JSON.parse(readText('attestation/predicate-slsa02.json'))
    expect(materials).toEqual([])
    const out = buildAttestationStatement({
      subjects: [{name: '127.0.0.1:45123/test/vec', digest: {sha256: HEX}}],
      predicateType: predicateTypeForFlag('slsaprovenance'),
      predicate,
      version: 'v0.1',
    })
    expect(out).toEqual(bundlePayload('attestation/bundle.json'))
  })

  test('v1 and the default version', () => {
    const base = {subjects: [{digest: {sha256: HEX}}], predicateType: 'https://x/p', predicate: {b: [1, {d: 1, c: 2}], a: null}}
    expect(text(buildAttestationStatement(base))).toBe(
      `{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"digest":{"sha256":"${HEX}"}}],"predicateType":"https://x/p","predicate":{"a":null,"b":[1,{"c":2,"d":1}]}}`,
    )
    expect(text(buildAttestationStatement({...base, version: 'v1'}))).toMatch(/^\{"_type":"https:\/\/in-toto.io\/Statement\/v1",/)
  })

  test('a string predicate takes cosign’s legacy encoding/json path', () => {
    const out = buildAttestationStatement({subjects: [{name: 'r/x', digest: {sha256: HEX}}], predicateType: 'https://spdx.dev/Document', predicate: 'SPDX <doc>'})
    expect(text(out)).toBe(
      `{"_type":"https://in-toto.io/Statement/v0.1","predicate":"SPDX \\u003cdoc\\u003e","predicateType":"https://spdx.dev/Document","subject":[{"name":"r/x","digest":{"sha256":"${HEX}"}}]}`,
    )
  })

  test.each([
    ['no subjects', {subjects: [], predicateType: 'https://x', predicate: {}}],
    ['no predicateType', {subjects: [{digest: {sha256: HEX}}], predicateType: '', predicate: {}}],
    ['an array predicate', {subjects: [{digest: {sha256: HEX}}], predicateType: 'https://x', predicate: []}],
    ['a numeric predicate', {subjects: [{digest: {sha256: HEX}}], predicateType: 'https://x', predicate: 1}],
  ])('%s is refused', (_name, options) => {
    expect(thrown(() => buildAttestationStatement(options)).code).toBe('INVALID_ARGUMENT')
  })
})

describe('parseInTotoStatement', () => {
  test('the cosign 3 image signature statement', () => {
    expect(parseInTotoStatement(bundlePayload('image/bundle.json'))).toEqual({
      type: IN_TOTO_STATEMENT_V1,
      version: 'v1',
      subject: [{digest: {sha256: HEX}, annotations: {env: 'prod', team: 'payments'}}],
      predicateType: COSIGN_SIGN_PREDICATE_TYPE,
      predicate: {},
    })
  })

  test.each([
    ['attestation/bundle.json', bundlePayload('attestation/bundle.json'), '127.0.0.1:45123/test/vec'],
    ['legacy/att-dsse-envelope.json', legacyPayload(), '127.0.0.1:45123/test/vec2'],
  ])('the v0.1 attestation statement of %s', (_name, payload, name) => {
    const statement = parseInTotoStatement(payload)
    expect(statement.version).toBe('v0.1')
    expect(statement.subject).toEqual([{name, digest: {sha256: HEX}}])
    expect(statement.predicateType).toBe('https://slsa.dev/provenance/v0.2')
    expect(statement.predicate).toMatchObject({buildType: 'https://ci.example.com/build@v1'})
  })

  test('predicate may be absent or any JSON; unknown fields are ignored; protojson names are read', () => {
    const s = parseInTotoStatement(`{"_type":"${IN_TOTO_STATEMENT_V1}","subject":[{"digest":{"sha256":"${HEX}"}}],"predicate_type":"x","extra":1}`)
    expect(s.predicateType).toBe('x')
    expect(s.predicate).toBeUndefined()
    expect(parseInTotoStatement(`{"_type":"${IN_TOTO_STATEMENT_V1}","subject":[{"digest":{"sha1":"a"}}],"predicateType":"x","predicate":"text"}`).predicate).toBe('text')
  })

  const statement = (fields: Record<string, unknown>) =>
    JSON.stringify({_type: IN_TOTO_STATEMENT_V1, subject: [{digest: {sha256: HEX}}], predicateType: 'x', ...fields})

  test.each([
    ['not JSON', 'nope', 'not-json'],
    ['an array', '[]', 'invalid'],
    ['no _type', statement({_type: undefined}), 'unknown-type'],
    ['an unknown _type', statement({_type: 'https://in-toto.io/Statement/v2'}), 'unknown-type'],
    ['a numeric _type', statement({_type: 1}), 'invalid'],
    ['no subject', statement({subject: undefined}), 'no-subject'],
    ['an empty subject list', statement({subject: []}), 'no-subject'],
    ['a subject object instead of a list', statement({subject: {digest: {sha256: HEX}}}), 'invalid'],
    ['a null subject entry', statement({subject: [null]}), 'invalid'],
    ['a subject without digest', statement({subject: [{name: 'x'}]}), 'no-digest'],
    ['an empty digest map', statement({subject: [{digest: {}}]}), 'no-digest'],
    ['a numeric digest', statement({subject: [{digest: {sha256: 1}}]}), 'invalid'],
    ['annotations that are a list', statement({subject: [{digest: {sha256: HEX}, annotations: []}]}), 'invalid'],
    ['a numeric name', statement({subject: [{digest: {sha256: HEX}, name: 1}]}), 'invalid'],
    ['no predicateType', statement({predicateType: undefined}), 'invalid'],
    ['an empty predicateType', statement({predicateType: ''}), 'invalid'],
    ['too many subjects', statement({subject: Array(1025).fill({digest: {sha256: HEX}})}), 'too-many-subjects'],
    ['too many digests', statement({subject: [{digest: Object.fromEntries(Array.from({length: 33}, (_, i) => [`a${i}`, 'x']))}]}), 'too-many-digests'],
  ])('%s → INVALID_PAYLOAD', (_name, input, reason) => {
    const err = thrown(() => parseInTotoStatement(input))
    expect(err.code).toBe('INVALID_PAYLOAD')
    expect(err.message).toMatch(/^invalid in-toto statement: /)
    expect(err.details).toEqual({format: 'in-toto-statement', reason})
  })

  test('nesting deeper than 1000 levels → too-deep, never a stack overflow', () => {
    const deep = `{"_type":"${IN_TOTO_STATEMENT_V1}","subject":[{"digest":{"sha256":"${HEX}"},"annotations":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}],"predicateType":"x"}`
    expect(thrown(() => parseInTotoStatement(deep)).details).toEqual({format: 'in-toto-statement', reason: 'too-deep'})
    const ok = `{"_type":"${IN_TOTO_STATEMENT_V1}","subject":[{"digest":{"sha256":"${HEX}"}}],"predicateType":"x","predicate":${'['.repeat(990)}${']'.repeat(990)}}`
    expect(parseInTotoStatement(ok).predicateType).toBe('x')
    let predicate: unknown = {}
    for (let i = 0; i < 100_000; i++) predicate = {p: predicate}
    expect(thrown(() => buildAttestationStatement({subjects: [{digest: {sha256: HEX}}], predicateType: 'https://x', predicate})).code).toBe('INVALID_ARGUMENT')
  })

  test('size limit first', () => {
    expect(thrown(() => parseInTotoStatement(new Uint8Array(11), {maxBytes: 10})).code).toBe('RESPONSE_TOO_LARGE')
  })
})
