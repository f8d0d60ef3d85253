import {constants, generateKeyPairSync, sign} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {describe, expect, test} from 'vitest'
import type {PublicKeyInfo} from './contracts.js'
import {createLocalVerifier, isDerSignature} from './local-verifier.js'

const message = new TextEncoder().encode('{"critical":{},"optional":null}')
const other = new TextEncoder().encode('{"critical":{},"optional":{}}')

function info(pub: KeyObject, kind: PublicKeyInfo['kind']): PublicKeyInfo {
  return {kind, spki: pub.export({type: 'spki', format: 'der'}), pem: pub.export({type: 'spki', format: 'pem'}) as string}
}

describe('createLocalVerifier', () => {
  test.each([
    ['P-256', 'prime256v1', 32],
    ['P-384', 'secp384r1', 48],
    ['P-521', 'secp521r1', 66],
    ['secp256k1', 'secp256k1', 32],
  ])('ECDSA %s: DER and raw r‖s both verify; a changed message does not', (_n, curve, size) => {
    const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: curve})
    const v = createLocalVerifier(info(publicKey, 'ecdsa'))
    const der = sign('sha256', message, {key: privateKey, dsaEncoding: 'der'})
    const raw = sign('sha256', message, {key: privateKey, dsaEncoding: 'ieee-p1363'})
    expect(raw.length).toBe(2 * size)
    expect(v.verify(message, der)).toBe(true)
    expect(v.verify(message, raw)).toBe(true)
    expect(v.verify(other, der)).toBe(false)
    expect(v.verify(other, raw)).toBe(false)
  })

  test('the caller picks the hash for a PEM-like key; a scheme fixes it for KMS keys', () => {
    const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'secp384r1'})
    const sig = sign('sha384', message, {key: privateKey, dsaEncoding: 'der'})
    expect(createLocalVerifier(info(publicKey, 'ecdsa')).verify(message, sig)).toBe(false)
    expect(createLocalVerifier(info(publicKey, 'ecdsa')).verify(message, sig, {hash: 'sha384'})).toBe(true)
    const fixed = createLocalVerifier(info(publicKey, 'ecdsa'), {hash: 'sha384'})
    expect(fixed.verify(message, sig)).toBe(true)
    expect(fixed.verify(message, sig, {hash: 'sha256'})).toBe(true) // the key's hash wins
  })

  test('RSA: PKCS#1 v1.5 by default; PSS (any salt length) only when the scheme says so', () => {
    const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
    const pkcs1 = sign('sha256', message, {key: privateKey, padding: constants.RSA_PKCS1_PADDING})
    const pss = sign('sha256', message, {key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32})
    const pssMaxSalt = sign('sha256', message, {key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_MAX_SIGN})
    const asPem = createLocalVerifier(info(publicKey, 'rsa'))
    expect(asPem.verify(message, pkcs1)).toBe(true)
    expect(asPem.verify(message, pss)).toBe(false)
    const asPss = createLocalVerifier(info(publicKey, 'rsa'), {padding: 'pss'})
    expect(asPss.verify(message, pss)).toBe(true)
    expect(asPss.verify(message, pssMaxSalt)).toBe(true)
    expect(asPss.verify(message, pkcs1)).toBe(false)
    expect(asPss.verify(other, pss)).toBe(false)
  })

  test('Ed25519 is pure and ignores the hash option', () => {
    const {privateKey, publicKey} = generateKeyPairSync('ed25519')
    const sig = sign(null, message, privateKey)
    const v = createLocalVerifier(info(publicKey, 'ed25519'))
    expect(v.verify(message, sig, {hash: 'sha512'})).toBe(true)
    expect(v.verify(other, sig)).toBe(false)
  })

  test.each([
    ['empty', new Uint8Array()],
    ['garbage', new Uint8Array([1, 2, 3])],
    ['a DER header with nothing in it', new Uint8Array([0x30, 0x00])],
    ['an over-long raw signature', new Uint8Array(140)],
  ])('a malformed signature (%s) is false, never an exception', (_n, sig) => {
    const {publicKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
    expect(createLocalVerifier(info(publicKey, 'ecdsa')).verify(message, sig)).toBe(false)
  })

  test('an invalid SPKI is KEY_INVALID; an unknown hash is INVALID_ARGUMENT', () => {
    expect(() => createLocalVerifier({kind: 'ecdsa', spki: new Uint8Array([1, 2]), pem: ''})).toThrow(expect.objectContaining({code: 'KEY_INVALID'}))
    const {publicKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
    expect(() => createLocalVerifier(info(publicKey, 'ecdsa')).verify(message, new Uint8Array([1]), {hash: 'md5' as never})).toThrow(
      expect.objectContaining({code: 'INVALID_ARGUMENT'}),
    )
  })
})

describe('isDerSignature (how DER is told from raw r‖s)', () => {
  test('node DER signatures are DER; raw ones are not', () => {
    const {privateKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
    expect(isDerSignature(sign('sha256', message, {key: privateKey, dsaEncoding: 'der'}))).toBe(true)
    expect(isDerSignature(sign('sha256', message, {key: privateKey, dsaEncoding: 'ieee-p1363'}))).toBe(false)
  })

  test.each([
    ['r, s', [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02], true],
    ['a sign byte before a high bit', [0x30, 0x07, 0x02, 0x02, 0x00, 0x80, 0x02, 0x01, 0x02], true],
    ['trailing bytes after the sequence (Go tolerates them when probing)', [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0xff], true],
    ['negative r', [0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x02], false],
    ['non-minimal r', [0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x02], false],
    ['three integers', [0x30, 0x09, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x02, 0x01, 0x03], false],
    ['empty integers', [0x30, 0x04, 0x02, 0x00, 0x02, 0x00], false],
    ['a length past the end', [0x30, 0x10, 0x02, 0x01, 0x01], false],
    ['non-minimal long-form length', [0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02], false],
  ])('%s → %s', (_name, bytes, expected) => {
    expect(isDerSignature(new Uint8Array(bytes as number[]))).toBe(expected)
  })
})

describe('createVerification (streaming)', () => {
  /** The message in three uneven chunks, then the signature. */
  const streamed = (v: ReturnType<typeof createLocalVerifier>, msg: Uint8Array, sig: Uint8Array, options = {}) => {
    const s = v.createVerification!(options)
    s.update(msg.subarray(0, 3))
    s.update(msg.subarray(3, 10))
    s.update(msg.subarray(10))
    return s.verify(sig)
  }

  test.each([['prime256v1'], ['secp384r1'], ['secp521r1']])('ECDSA %s: same answers as verify, DER and raw r‖s', (curve) => {
    const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: curve})
    const v = createLocalVerifier(info(publicKey, 'ecdsa'))
    const der = sign('sha256', message, {key: privateKey, dsaEncoding: 'der'})
    const raw = sign('sha256', message, {key: privateKey, dsaEncoding: 'ieee-p1363'})
    expect(streamed(v, message, der)).toBe(true)
    expect(streamed(v, message, raw)).toBe(true)
    expect(streamed(v, other, der)).toBe(false)
    expect(streamed(v, message, new Uint8Array(0))).toBe(false)
    expect(streamed(v, message, new Uint8Array([0x30, 1, 2]))).toBe(false)
    // The hash option applies as in verify.
    const sig384 = sign('sha384', message, {key: privateKey, dsaEncoding: 'der'})
    expect(streamed(v, message, sig384)).toBe(false)
    expect(streamed(v, message, sig384, {hash: 'sha384'})).toBe(true)
  })

  test('RSA PKCS#1 v1.5 and PSS (scheme), as verify', () => {
    const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
    const pkcs1 = sign('sha256', message, {key: privateKey, padding: constants.RSA_PKCS1_PADDING})
    const pss = sign('sha256', message, {key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32})
    expect(streamed(createLocalVerifier(info(publicKey, 'rsa')), message, pkcs1)).toBe(true)
    expect(streamed(createLocalVerifier(info(publicKey, 'rsa')), message, pss)).toBe(false)
    expect(streamed(createLocalVerifier(info(publicKey, 'rsa'), {padding: 'pss'}), message, pss)).toBe(true)
    expect(streamed(createLocalVerifier(info(publicKey, 'rsa'), {padding: 'pss'}), other, pss)).toBe(false)
  })

  test('Ed25519 has no streaming verification (pure Ed25519 needs the whole message)', () => {
    const {publicKey} = generateKeyPairSync('ed25519')
    expect(createLocalVerifier(info(publicKey, 'ed25519')).createVerification).toBeUndefined()
  })

  test('one signature per verification', () => {
    const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
    const s = createLocalVerifier(info(publicKey, 'ecdsa')).createVerification!()
    s.update(message)
    expect(s.verify(sign('sha256', message, {key: privateKey, dsaEncoding: 'der'}))).toBe(true)
    expect(() => s.verify(new Uint8Array([1]))).toThrow(/one signature/)
  })
})
