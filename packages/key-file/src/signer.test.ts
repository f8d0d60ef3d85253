import {createPublicKey, generateKeyPairSync, verify} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {describe, expect, test} from 'vitest'
import {createSigner, signerAlgorithm} from './signer.js'

const message = new TextEncoder().encode('payload')
const pkcs8 = (key: KeyObject) => new Uint8Array(key.export({format: 'der', type: 'pkcs8'}))

const KEYS = [
  {name: 'P-256', key: generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey, algorithm: 'ecdsa-p256-sha256', check: {dsaEncoding: 'der'}},
  {name: 'P-384', key: generateKeyPairSync('ec', {namedCurve: 'P-384'}).privateKey, algorithm: 'ecdsa-p384-sha256', check: {dsaEncoding: 'der'}},
  {name: 'P-521', key: generateKeyPairSync('ec', {namedCurve: 'P-521'}).privateKey, algorithm: 'ecdsa-p521-sha256', check: {dsaEncoding: 'der'}},
  {name: 'RSA-3072', key: generateKeyPairSync('rsa', {modulusLength: 3072}).privateKey, algorithm: 'rsa-pkcs1v15-sha256', check: {}},
  {name: 'Ed25519', key: generateKeyPairSync('ed25519').privateKey, algorithm: 'ed25519', check: undefined},
] as const

describe('createSigner', () => {
  test.each(KEYS)('$name signs as $algorithm (checked by node directly)', async ({key, algorithm, check}) => {
    const signer = createSigner(pkcs8(key))
    expect(signer.algorithm).toBe(algorithm)
    expect(signerAlgorithm(await signer.publicKey())).toBe(algorithm)
    const sig = await signer.sign(message)
    const publicKey = createPublicKey(key)
    const ok = check ? verify('sha256', message, {key: publicKey, ...check}, sig) : verify(null, message, publicKey, sig)
    expect(ok).toBe(true)
  })

  test('ECDSA signatures are randomized (not RFC 6979), like Go', async () => {
    const signer = createSigner(pkcs8(KEYS[0].key))
    const [a, b] = await Promise.all([signer.sign(message), signer.sign(message)])
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false)
  })

  test('publicKey() is the SPKI of the key', async () => {
    const signer = createSigner(pkcs8(KEYS[0].key))
    expect(Buffer.from((await signer.publicKey()).spki)).toEqual(
      createPublicKey(KEYS[0].key).export({format: 'der', type: 'spki'}),
    )
  })

  test.each([
    ['SEC1 bytes', 'KEY_INVALID', () => new Uint8Array(KEYS[0].key.export({format: 'der', type: 'sec1'}))],
    ['garbage', 'KEY_INVALID', () => new Uint8Array([1, 2, 3])],
    ['secp256k1', 'KEY_UNSUPPORTED', () => pkcs8(generateKeyPairSync('ec', {namedCurve: 'secp256k1'}).privateKey)],
    ['RSA-1024', 'KEY_UNSUPPORTED', () => pkcs8(generateKeyPairSync('rsa', {modulusLength: 1024}).privateKey)],
  ])('refuses %s (%s)', (_name, code, bytes) => {
    expect(() => createSigner(bytes(), {source: 'k.key'})).toThrow(expect.objectContaining({code, message: expect.stringContaining('k.key')}))
  })
})
