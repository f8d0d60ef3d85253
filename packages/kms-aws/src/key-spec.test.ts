import {ECDH, createPublicKey, generateKeyPairSync, sign} from 'node:crypto'
import {describe, expect, test} from 'vitest'
import {createKmsVerifier, publicKeyInfoFromSpki, signingScheme} from './key-spec.js'
import {encodePublicKeyPem} from './index.js'

describe('signingScheme (SigningAlgorithms[0], as cosign)', () => {
  test.each([
    ['ECC_NIST_P256', ['ECDSA_SHA_256'], 'ecdsa-p256-sha256', 'sha256'],
    ['ECC_NIST_P384', ['ECDSA_SHA_384'], 'ecdsa-p384-sha384', 'sha384'],
    ['ECC_NIST_P521', ['ECDSA_SHA_512'], 'ecdsa-p521-sha512', 'sha512'],
    ['ECC_SECG_P256K1', ['ECDSA_SHA_256'], 'ecdsa-secp256k1-sha256', 'sha256'],
    ['RSA_2048', ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256'], 'rsa-pkcs1v15-sha256', 'sha256'],
    ['RSA_3072', ['RSASSA_PSS_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_256'], 'rsa-pss-sha384', 'sha384'],
    ['RSA_4096', ['RSASSA_PKCS1_V1_5_SHA_512'], 'rsa-pkcs1v15-sha512', 'sha512'],
  ])('%s %j → %s', (spec, algorithms, algorithm, hash) => {
    expect(signingScheme(spec, algorithms, 'k')).toMatchObject({algorithm, hash, awsAlgorithm: algorithms[0]})
  })

  test.each([
    ['ECC_NIST_EDWARDS25519', ['ED25519_SHA_512']],
    ['ML_DSA_65', ['ML_DSA_SHAKE_256']],
    ['SYMMETRIC_DEFAULT', undefined],
    ['ECC_NIST_P384', ['ECDSA_SHA_256']],
    ['RSA_2048', ['SM2DSA']],
    [undefined, ['ECDSA_SHA_256']],
  ])('%s %j → KEY_UNSUPPORTED', (spec, algorithms) => {
    expect(() => signingScheme(spec, algorithms, 'awskms:///alias/k')).toThrow(expect.objectContaining({code: 'KEY_UNSUPPORTED'}))
  })
})

describe('publicKeyInfoFromSpki', () => {
  test('rejects a key that is not what the spec says', () => {
    const spki = generateKeyPairSync('ec', {namedCurve: 'prime256v1'}).publicKey.export({format: 'der', type: 'spki'})
    expect(publicKeyInfoFromSpki(spki, 'ECC_NIST_P256', 'k')).toMatchObject({kind: 'ecdsa', curve: 'P-256'})
    expect(() => publicKeyInfoFromSpki(spki, 'ECC_NIST_P384', 'k')).toThrow(expect.objectContaining({code: 'KMS_INTEGRITY'}))
    expect(() => publicKeyInfoFromSpki(new Uint8Array([1, 2]), 'ECC_NIST_P256', 'k')).toThrow(expect.objectContaining({code: 'KMS_INTEGRITY'}))
  })

  test('an EC key KMS returns with a compressed point is shown and exported uncompressed, as cosign writes it', () => {
    const key = generateKeyPairSync('ec', {namedCurve: 'prime256v1'}).publicKey
    const uncompressed = new Uint8Array(key.export({format: 'der', type: 'spki'}))
    const point = ECDH.convertKey(uncompressed.subarray(26), 'prime256v1', undefined, undefined, 'compressed') as Buffer
    const compressed = new Uint8Array([0x30, 0x39, ...uncompressed.subarray(2, 23), 0x03, 0x22, 0x00, ...point])
    expect(createPublicKey({key: Buffer.from(compressed), format: 'der', type: 'spki'}).equals(key)).toBe(true)
    const info = publicKeyInfoFromSpki(compressed, 'ECC_NIST_P256', 'k')
    expect(info.spki).toEqual(uncompressed)
    expect(info.pem).toBe(key.export({format: 'pem', type: 'spki'}))
  })

  test('PEM is byte-identical to what Go (and OpenSSL) write', () => {
    for (const key of [generateKeyPairSync('ec', {namedCurve: 'secp521r1'}).publicKey, generateKeyPairSync('rsa', {modulusLength: 2048}).publicKey]) {
      expect(encodePublicKeyPem(key.export({format: 'der', type: 'spki'}))).toBe(key.export({format: 'pem', type: 'spki'}))
    }
  })
})

describe('createKmsVerifier', () => {
  test('PSS with any salt length (Go PSSSaltLengthAuto); garbage never throws', () => {
    const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
    const info = publicKeyInfoFromSpki(publicKey.export({format: 'der', type: 'spki'}), 'RSA_2048', 'k')
    const verifier = createKmsVerifier(info, signingScheme('RSA_2048', ['RSASSA_PSS_SHA_256'], 'k'))
    const message = new TextEncoder().encode('payload')
    for (const saltLength of [32, 0, 64]) {
      const signature = sign('sha256', message, {key: privateKey, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength})
      expect(verifier.verify(message, signature)).toBe(true)
    }
    expect(verifier.verify(message, new Uint8Array(256))).toBe(false)
    expect(verifier.verify(message, new Uint8Array([1]))).toBe(false)
  })
})
