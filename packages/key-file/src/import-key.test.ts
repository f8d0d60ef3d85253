import {createPrivateKey, createPublicKey, generateKeyPairSync} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {describe, expect, test} from 'vitest'
import {generatePrivateKey, importPrivateKeyPem} from './import-key.js'
import {encodePem} from '@sigil/core'
import {publicKeyFromPkcs8} from '@sigil/core'

const vectors = new URL('../../../../shared/spec/vectors/', import.meta.url)
const utf8 = (s: string) => new TextEncoder().encode(s)
const spkiOf = (key: KeyObject) => createPublicKey(key).export({format: 'der', type: 'spki'})

const ec = generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey
const ec384 = generateKeyPairSync('ec', {namedCurve: 'P-384'}).privateKey
const rsa = generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey
const ed = generateKeyPairSync('ed25519').privateKey
const pem = (key: KeyObject, type: 'pkcs1' | 'sec1' | 'pkcs8', extra: object = {}) =>
  key.export({format: 'pem', type, ...extra}) as string

describe('importPrivateKeyPem', () => {
  test.each([
    ['RSA PRIVATE KEY (PKCS#1)', rsa, 'pkcs1'],
    ['EC PRIVATE KEY (SEC1) P-256', ec, 'sec1'],
    ['EC PRIVATE KEY (SEC1) P-384', ec384, 'sec1'],
    ['PRIVATE KEY (PKCS#8) RSA', rsa, 'pkcs8'],
    ['PRIVATE KEY (PKCS#8) ECDSA', ec, 'pkcs8'],
    ['PRIVATE KEY (PKCS#8) Ed25519', ed, 'pkcs8'],
  ] as const)('%s → PKCS#8 of the same key', (_name, key, type) => {
    const pkcs8 = importPrivateKeyPem(pem(key, type))
    const back = createPrivateKey({key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8'})
    expect(spkiOf(back)).toEqual(spkiOf(key))
  })

  test('a P-256 import is the 138-byte PKCS#8 Go writes (public key included)', () => {
    expect(importPrivateKeyPem(pem(ec, 'sec1'))).toHaveLength(138)
  })

  describe('OpenSSL-encrypted PEMs (beyond cosign)', () => {
    const cases = [
      ['ENCRYPTED PRIVATE KEY (PKCS#8)', pem(ec, 'pkcs8', {cipher: 'aes-256-cbc', passphrase: 'pw'})],
      ['Proc-Type: 4,ENCRYPTED (SEC1)', pem(ec, 'sec1', {cipher: 'aes-256-cbc', passphrase: 'pw'})],
    ] as const
    test.each(cases)('%s: needs a password', (_name, text) => {
      expect(() => importPrivateKeyPem(text)).toThrow(expect.objectContaining({code: 'PASSWORD_REQUIRED'}))
    })
    test.each(cases)('%s: wrong password → KEY_DECRYPT_FAILED', (_name, text) => {
      expect(() => importPrivateKeyPem(text, utf8('nope'))).toThrow(expect.objectContaining({code: 'KEY_DECRYPT_FAILED'}))
    })
    test.each(cases)('%s: right password → the key', (_name, text) => {
      const pkcs8 = importPrivateKeyPem(text, utf8('pw'))
      expect(Buffer.from(publicKeyFromPkcs8(pkcs8).spki)).toEqual(spkiOf(ec))
    })
  })

  test.each([
    ['RSA-1024', pem(generateKeyPairSync('rsa', {modulusLength: 1024}).privateKey, 'pkcs1'), 'KEY_UNSUPPORTED', 'RSA keys must be 2048 to 4096 bits'],
    ['secp256k1', pem(generateKeyPairSync('ec', {namedCurve: 'secp256k1'}).privateKey, 'sec1'), 'KEY_UNSUPPORTED', 'secp256k1'],
    ['Ed448', pem(generateKeyPairSync('ed448').privateKey, 'pkcs8'), 'KEY_UNSUPPORTED', 'ed448'],
    ['a public key', createPublicKey(ec).export({format: 'pem', type: 'spki'}) as string, 'KEY_NOT_PRIVATE', 'a public key was given where a private key is needed'],
    ['a cosign.key', readFileSync(new URL('policy-controller-example/cosign.key', vectors), 'utf8'), 'KEY_INVALID', 'already a cosign key'],
    ['an OpenSSH key', encodePem('OPENSSH PRIVATE KEY', new Uint8Array([1])), 'KEY_UNSUPPORTED', 'unsupported private key type OPENSSH PRIVATE KEY'],
    ['not PEM', 'hello', 'KEY_INVALID', 'invalid pem block'],
    ['a mislabelled key', pem(ec, 'sec1').replace(/EC PRIVATE/g, 'RSA PRIVATE'), 'KEY_INVALID', 'not a valid RSA PRIVATE KEY'],
  ])('refuses %s (%s)', (_name, text, code, message) => {
    expect(() => importPrivateKeyPem(text, undefined, {source: 'in.pem'})).toThrow(
      expect.objectContaining({code, message: expect.stringContaining(message)}),
    )
  })
})

describe('generatePrivateKey', () => {
  test('makes a fresh P-256 PKCS#8 key each time (138 bytes, like Go)', () => {
    const a = generatePrivateKey()
    const b = generatePrivateKey()
    expect(a).toHaveLength(138)
    expect(publicKeyFromPkcs8(a)).toMatchObject({kind: 'ecdsa', curve: 'P-256'})
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false)
  })
})
