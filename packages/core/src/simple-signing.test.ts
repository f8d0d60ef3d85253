import {thrown} from '../test/thrown.js'
import {readFileSync} from 'node:fs'
import {describe, expect, test} from 'vitest'
import {sha256Digest} from './digest.js'
import {
  COSIGN_SIGNATURE_TYPE,
  SIMPLE_SIGNING_MEDIA_TYPE,
  buildPayload,
  checkClaims,
  parseAnnotationFlags,
  parsePayload,
} from './simple-signing.js'
import type {SimpleSigningPayload} from './simple-signing.js'

const vectors = new URL('../../../../shared/spec/vectors/', import.meta.url)
const readVector = (path: string) => new Uint8Array(readFileSync(new URL(path, vectors)))
const utf8 = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array) => new TextDecoder().decode(b)

const DIGEST = 'sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00'
const OTHER = `sha256:${'0'.repeat(64)}`


function payloadWith(optional: Record<string, unknown> | null, digest = DIGEST): SimpleSigningPayload {
  return {
    critical: {identity: {'docker-reference': 'example.com/app'}, image: {'docker-manifest-digest': digest}, type: COSIGN_SIGNATURE_TYPE},
    optional,
  }
}

test('constants', () => {
  expect(SIMPLE_SIGNING_MEDIA_TYPE).toBe('application/vnd.dev.cosign.simplesigning.v1+json')
  expect(COSIGN_SIGNATURE_TYPE).toBe('cosign container image signature')
})

describe.each([
  ['containers-image-cosign-valid', '192.168.64.2:5000/cosign-signed-single-sample', 261],
  ['containers-image-cosign-key-rekor-valid', '192.168.64.2:5000/cosign-signed/key-1', 253],
])('the cosign-produced payload %s', (dir, dockerReference, size) => {
  const payload = readVector(`${dir}/payload.json`)
  const manifestDigest = sha256Digest(readVector(`${dir}/image-manifest.json`))

  test('is rebuilt byte for byte from its reference and digest', () => {
    const built = buildPayload({dockerReference, manifestDigest})
    expect(built.length).toBe(size)
    expect(text(built)).toBe(text(payload))
    expect(built).toEqual(payload)
  })

  test('parses to its claims', () => {
    expect(parsePayload(payload)).toEqual({
      critical: {identity: {'docker-reference': dockerReference}, image: {'docker-manifest-digest': manifestDigest}, type: COSIGN_SIGNATURE_TYPE},
      optional: null,
    })
  })

  test('passes the claim check for its image manifest only', () => {
    expect(checkClaims(parsePayload(payload), {manifestDigest})).toEqual({ok: true})
    expect(checkClaims(parsePayload(payload), {manifestDigest: OTHER})).toEqual({
      ok: false,
      reason: `invalid or missing digest in claim: ${manifestDigest}`,
    })
  })
})

describe('buildPayload', () => {
  test('writes annotations into optional, keys sorted (spec §1.1 example)', () => {
    const built = buildPayload({dockerReference: 'ghcr.io/o/r', manifestDigest: DIGEST, annotations: {git: 'abc', env: 'prod'}})
    expect(text(built)).toBe(
      `{"critical":{"identity":{"docker-reference":"ghcr.io/o/r"},"image":{"docker-manifest-digest":"${DIGEST}"},` +
        `"type":"cosign container image signature"},"optional":{"env":"prod","git":"abc"}}`,
    )
  })

  test('writes "optional":null for an empty annotation map', () => {
    expect(text(buildPayload({dockerReference: 'r', manifestDigest: DIGEST, annotations: {}}))).toMatch(/,"optional":null}$/)
  })

  test('sorts annotation keys by byte value and escapes like Go', () => {
    const built = buildPayload({
      dockerReference: 'example.com/a&b',
      manifestDigest: DIGEST,
      annotations: {b: '1', B: '2', 'a.b': '3', a: '<tag>&\u2028', '10': 'é', '9': '\u0001\n'},
    })
    expect(text(built)).toBe(
      `{"critical":{"identity":{"docker-reference":"example.com/a\\u0026b"},"image":{"docker-manifest-digest":"${DIGEST}"},` +
        `"type":"cosign container image signature"},` +
        `"optional":{"10":"é","9":"\\u0001\\n","B":"2","a":"\\u003ctag\\u003e\\u0026\\u2028","a.b":"3","b":"1"}}`,
    )
    expect(built).toContain(0xc3) // é as raw UTF-8
    expect(parsePayload(built).optional).toEqual({b: '1', B: '2', 'a.b': '3', a: '<tag>&\u2028', '10': 'é', '9': '\u0001\n'})
  })

  test('rejects a manifest digest that is not a digest', () => {
    expect(thrown(() => buildPayload({dockerReference: 'r', manifestDigest: 'latest'})).code).toBe('INVALID_REFERENCE')
  })
})

describe('parsePayload', () => {
  test('matches keys case-insensitively, as Go does (SIGNATURE_SPEC.md spelling)', () => {
    const doc = `{"Critical":{"Identity":{"docker-reference":"r"},"image":{"Docker-manifest-digest":"${DIGEST}"},"TYPE":"t"},"OPTIONAL":{"Key":"v"}}`
    expect(parsePayload(utf8(doc))).toEqual({
      critical: {identity: {'docker-reference': 'r'}, image: {'docker-manifest-digest': DIGEST}, type: 't'},
      optional: {Key: 'v'},
    })
  })

  test('folds the Kelvin sign and long s like Go', () => {
    const doc = `{"critical":{"identity":{"doc\u212aer-reference":"r"},"\u017fomething":1,"type":"t"}}`
    expect(parsePayload(utf8(doc)).critical.identity['docker-reference']).toBe('r')
  })

  test('ignores unknown fields and defaults what is missing', () => {
    expect(parsePayload(utf8('{"extra":[1,2],"critical":{"image":{},"more":true}}'))).toEqual({
      critical: {identity: {'docker-reference': ''}, image: {'docker-manifest-digest': ''}, type: ''},
      optional: null,
    })
  })

  test('treats null like Go: nothing for structs and strings, reset for optional', () => {
    const doc = `{"critical":{"identity":null,"image":{"docker-manifest-digest":null},"type":null},"optional":{"a":"1"},"Optional":null}`
    expect(parsePayload(utf8(doc))).toEqual(payloadWithEmpty())
  })

  test('applies repeated keys in order, merging objects', () => {
    const doc = `{"critical":{"type":"t1","image":{"docker-manifest-digest":"x"}},"Critical":{"type":"t2"},"optional":{"a":"1"},"Optional":{"b":"2"}}`
    const parsed = parsePayload(utf8(doc))
    expect(parsed.critical.type).toBe('t2')
    expect(parsed.critical.image['docker-manifest-digest']).toBe('x')
    expect(parsed.optional).toEqual({a: '1', b: '2'})
  })

  test('keeps optional values of any JSON type and __proto__ as a plain key', () => {
    const parsed = parsePayload(utf8('{"optional":{"n":1,"o":{"x":[true]},"__proto__":"p"}}'))
    expect(parsed.optional).toEqual(JSON.parse('{"n":1,"o":{"x":[true]},"__proto__":"p"}'))
    expect(Object.getPrototypeOf(parsed.optional)).toBe(Object.prototype)
  })

  test.each([
    ['not JSON', 'not json', 'not JSON'],
    ['empty', '', 'not JSON'],
    ['truncated', '{"critical":', 'not JSON'],
    ['trailing data', '{} {}', 'not JSON'],
    ['an array', '[]', 'the payload must be a JSON object, got an array'],
    ['null', 'null', 'got null'],
    ['a string', '"x"', 'got a string'],
    ['a number', '42', 'got a number'],
    ['critical as a string', '{"critical":"x"}', 'payload.critical must be an object, got a string'],
    ['identity as an array', '{"critical":{"identity":[]}}', 'payload.critical.identity must be an object, got an array'],
    ['type as a number', '{"critical":{"type":5}}', 'payload.critical.type must be a string, got a number'],
    ['the digest as an object', '{"critical":{"image":{"Docker-Manifest-Digest":{}}}}', 'payload.critical.image.Docker-Manifest-Digest must be a string'],
    ['optional as a list', '{"optional":[]}', 'payload.optional must be an object or null, got an array'],
    ['optional as a string', '{"optional":"a=b"}', 'got a string'],
  ])('throws INVALID_PAYLOAD for %s', (_, doc, problem) => {
    const err = thrown(() => parsePayload(utf8(doc)))
    expect(err.code).toBe('INVALID_PAYLOAD')
    expect(err.message).toMatch(/^invalid signature payload: /)
    expect(err.message).toContain(problem)
  })
})

function payloadWithEmpty(): SimpleSigningPayload {
  return {critical: {identity: {'docker-reference': ''}, image: {'docker-manifest-digest': ''}, type: ''}, optional: null}
}

describe('checkClaims', () => {
  test.each([
    ['the digest matches, no annotations wanted', payloadWith(null), undefined, {ok: true}],
    ['an empty annotation set is wanted', payloadWith(null), {}, {ok: true}],
    ['wanted annotations are present', payloadWith({env: 'prod', git: 'abc'}), {env: 'prod'}, {ok: true}],
    ['type and docker-reference are not checked', {...payloadWith(null), critical: {...payloadWith(null).critical, type: 'x'}}, undefined, {ok: true}],
    ['an annotation is missing', payloadWith({git: 'abc'}), {env: 'prod'}, {ok: false, reason: 'missing or incorrect annotation'}],
    ['an annotation differs', payloadWith({env: 'dev'}), {env: 'prod'}, {ok: false, reason: 'missing or incorrect annotation'}],
    ['an annotation is not a string', payloadWith({n: 1}), {n: '1'}, {ok: false, reason: 'missing or incorrect annotation'}],
    ['optional is null', payloadWith(null), {env: ''}, {ok: false, reason: 'missing or incorrect annotation'}],
    ['the key is only inherited', payloadWith({}), {toString: 'x'}, {ok: false, reason: 'missing or incorrect annotation'}],
  ])('%s', (_, payload, annotations, expected) => {
    expect(checkClaims(payload, {manifestDigest: DIGEST, annotations})).toEqual(expected)
  })

  test.each([
    [OTHER, `invalid or missing digest in claim: ${OTHER}`],
    ['', 'invalid or missing digest in claim: '],
    [DIGEST.toUpperCase(), `invalid or missing digest in claim: ${DIGEST.toUpperCase()}`],
  ])('reports the claimed digest %j when it differs', (claimed, reason) => {
    expect(checkClaims(payloadWith({env: 'prod'}, claimed), {manifestDigest: DIGEST, annotations: {env: 'prod'}})).toEqual({ok: false, reason})
  })
})

describe('parseAnnotationFlags', () => {
  test.each<[string[], Record<string, string>]>([
    [[], {}],
    [[''], {}],
    [['a=1'], {a: '1'}],
    [['a=1', 'b=2'], {a: '1', b: '2'}],
    [['a=1,b=2'], {a: '1', b: '2'}],
    [['a=1', 'a=2'], {a: '2'}],
    [['a=1,a=2'], {a: '2'}],
    [['url=https://x?y=z'], {url: 'https://x?y=z'}],
    [['k='], {k: ''}],
    [['=v'], {'': 'v'}],
    [[' a = 1 '], {' a ': ' 1 '}],
    [['"a=1,2",b=3'], {a: '1,2', b: '3'}],
    [['"a=say ""hi"""'], {a: 'say "hi"'}],
  ])('%j → %j', (values, expected) => {
    expect(parseAnnotationFlags(values)).toEqual(expected)
  })

  test.each<[string, Record<string, string>]>([
    ['a=1\nb=2', {a: '1'}],
    ['\n\r\na=1', {a: '1'}],
    ['"a=1\nb"', {a: '1\nb'}],
    ['"a=1\r\nb",c=2\r\nd=4', {a: '1\nb', c: '2'}],
  ])('reads only the first CSV record of %j, like pflag', (value, expected) => {
    expect(parseAnnotationFlags([value])).toEqual(expected)
  })

  test('keeps __proto__ as an ordinary key', () => {
    const parsed = parseAnnotationFlags(['__proto__=x'])
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype)
    expect(Object.keys(parsed)).toEqual(['__proto__'])
  })

  test.each([
    [['novalue'], 'unable to parse annotation: novalue'],
    [['a=1,'], 'unable to parse annotation: '],
    [['a=1', 'b'], 'unable to parse annotation: b'],
    [['""'], 'unable to parse annotation: '],
    [['a="b"'], 'unable to parse annotation: a="b": bare " in non-quoted-field'],
    [[' "a=1"'], 'unable to parse annotation:  "a=1": bare " in non-quoted-field'],
    [['"a=1'], 'unable to parse annotation: "a=1: extraneous or missing " in quoted-field'],
    [['"a"b=1'], 'unable to parse annotation: "a"b=1: extraneous or missing " in quoted-field'],
    [['\n'], 'unable to parse annotation: \n: no fields'],
  ])('%j fails with %j', (values, message) => {
    const err = thrown(() => parseAnnotationFlags(values))
    expect(err.code).toBe('INVALID_ANNOTATION')
    expect(err.message).toBe(message)
  })
})
