import {thrown} from '../test/thrown.js'
import {createHash, createPublicKey, verify} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {describe, expect, test} from 'vitest'
import {decodePem} from './pem.js'
import {
  MAX_BUNDLE_BYTES,
  MAX_BUNDLE_TIMESTAMPS,
  MAX_BUNDLE_TLOG_ENTRIES,
  SIGSTORE_BUNDLE_MEDIA_TYPES,
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  buildDsseBundle,
  buildMessageSignatureBundle,
  parseSigstoreBundle,
  publicKeyHint,
} from './sigstore-bundle.js'

const vectors = new URL('../../../../shared/spec/vectors/cosign3/', import.meta.url)
const readVector = (path: string) => new Uint8Array(readFileSync(new URL(path, vectors)))
const text = (b: Uint8Array) => new TextDecoder().decode(b)
const pubPem = readFileSync(new URL('keys/cosign.pub', vectors), 'utf8')
const publicKey = createPublicKey(pubPem)
const HINT = 'kXDEKQCUpcx44HNwWRreoU9l4BoYcejY498MHgbcKuA='


test('constants', () => {
  expect(SIGSTORE_BUNDLE_V03_MEDIA_TYPE).toBe('application/vnd.dev.sigstore.bundle.v0.3+json')
  expect(MAX_BUNDLE_BYTES).toBe(16 * 1024 * 1024)
  expect(MAX_BUNDLE_TLOG_ENTRIES).toBe(32)
  expect(MAX_BUNDLE_TIMESTAMPS).toBe(32)
  expect(SIGSTORE_BUNDLE_MEDIA_TYPES).toEqual({
    'application/vnd.dev.sigstore.bundle+json;version=0.1': 'v0.1',
    'application/vnd.dev.sigstore.bundle+json;version=0.2': 'v0.2',
    'application/vnd.dev.sigstore.bundle+json;version=0.3': 'v0.3',
    'application/vnd.dev.sigstore.bundle.v0.1+json': 'v0.1',
    'application/vnd.dev.sigstore.bundle.v0.2+json': 'v0.2',
    'application/vnd.dev.sigstore.bundle.v0.3+json': 'v0.3',
  })
})

test('publicKeyHint of the vector key is the hint cosign 3.1.1 wrote', () => {
  const spki = decodePem(pubPem)!.bytes
  expect(publicKeyHint(spki)).toBe(HINT)
  expect(publicKeyHint(new Uint8Array(publicKey.export({format: 'der', type: 'spki'})))).toBe(HINT)
})

describe('parseSigstoreBundle / builders: cosign 3.1.1 vectors byte for byte', () => {
  test.each(['image/bundle.json', 'attestation/bundle.json'])('%s: DSSE bundle', (path) => {
    const bytes = readVector(path)
    const bundle = parseSigstoreBundle(bytes)
    expect(bundle.mediaType).toBe(SIGSTORE_BUNDLE_V03_MEDIA_TYPE)
    expect(bundle.version).toBe('v0.3')
    expect(bundle.verificationMaterial).toEqual({publicKeyHint: HINT, tlogEntries: []})
    expect(bundle.messageSignature).toBeUndefined()
    expect(bundle.dsseEnvelope!.payloadType).toBe('application/vnd.in-toto+json')
    const rebuilt = buildDsseBundle({envelope: bundle.dsseEnvelope!, publicKeyHint: HINT})
    expect(rebuilt).toEqual(bytes) // no trailing newline, as cosign writes
  })

  test('blob/artifact.txt.sigstore.json: message signature bundle', () => {
    const bytes = readVector('blob/artifact.txt.sigstore.json')
    const artifact = readVector('blob/artifact.txt')
    const bundle = parseSigstoreBundle(bytes)
    expect(bundle.dsseEnvelope).toBeUndefined()
    const ms = bundle.messageSignature!
    expect(ms.messageDigest!.algorithm).toBe('SHA2_256')
    const digestHex = createHash('sha256').update(artifact).digest('hex')
    expect(Buffer.from(ms.messageDigest!.digest).toString('hex')).toBe(digestHex)
    expect(verify('sha256', artifact, publicKey, ms.signature)).toBe(true)
    expect(buildMessageSignatureBundle({digestHex, signature: ms.signature, publicKeyHint: HINT})).toEqual(bytes)
  })

  test('an empty hint is left out, as protojson does', () => {
    const bundle = parseSigstoreBundle(readVector('image/bundle.json'))
    expect(text(buildDsseBundle({envelope: bundle.dsseEnvelope!, publicKeyHint: ''}))).toContain('"verificationMaterial":{"publicKey":{}}')
    expect(parseSigstoreBundle(text(buildDsseBundle({envelope: bundle.dsseEnvelope!, publicKeyHint: ''}))).verificationMaterial.publicKeyHint).toBe('')
  })

  test('builders refuse bad input', () => {
    expect(thrown(() => buildMessageSignatureBundle({digestHex: 'AB', signature: new Uint8Array(1), publicKeyHint: HINT})).code).toBe('INVALID_ARGUMENT')
    expect(thrown(() => buildMessageSignatureBundle({digestHex: 'a'.repeat(64), signature: new Uint8Array(0), publicKeyHint: HINT})).code).toBe('INVALID_ARGUMENT')
    expect(thrown(() => buildDsseBundle({envelope: {payloadType: 't', payload: new Uint8Array(1), signatures: []}, publicKeyHint: HINT})).code).toBe('INVALID_ARGUMENT')
  })
})

const image = JSON.parse(text(readVector('image/bundle.json')))
const withFields = (fields: Record<string, unknown>) => JSON.stringify({...image, ...fields})
const CERT_B64 = Buffer.from('not really DER').toString('base64')

describe('parseSigstoreBundle accepts', () => {
  test.each(Object.entries(SIGSTORE_BUNDLE_MEDIA_TYPES))('%s as %s', (mediaType, version) => {
    const material = version === 'v0.3' ? image.verificationMaterial : {x509CertificateChain: {certificates: [{rawBytes: CERT_B64}]}}
    const bundle = parseSigstoreBundle(withFields({mediaType, verificationMaterial: material}))
    expect(bundle.version).toBe(version)
    expect(bundle.mediaType).toBe(mediaType)
  })

  test('a certificate, tlog entries and timestamps (exposed, not checked)', () => {
    const tlog = [{logIndex: '1'}]
    const tsa = {rfc3161Timestamps: [{signedTimestamp: 'AA=='}]}
    const bundle = parseSigstoreBundle(withFields({verificationMaterial: {certificate: {rawBytes: CERT_B64}, tlogEntries: tlog, timestampVerificationData: tsa}}))
    expect(text(bundle.verificationMaterial.certificate!)).toBe('not really DER')
    expect(bundle.verificationMaterial.tlogEntries).toEqual(tlog)
    expect(bundle.verificationMaterial.timestampVerificationData).toEqual(tsa)
    expect(bundle.verificationMaterial.publicKeyHint).toBeUndefined()
  })

  test('protojson field names', () => {
    const snake = JSON.stringify({media_type: image.mediaType, verification_material: {public_key: {hint: 'h'}}, dsse_envelope: image.dsseEnvelope})
    expect(parseSigstoreBundle(snake).verificationMaterial.publicKeyHint).toBe('h')
  })
})

describe('parseSigstoreBundle refuses bad input with a stable code', () => {
  const many = (n: number, item: unknown) => Array(n).fill(item)
  test.each([
    ['not JSON', '<html>', 'not-json'],
    ['JSON that is not an object', '"bundle"', 'invalid'],
    ['no media type', withFields({mediaType: undefined}), 'unknown-media-type'],
    ['a numeric media type', withFields({mediaType: 3}), 'unknown-media-type'],
    ['an unknown media type', withFields({mediaType: 'application/json'}), 'unknown-media-type'],
    ['version 0.4', withFields({mediaType: 'application/vnd.dev.sigstore.bundle.v0.4+json'}), 'unknown-media-type'],
    ['version 0.0', withFields({mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.0'}), 'unknown-media-type'],
    ['neither content', withFields({dsseEnvelope: undefined}), 'no-content'],
    ['both contents', withFields({messageSignature: {signature: 'AA=='}}), 'invalid'],
    ['a DSSE envelope with no signature', withFields({dsseEnvelope: {...image.dsseEnvelope, signatures: []}}), 'no-signatures'],
    ['a DSSE envelope with bad base64', withFields({dsseEnvelope: {...image.dsseEnvelope, payload: '%%%'}}), 'bad-base64'],
    ['a message signature without signature', withFields({dsseEnvelope: undefined, messageSignature: {}}), 'no-signatures'],
    ['no verification material', withFields({verificationMaterial: undefined}), 'no-verification-material'],
    ['empty verification material', withFields({verificationMaterial: {}}), 'no-verification-material'],
    ['two kinds of key material', withFields({verificationMaterial: {publicKey: {hint: 'h'}, certificate: {rawBytes: CERT_B64}}}), 'invalid'],
    ['a certificate chain in v0.3', withFields({verificationMaterial: {x509CertificateChain: {certificates: [{rawBytes: CERT_B64}]}}}), 'invalid'],
    ['a numeric hint', withFields({verificationMaterial: {publicKey: {hint: 1}}}), 'invalid'],
    ['a certificate without bytes', withFields({verificationMaterial: {certificate: {}}}), 'invalid'],
    ['33 tlog entries', withFields({verificationMaterial: {publicKey: {hint: 'h'}, tlogEntries: many(33, {})}}), 'invalid'],
    ['33 timestamps', withFields({verificationMaterial: {publicKey: {hint: 'h'}, timestampVerificationData: {rfc3161Timestamps: many(33, {})}}}), 'invalid'],
  ])('%s', (_name, input, reason) => {
    const err = thrown(() => parseSigstoreBundle(input))
    expect(err.code).toBe('INVALID_PAYLOAD')
    expect(err.message).toMatch(/^invalid sigstore bundle: /)
    expect(err.details).toEqual({format: 'sigstore-bundle', reason})
  })

  test('over the size limit: RESPONSE_TOO_LARGE before any decoding', () => {
    const err = thrown(() => parseSigstoreBundle(new Uint8Array(MAX_BUNDLE_BYTES + 1)))
    expect(err.code).toBe('RESPONSE_TOO_LARGE')
    expect(err.details).toMatchObject({format: 'sigstore-bundle', reason: 'too-large', limit: MAX_BUNDLE_BYTES})
    expect(thrown(() => parseSigstoreBundle(readVector('image/bundle.json'), {maxBytes: 698})).code).toBe('RESPONSE_TOO_LARGE')
    expect(parseSigstoreBundle(readVector('image/bundle.json'), {maxBytes: 699}).version).toBe('v0.3')
  })
})
