import {thrown} from '../test/thrown.js'
import {createPublicKey, verify} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {describe, expect, test} from 'vitest'
import {DSSE_ENVELOPE_MEDIA_TYPE, IN_TOTO_PAYLOAD_TYPE, MAX_DSSE_SIGNATURES, buildDsseEnvelope, dssePae, parseDsseEnvelope} from './dsse.js'

const vectors = new URL('../../../../shared/spec/vectors/cosign3/', import.meta.url)
const readVector = (path: string) => new Uint8Array(readFileSync(new URL(path, vectors)))
const text = (b: Uint8Array) => new TextDecoder().decode(b)
const utf8 = (s: string) => new TextEncoder().encode(s)
const publicKey = createPublicKey(readFileSync(new URL('keys/cosign.pub', vectors)))


test('constants', () => {
  expect(IN_TOTO_PAYLOAD_TYPE).toBe('application/vnd.in-toto+json')
  expect(DSSE_ENVELOPE_MEDIA_TYPE).toBe('application/vnd.dsse.envelope.v1+json')
  expect(MAX_DSSE_SIGNATURES).toBe(32)
})

describe('dssePae', () => {
  test('the DSSE spec example', () => {
    expect(text(dssePae('http://example.com/HelloWorld', utf8('hello world')))).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world')
  })

  test('lengths are byte counts of UTF-8 type and raw payload', () => {
    expect(text(dssePae('tÿpe', utf8('é')))).toBe('DSSEv1 5 tÿpe 2 é')
    expect(text(dssePae('', new Uint8Array(0)))).toBe('DSSEv1 0  0 ')
  })

  test.each(['legacy/att-dsse-envelope.json'])('cosign.pub verifies the signature of %s over the PAE', (path) => {
    const envelope = parseDsseEnvelope(readVector(path))
    expect(verify('sha256', dssePae(envelope.payloadType, envelope.payload), publicKey, envelope.signatures[0]!.sig)).toBe(true)
  })

  test.each(['image/bundle.json', 'attestation/bundle.json'])('cosign.pub verifies the DSSE signature of %s over the PAE', (path) => {
    const envelope = parseDsseEnvelope(JSON.stringify(JSON.parse(text(readVector(path))).dsseEnvelope))
    expect(verify('sha256', dssePae(envelope.payloadType, envelope.payload), publicKey, envelope.signatures[0]!.sig)).toBe(true)
    // The signature is not over the bare payload.
    expect(verify('sha256', envelope.payload, publicKey, envelope.signatures[0]!.sig)).toBe(false)
  })
})

describe('parseDsseEnvelope / buildDsseEnvelope', () => {
  test('cosign 2.5 .att envelope: decoded and rebuilt byte for byte (legacy spelling)', () => {
    const bytes = readVector('legacy/att-dsse-envelope.json')
    const envelope = parseDsseEnvelope(bytes)
    expect(envelope.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE)
    expect(envelope.signatures).toHaveLength(1)
    expect(envelope.signatures[0]!.keyid).toBe('')
    expect(JSON.parse(text(envelope.payload))._type).toBe('https://in-toto.io/Statement/v0.1')
    expect(buildDsseEnvelope(envelope)).toEqual(bytes)
    expect(buildDsseEnvelope(envelope, 'legacy')).toEqual(bytes)
  })

  test.each(['image/bundle.json', 'attestation/bundle.json'])('the dsseEnvelope of %s rebuilt byte for byte (bundle spelling)', (path) => {
    const bundle = text(readVector(path))
    const start = bundle.indexOf('"dsseEnvelope":') + '"dsseEnvelope":'.length
    const inner = bundle.slice(start, -1)
    const envelope = parseDsseEnvelope(inner)
    expect(envelope.signatures[0]!.keyid).toBeUndefined()
    expect(text(buildDsseEnvelope(envelope, 'bundle'))).toBe(inner)
  })

  test('legacy spelling writes an empty keyid; bundle spelling writes a keyid only when set', () => {
    const envelope = {payloadType: 't', payload: utf8('p'), signatures: [{sig: utf8('s')}, {sig: utf8('z'), keyid: 'k'}]}
    expect(text(buildDsseEnvelope(envelope))).toBe('{"payloadType":"t","payload":"cA==","signatures":[{"keyid":"","sig":"cw=="},{"keyid":"k","sig":"eg=="}]}')
    expect(text(buildDsseEnvelope(envelope, 'bundle'))).toBe('{"payload":"cA==","payloadType":"t","signatures":[{"sig":"cw=="},{"sig":"eg==","keyid":"k"}]}')
  })

  test('building without a signature is refused', () => {
    expect(thrown(() => buildDsseEnvelope({payloadType: 't', payload: utf8('p'), signatures: []})).code).toBe('INVALID_ARGUMENT')
  })

  test('URL-safe and unpadded base64 are read, as Go readers do', () => {
    const envelope = parseDsseEnvelope('{"payloadType":"t","payload":"-_8","signatures":[{"sig":"cw"}]}')
    expect([...envelope.payload]).toEqual([0xfb, 0xff])
    expect(text(envelope.signatures[0]!.sig)).toBe('s')
  })

  test('protojson field names are accepted', () => {
    expect(parseDsseEnvelope('{"payload_type":"t","payload":"cA==","signatures":[{"sig":"cw=="}]}').payloadType).toBe('t')
  })

  test.each([
    ['not JSON', '{"payloadType":', 'not-json'],
    ['not UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), 'not-json'],
    ['not an object', '[]', 'invalid'],
    ['no signatures field', '{"payloadType":"t","payload":"cA=="}', 'no-signatures'],
    ['an empty signature list', '{"payloadType":"t","payload":"cA==","signatures":[]}', 'no-signatures'],
    ['signatures null', '{"payloadType":"t","payload":"cA==","signatures":null}', 'no-signatures'],
    ['an empty signature', '{"payloadType":"t","payload":"cA==","signatures":[{"sig":""}]}', 'no-signatures'],
    ['bad payload base64', '{"payloadType":"t","payload":"c*A=","signatures":[{"sig":"cw=="}]}', 'bad-base64'],
    ['bad signature base64', '{"payloadType":"t","payload":"cA==","signatures":[{"sig":"c"}]}', 'bad-base64'],
    ['mixed base64 alphabets', '{"payloadType":"t","payload":"+-==","signatures":[{"sig":"cw=="}]}', 'bad-base64'],
    ['a numeric payload', '{"payloadType":"t","payload":5,"signatures":[{"sig":"cw=="}]}', 'invalid'],
    ['no payloadType', '{"payload":"cA==","signatures":[{"sig":"cw=="}]}', 'invalid'],
    ['an empty payloadType', '{"payloadType":"","payload":"cA==","signatures":[{"sig":"cw=="}]}', 'invalid'],
    ['a signature that is a string', '{"payloadType":"t","payload":"cA==","signatures":["cw=="]}', 'invalid'],
    ['a numeric keyid', '{"payloadType":"t","payload":"cA==","signatures":[{"sig":"cw==","keyid":1}]}', 'invalid'],
    ['both spellings of a field', '{"payloadType":"t","payload_type":"t","payload":"cA==","signatures":[{"sig":"cw=="}]}', 'invalid'],
    ['too many signatures', `{"payloadType":"t","payload":"cA==","signatures":[${Array(33).fill('{"sig":"cw=="}').join(',')}]}`, 'too-many-signatures'],
  ])('%s → INVALID_PAYLOAD', (_name, input, reason) => {
    const err = thrown(() => parseDsseEnvelope(input))
    expect(err.code).toBe('INVALID_PAYLOAD')
    expect(err.message).toMatch(/^invalid DSSE envelope: /)
    expect(err.details).toEqual({format: 'dsse-envelope', reason})
  })

  test('the size limit is checked before decoding', () => {
    const err = thrown(() => parseDsseEnvelope(new Uint8Array(1025), {maxBytes: 1024}))
    expect(err.code).toBe('RESPONSE_TOO_LARGE')
    expect(err.details).toMatchObject({format: 'dsse-envelope', reason: 'too-large', size: 1025, limit: 1024})
    // A string is measured in UTF-8 bytes.
    expect(thrown(() => parseDsseEnvelope('"é"'.padEnd(600, ' ').replace(/ /g, 'é'), {maxBytes: 1000})).code).toBe('RESPONSE_TOO_LARGE')
  })
})
