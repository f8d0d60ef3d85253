import {ECDH, createPublicKey, generateKeyPairSync} from 'node:crypto'
import {describe, expect, test} from 'vitest'
import {publicKeyFromPem} from './public-key.js'

const pemOf = (der: Uint8Array) => createPublicKey({key: Buffer.from(der), format: 'der', type: 'spki'}).export({type: 'spki', format: 'pem'}) as string

describe('publicKeyFromPem (what a sigstore-kms-* executable reports)', () => {
  test.each([
    ['P-256', 'prime256v1'],
    ['P-384', 'secp384r1'],
    ['P-521', 'secp521r1'],
  ] as const)('ECDSA %s: the SPKI as Go writes it, in Go\'s PEM form', (curve, namedCurve) => {
    const {publicKey} = generateKeyPairSync('ec', {namedCurve})
    const der = publicKey.export({type: 'spki', format: 'der'})
    const info = publicKeyFromPem(publicKey.export({type: 'spki', format: 'pem'}) as string, 'test')
    expect(info).toMatchObject({kind: 'ecdsa', curve})
    expect(Buffer.from(info.spki).equals(der)).toBe(true)
    expect(info.pem).toBe(`-----BEGIN PUBLIC KEY-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END PUBLIC KEY-----\n`)
  })

  test('a compressed EC point is re-encoded uncompressed (the only form cosign reads)', () => {
    const {publicKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
    const jwk = publicKey.export({format: 'jwk'})
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')])
    const compressed = ECDH.convertKey(point, 'prime256v1', undefined, undefined, 'compressed') as Buffer
    const der = Buffer.concat([Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'), compressed])
    const info = publicKeyFromPem(pemOf(der), 'test')
    expect(Buffer.from(info.spki).equals(publicKey.export({type: 'spki', format: 'der'}))).toBe(true)
  })

  test('RSA (PUBLIC KEY and RSA PUBLIC KEY) and Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', {modulusLength: 2048}).publicKey
    expect(publicKeyFromPem(rsa.export({type: 'spki', format: 'pem'}) as string, 'test')).toMatchObject({kind: 'rsa', bits: 2048})
    const pkcs1 = publicKeyFromPem(rsa.export({type: 'pkcs1', format: 'pem'}) as string, 'test')
    expect(Buffer.from(pkcs1.spki).equals(rsa.export({type: 'spki', format: 'der'}))).toBe(true)
    const ed = generateKeyPairSync('ed25519').publicKey
    expect(publicKeyFromPem(ed.export({type: 'spki', format: 'pem'}) as string, 'test')).toMatchObject({kind: 'ed25519'})
  })

  test('a private key, garbage, an unsupported curve or RSA size are refused with a code', () => {
    const {privateKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
    expect(() => publicKeyFromPem(privateKey.export({type: 'pkcs8', format: 'pem'}) as string, 'sigstore-kms-x')).toThrow(
      expect.objectContaining({code: 'KEY_INVALID', message: expect.stringContaining('sigstore-kms-x')}),
    )
    expect(() => publicKeyFromPem('not a pem', 'x')).toThrow(expect.objectContaining({code: 'KEY_INVALID'}))
    expect(() => publicKeyFromPem('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', 'x')).toThrow(expect.objectContaining({code: 'KEY_INVALID'}))
    const k1 = generateKeyPairSync('ec', {namedCurve: 'secp256k1'}).publicKey.export({type: 'spki', format: 'pem'}) as string
    expect(() => publicKeyFromPem(k1, 'x')).toThrow(expect.objectContaining({code: 'KEY_UNSUPPORTED'}))
    const small = generateKeyPairSync('rsa', {modulusLength: 1024}).publicKey.export({type: 'spki', format: 'pem'}) as string
    expect(() => publicKeyFromPem(small, 'x')).toThrow(expect.objectContaining({code: 'KEY_UNSUPPORTED'}))
  })
})
