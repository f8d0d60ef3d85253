import {createHash, createPublicKey, generateKeyPairSync, verify} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {describe, expect, test} from 'vitest'
import {defaultSignatureAlgorithm as signerAlgorithm} from '@sigil/core'
import {createSigner} from './signer.js'

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

  test.each(KEYS)('$name signDigest over a SHA-256 digest verifies as a signature over the message', async ({key, check}) => {
    const signer = createSigner(pkcs8(key))
    if (!check) {
      expect(signer.signDigest).toBeUndefined() // pure Ed25519 signs the message itself
      return
    }
    const digest = new Uint8Array(createHash('sha256').update(message).digest())
    const sig = await signer.signDigest!(digest, 'sha256')
    expect(verify('sha256', message, {key: createPublicKey(key), ...check}, sig)).toBe(true)
    expect(verify('sha256', new TextEncoder().encode('other'), {key: createPublicKey(key), ...check}, sig)).toBe(false)
  })

  test('RSA signDigest is byte for byte what sign makes (PKCS#1 v1.5 is deterministic)', async () => {
    const signer = createSigner(pkcs8(KEYS[3].key))
    const digest = new Uint8Array(createHash('sha256').update(message).digest())
    expect(Buffer.from(await signer.signDigest!(digest, 'sha256'))).toEqual(Buffer.from(await signer.sign(message)))
  })

  test('ECDSA signDigest is DER and randomized, like sign', async () => {
    const signer = createSigner(pkcs8(KEYS[0].key))
    const digest = new Uint8Array(createHash('sha256').update(message).digest())
    const [a, b] = await Promise.all([signer.signDigest!(digest, 'sha256'), signer.signDigest!(digest, 'sha256')])
    expect(a[0]).toBe(0x30)
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false)
  })

  test('signDigest refuses a digest of the wrong length; RSA refuses another hash (its DigestInfo names SHA-256)', async () => {
    const signer = createSigner(pkcs8(KEYS[0].key))
    await expect(signer.signDigest!(new Uint8Array(31), 'sha256')).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
    await expect(signer.signDigest!(new Uint8Array(32), 'sha384')).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
    const rsa = createSigner(pkcs8(KEYS[3].key))
    await expect(rsa.signDigest!(new Uint8Array(48), 'sha384')).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
  })

  test.each([
    [KEYS[1], 'sha384'],
    [KEYS[2], 'sha512'],
  ] as const)('$0.name: signDigest takes a digest of another hash too (OpenSSH signs P-384 over SHA-384, P-521 over SHA-512)', async (k, hash) => {
    const signer = createSigner(pkcs8(k.key))
    const message = Buffer.from('ssh signed data')
    const signature = await signer.signDigest!(new Uint8Array(createHash(hash).update(message).digest()), hash)
    expect(verify(hash, message, {key: createPublicKey(k.key), dsaEncoding: 'der'}, signature)).toBe(true)
    expect(verify('sha256', message, {key: createPublicKey(k.key), dsaEncoding: 'der'}, signature)).toBe(false)
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
