import {thrown} from '../test/thrown.js'
import {createPublicKey, verify} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {describe, expect, test} from 'vitest'
import {
  MESSAGE_DIGEST_ALGORITHMS,
  bundleStatement,
  checkImageSignatureStatement,
  checkMessageSignatureDigest,
  cosignVerifyOutputEntry,
  isBundleForOtherKey,
} from './bundle-claims.js'
import {sha256Digest} from './digest.js'
import {goMarshal} from './go-json.js'
import {parseInTotoStatement} from './in-toto.js'
import {decodePem} from './pem.js'
import {parseSigstoreBundle, publicKeyHint} from './sigstore-bundle.js'

const vectors = new URL('../../../../shared/spec/vectors/cosign3/', import.meta.url)
const readVector = (path: string) => new Uint8Array(readFileSync(new URL(path, vectors)))
const readText = (path: string) => readFileSync(new URL(path, vectors), 'utf8')
const publicKey = createPublicKey(readText('keys/cosign.pub'))
const utf8 = (s: string) => new TextEncoder().encode(s)

const DIGEST = 'sha256:6c11cb75f27d9244063c2d5499cd08d6cce4cc8fe88bafdb6387c05c050f982d'
const HEX = DIGEST.slice(7)
const REFERENCE = `127.0.0.1:45123/test/vec@${DIGEST}`


const signed = bundleStatement(parseSigstoreBundle(readVector('image/bundle.json')))
const attestation = bundleStatement(parseSigstoreBundle(readVector('attestation/bundle.json')))

describe('bundleStatement', () => {
  test('gives the PAE the key verifies and the statement', () => {
    for (const {envelope, pae} of [signed, attestation]) expect(verify('sha256', pae, publicKey, envelope.signatures[0]!.sig)).toBe(true)
    expect(signed.statement.predicateType).toBe('https://sigstore.dev/cosign/sign/v1')
    expect(attestation.statement.predicateType).toBe('https://slsa.dev/provenance/v0.2')
  })

  test('a message-signature bundle is not a DSSE bundle', () => {
    const err = thrown(() => bundleStatement(parseSigstoreBundle(readVector('blob/artifact.txt.sigstore.json'))))
    expect(err.code).toBe('INVALID_PAYLOAD')
    expect(err.details).toEqual({format: 'sigstore-bundle', reason: 'not-dsse'})
  })

  test('another payloadType is refused with cosign’s message', () => {
    const bundle = parseSigstoreBundle(readVector('image/bundle.json'))
    const err = thrown(() => bundleStatement({...bundle, dsseEnvelope: {...bundle.dsseEnvelope!, payloadType: 'text/plain'}}))
    expect(err.message).toBe('invalid payloadType text/plain on envelope. Expected application/vnd.in-toto+json')
    expect(err.details).toEqual({format: 'dsse-envelope', reason: 'not-in-toto'})
  })

  test('a payload that is not a statement', () => {
    const bundle = parseSigstoreBundle(readVector('image/bundle.json'))
    const err = thrown(() => bundleStatement({...bundle, dsseEnvelope: {...bundle.dsseEnvelope!, payload: utf8('{}')}}))
    expect(err.details).toMatchObject({format: 'in-toto-statement'})
  })
})

describe('checkImageSignatureStatement', () => {
  test('the cosign 3 signature counts, with and without matching -a annotations', () => {
    expect(checkImageSignatureStatement(signed.statement, {digest: DIGEST})).toEqual({ok: true})
    expect(checkImageSignatureStatement(signed.statement, {digest: DIGEST, annotations: {env: 'prod'}})).toEqual({ok: true})
    expect(checkImageSignatureStatement(signed.statement, {digest: DIGEST, annotations: {env: 'prod', team: 'payments'}})).toEqual({ok: true})
  })

  test('an attestation made with the same key is not an image signature', () => {
    expect(checkImageSignatureStatement(attestation.statement, {digest: DIGEST})).toEqual({
      ok: false,
      reason: 'predicate type https://slsa.dev/provenance/v0.2 is not an image signature (https://sigstore.dev/cosign/sign/v1)',
    })
  })

  test('a statement for another digest', () => {
    expect(checkImageSignatureStatement(signed.statement, {digest: `sha256:${'a'.repeat(64)}`})).toEqual({ok: false, reason: 'no matching subject digest found'})
  })

  test('wrong or missing annotations', () => {
    const missing = {ok: false, reason: 'missing or incorrect annotation'}
    expect(checkImageSignatureStatement(signed.statement, {digest: DIGEST, annotations: {env: 'dev'}})).toEqual(missing)
    expect(checkImageSignatureStatement(signed.statement, {digest: DIGEST, annotations: {owner: 'x'}})).toEqual(missing)
    expect(checkImageSignatureStatement(signed.statement, {digest: DIGEST, annotations: {toString: 'x'}})).toEqual(missing)
    const numeric = parseInTotoStatement(
      `{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"${HEX}"},"annotations":{"n":1}}],"predicateType":"https://sigstore.dev/cosign/sign/v1"}`,
    )
    expect(checkImageSignatureStatement(numeric, {digest: DIGEST, annotations: {n: '1'}})).toEqual(missing)
  })

  test('any subject may match (cosign walks them all); annotations are the matching subject’s', () => {
    const s = parseInTotoStatement(
      `{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha512":"ab"}},{"digest":{"sha256":"${'b'.repeat(64)}"},"annotations":{"a":"1"}},{"digest":{"sha256":"${HEX}"},"annotations":{"a":"2"}}],"predicateType":"https://sigstore.dev/cosign/sign/v1"}`,
    )
    expect(checkImageSignatureStatement(s, {digest: DIGEST, annotations: {a: '2'}})).toEqual({ok: true})
    expect(checkImageSignatureStatement(s, {digest: DIGEST, annotations: {a: '1'}})).toMatchObject({ok: false})
  })

  test('a malformed digest is a caller error', () => {
    expect(thrown(() => checkImageSignatureStatement(signed.statement, {digest: 'latest'})).code).toBe('INVALID_REFERENCE')
  })
})

describe('cosignVerifyOutputEntry', () => {
  test('byte for byte what cosign 3.1.1 verify printed (vector image/cosign3-verify-output.json)', () => {
    const entry = cosignVerifyOutputEntry(signed.statement, {reference: REFERENCE})
    expect(`\n${goMarshal([entry])}\n`).toBe(readText('image/cosign3-verify-output.json'))
  })

  test('no annotations: "optional":{} (never null); nested values sorted; first subject’s digest', () => {
    const s = parseInTotoStatement(
      `{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"r","digest":{"sha256":"${HEX}"}}],"predicateType":"https://slsa.dev/provenance/v0.2","predicate":{}}`,
    )
    expect(goMarshal(cosignVerifyOutputEntry(s, {reference: 'r:latest'}))).toBe(
      `{"critical":{"identity":{"docker-reference":"r:latest"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"https://slsa.dev/provenance/v0.2"},"optional":{}}`,
    )
    const nested = parseInTotoStatement(
      `{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha512":"ff"},"annotations":{"b":{"y":1,"x":[{"q":1,"p":2}]},"a":"<&>"}}],"predicateType":"t"}`,
    )
    expect(goMarshal(cosignVerifyOutputEntry(nested, {reference: 'r'}))).toBe(
      '{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"sha512:ff"},"type":"t"},"optional":{"a":"\\u003c\\u0026\\u003e","b":{"x":[{"p":2,"q":1}],"y":1}}}',
    )
  })
})

test('isBundleForOtherKey: a hint naming another key skips the bundle; no hint never does', () => {
  const bundle = parseSigstoreBundle(readVector('image/bundle.json'))
  const ours = publicKeyHint(decodePem(readText('keys/cosign.pub'))!.bytes)
  expect(isBundleForOtherKey(bundle, ours)).toBe(false)
  expect(isBundleForOtherKey(bundle, publicKeyHint(utf8('another key')))).toBe(true)
  const noHint = {...bundle, verificationMaterial: {...bundle.verificationMaterial, publicKeyHint: ''}}
  expect(isBundleForOtherKey(noHint, ours)).toBe(false)
  const cert = {...bundle, verificationMaterial: {certificate: new Uint8Array(1), tlogEntries: []}}
  expect(isBundleForOtherKey(cert, ours)).toBe(false)
})

test('checkMessageSignatureDigest: the blob bundle names the artifact’s digest', () => {
  expect(MESSAGE_DIGEST_ALGORITHMS).toEqual({SHA2_256: 'sha256', SHA2_384: 'sha384', SHA2_512: 'sha512'})
  const bundle = parseSigstoreBundle(readVector('blob/artifact.txt.sigstore.json'))
  const digest = sha256Digest(readVector('blob/artifact.txt'))
  expect(checkMessageSignatureDigest(bundle, digest)).toEqual({ok: true})
  expect(checkMessageSignatureDigest(bundle, sha256Digest(utf8('other')))).toEqual({ok: false, reason: 'artifact digest does not match message digest'})
  expect(checkMessageSignatureDigest(bundle, `sha512:${'0'.repeat(128)}`)).toMatchObject({ok: false})
  const ms = bundle.messageSignature!
  expect(checkMessageSignatureDigest({...bundle, messageSignature: {signature: ms.signature}}, digest)).toEqual({ok: false, reason: 'message is missing artifact digest'})
  expect(checkMessageSignatureDigest({...bundle, messageSignature: {...ms, messageDigest: {...ms.messageDigest!, algorithm: 'SHA3_256'}}}, digest)).toEqual({
    ok: false,
    reason: 'unsupported message digest algorithm SHA3_256',
  })
  expect(checkMessageSignatureDigest(parseSigstoreBundle(readVector('image/bundle.json')), digest)).toMatchObject({ok: false})
})
