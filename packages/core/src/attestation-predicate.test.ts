import {readFileSync} from 'node:fs'
import {expect, test} from 'vitest'
import {MAX_PREDICATE_BYTES, attestationPredicate} from './attestation-predicate.js'
import {checkAttestationStatement, envelopeStatement} from './bundle-claims.js'
import {IN_TOTO_PAYLOAD_TYPE, parseDsseEnvelope} from './dsse.js'
import {COSIGN_SIGN_PREDICATE_TYPE, buildAttestationStatement, parseInTotoStatement} from './in-toto.js'
import {parseSigstoreBundle} from './sigstore-bundle.js'

const vectors = new URL('../../../../shared/spec/vectors/cosign3/', import.meta.url)
const read = (path: string) => new Uint8Array(readFileSync(new URL(path, vectors)))
const utf8 = (s: string) => new TextEncoder().encode(s)
const DIGEST = 'sha256:6c11cb75f27d9244063c2d5499cd08d6cce4cc8fe88bafdb6387c05c050f982d'

test('slsaprovenance: the statement is byte for byte the one cosign 3.1.1 signed (materials: [] dropped as cosign does)', () => {
  const {predicateType, predicate} = attestationPredicate({type: 'slsaprovenance', predicate: read('attestation/predicate-slsa02.json')})
  const statement = buildAttestationStatement({subjects: [{name: '127.0.0.1:45123/test/vec', digest: {sha256: DIGEST.slice(7)}}], predicateType, predicate})
  const bundle = parseSigstoreBundle(read('attestation/bundle.json'))
  expect(new TextDecoder().decode(statement)).toBe(new TextDecoder().decode(bundle.dsseEnvelope!.payload))
})

test('custom (the default) wraps the file as a string with a whole-second UTC timestamp, as cosign', () => {
  const now = new Date('2026-12-07T11:36:07.123Z')
  expect(attestationPredicate({predicate: utf8('hello {'), now})).toEqual({
    predicateType: 'https://cosign.sigstore.dev/attestation/v1',
    predicate: {Data: 'hello {', Timestamp: '2026-12-07T11:36:07Z'},
  })
})

test('every shortcut maps to cosign\'s URI; a URI is kept; spdx stays a string', () => {
  const json = utf8('{"a":1}')
  expect(attestationPredicate({type: 'spdx', predicate: json})).toEqual({predicateType: 'https://spdx.dev/Document', predicate: '{"a":1}'})
  expect(attestationPredicate({type: 'spdxjson', predicate: json}).predicate).toEqual({a: 1})
  expect(attestationPredicate({type: 'cyclonedx', predicate: json}).predicateType).toBe('https://cyclonedx.org/bom')
  expect(attestationPredicate({type: 'openvex', predicate: json}).predicateType).toBe('https://openvex.dev/ns')
  expect(attestationPredicate({type: 'https://example.com/p/v1', predicate: json})).toEqual({predicateType: 'https://example.com/p/v1', predicate: {a: 1}})
  const slsa1 = attestationPredicate({type: 'slsaprovenance1', predicate: utf8('{"buildDefinition":{},"runDetails":{}}')})
  expect(slsa1.predicateType).toBe('https://slsa.dev/provenance/v1')
})

test('vuln is re-read as cosign\'s struct: every field written, zero values for missing ones', () => {
  const out = attestationPredicate({type: 'vuln', predicate: utf8('{"scanner":{"uri":"u","extra":1}}')})
  expect(out.predicate).toEqual({
    invocation: {parameters: null, uri: '', event_id: '', 'builder.id': ''},
    scanner: {uri: 'u', version: '', db: {uri: '', version: ''}, result: null},
    metadata: {scanStartedOn: '0001-01-01T00:00:00Z', scanFinishedOn: '0001-01-01T00:00:00Z'},
  })
})

test('bad input is a usage error (INVALID_ARGUMENT) with a clear message', () => {
  const bad = (options: Parameters<typeof attestationPredicate>[0]) => {
    try {
      attestationPredicate(options)
    } catch (err) {
      expect((err as {code?: string}).code).toBe('INVALID_ARGUMENT')
      return (err as Error).message
    }
    throw new Error('no error')
  }
  expect(bad({type: 'nonsense', predicate: utf8('{}')})).toBe('invalid predicate type: nonsense')
  expect(bad({type: 'cyclonedx', predicate: utf8('not json')})).toMatch(/^the predicate for --type cyclonedx is not valid JSON/)
  expect(bad({type: 'spdxjson', predicate: utf8('[1]')})).toBe('the predicate for --type spdxjson must be a JSON object')
  expect(bad({type: 'slsaprovenance', predicate: utf8('{"buildType":"x"}')})).toBe('provenance predicate: required field builder missing')
  expect(bad({type: 'link', predicate: utf8('{}')})).toBe('link statement: required field _type missing')
  expect(bad({predicate: new Uint8Array(MAX_PREDICATE_BYTES + 1)})).toMatch(/over the 8388608-byte limit/)
  expect(bad({predicate: new Uint8Array([0xff, 0xfe])})).toBe('the predicate for --type custom must be UTF-8 text')
})

test('checkAttestationStatement: cosign 2.5\'s .att vector attests its image; another digest or a signature statement does not', () => {
  const {statement, pae, envelope} = envelopeStatement(parseDsseEnvelope(read('legacy/att-dsse-envelope.json')))
  expect(envelope.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE)
  expect(new TextDecoder().decode(pae)).toMatch(/^DSSEv1 28 application\/vnd\.in-toto\+json \d+ \{/)
  expect(checkAttestationStatement(statement, {digest: DIGEST})).toEqual({ok: true})
  expect(checkAttestationStatement(statement, {digest: `sha256:${'0'.repeat(64)}`})).toEqual({ok: false, reason: 'no matching subject digest found'})
  const signature = parseInTotoStatement(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"${DIGEST.slice(7)}"}}],"predicateType":"${COSIGN_SIGN_PREDICATE_TYPE}","predicate":{}}`)
  expect(checkAttestationStatement(signature, {digest: DIGEST}).ok).toBe(false)
})

test('envelopeStatement refuses another payloadType with cosign\'s message', () => {
  expect(() => envelopeStatement({payloadType: 'text/plain', payload: utf8('{}'), signatures: [{sig: new Uint8Array([1])}]})).toThrow(
    'invalid payloadType text/plain on envelope. Expected application/vnd.in-toto+json',
  )
})
