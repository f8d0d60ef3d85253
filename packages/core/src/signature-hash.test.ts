import {describe, expect, test} from 'vitest'
import {thrown} from '../test/thrown.js'
import type {PublicKeyInfo} from './contracts.js'
import {checkDigestArgs, defaultSignatureAlgorithm, sha256DigestInfo, signatureHash} from './signature-hash.js'

describe('signatureHash', () => {
  test.each([
    ['ecdsa-p256-sha256', 'sha256'],
    ['ecdsa-p384-sha256', 'sha256'],
    ['ecdsa-p384-sha384', 'sha384'],
    ['ecdsa-p521-sha512', 'sha512'],
    ['rsa-pss-sha384', 'sha384'],
    ['rsa-pkcs1v15-sha512', 'sha512'],
    ['ed25519', undefined],
  ] as const)('%s → %s', (algorithm, hash) => {
    expect(signatureHash(algorithm)).toBe(hash)
  })

  test('an unknown scheme is KEY_UNSUPPORTED', () => {
    expect(thrown(() => signatureHash('dsa-sha1' as never)).code).toBe('KEY_UNSUPPORTED')
  })
})

describe('checkDigestArgs', () => {
  test('accepts the scheme\'s hash and length', () => {
    expect(() => checkDigestArgs('ecdsa-p256-sha256', new Uint8Array(32), 'sha256')).not.toThrow()
  })
  test.each([
    ['another hash', 'ecdsa-p256-sha256', 32, 'sha384', /signs a sha256 digest, not sha384/],
    ['a short digest', 'ecdsa-p256-sha256', 31, 'sha256', /has 32 bytes, got 31/],
    ['Ed25519', 'ed25519', 64, 'sha512', /signs the message itself/],
  ] as const)('%s: INVALID_ARGUMENT', (_, algorithm, length, hash, message) => {
    const err = thrown(() => checkDigestArgs(algorithm, new Uint8Array(length), hash))
    expect(err.code).toBe('INVALID_ARGUMENT')
    expect(err.message).toMatch(message)
  })
})

describe('defaultSignatureAlgorithm', () => {
  test.each([
    [{kind: 'ed25519'}, 'ed25519'],
    [{kind: 'rsa', bits: 4096}, 'rsa-pkcs1v15-sha256'],
    [{kind: 'ecdsa', curve: 'P-256'}, 'ecdsa-p256-sha256'],
    [{kind: 'ecdsa', curve: 'P-384'}, 'ecdsa-p384-sha256'],
    [{kind: 'ecdsa', curve: 'P-521'}, 'ecdsa-p521-sha256'],
  ] as const)('%o signs with %s', (key, algorithm) => {
    expect(defaultSignatureAlgorithm({...key, spki: new Uint8Array(0), pem: ''} as PublicKeyInfo)).toBe(algorithm)
  })
})

describe('sha256DigestInfo', () => {
  test('is the RFC 8017 DigestInfo prefix followed by the digest', () => {
    const digest = new Uint8Array(32).fill(7)
    expect(Buffer.from(sha256DigestInfo(digest)).toString('hex')).toBe(`3031300d060960864801650304020105000420${'07'.repeat(32)}`)
  })
})
