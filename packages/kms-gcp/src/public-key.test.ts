import {ECDH, generateKeyPairSync} from 'node:crypto'
import {describe, expect, test} from 'vitest'
import {encodePem, readDerElement} from '@sigil/core'
import {gcpKmsAlgorithm} from './algorithms.js'
import {createKmsVerifier, publicKeyFromPem} from './public-key.js'

const P256 = gcpKmsAlgorithm('EC_SIGN_P256_SHA256')!
const V = 'projects/p/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1'

/** The SPKI of `spki`'s key with its EC point compressed by OpenSSL. */
function compressed(spki: Uint8Array, curve: string): Uint8Array {
  const outer = readDerElement(spki, 0)!
  const algorithm = readDerElement(spki, outer.start)!
  const point = ECDH.convertKey(spki.subarray(spki.length - 65), curve, undefined, undefined, 'compressed') as Buffer
  const body = [...spki.subarray(outer.start, algorithm.end), 0x03, point.length + 1, 0x00, ...point]
  return new Uint8Array([0x30, body.length, ...body])
}

describe('publicKeyFromPem', () => {
  test('keeps the SPKI Cloud KMS sent and writes the PEM as Go does', () => {
    const key = generateKeyPairSync('ec', {namedCurve: 'prime256v1'}).publicKey
    const pem = key.export({format: 'pem', type: 'spki'}) as string
    const info = publicKeyFromPem(pem, P256, V)
    expect(info).toMatchObject({kind: 'ecdsa', curve: 'P-256', pem})
    expect(info.spki).toEqual(new Uint8Array(key.export({format: 'der', type: 'spki'})))
  })

  // OpenSSL keeps a compressed point compressed, and cosign reads only uncompressed points.
  test('a PEM with a compressed EC point is shown with the uncompressed point', () => {
    const key = generateKeyPairSync('ec', {namedCurve: 'prime256v1'}).publicKey
    const der = new Uint8Array(key.export({format: 'der', type: 'spki'}))
    const info = publicKeyFromPem(encodePem('PUBLIC KEY', compressed(der, 'prime256v1')), P256, V)
    expect(info.spki).toEqual(der)
    expect(info.pem).toBe(key.export({format: 'pem', type: 'spki'}))
  })

  test.each([
    ['not a PEM', 'nothing here', 'returned an unreadable PEM'],
    ['another curve', generateKeyPairSync('ec', {namedCurve: 'secp384r1'}).publicKey.export({format: 'pem', type: 'spki'}) as string, 'does not match EC_SIGN_P256_SHA256'],
  ])('%s → KMS_ERROR', (_name, pem, message) => {
    expect(() => publicKeyFromPem(pem, P256, V)).toThrow(expect.objectContaining({code: 'KMS_ERROR', message: expect.stringContaining(message)}))
  })
})

test('createKmsVerifier verifies with the algorithm\'s hash and padding', async () => {
  const {publicKey, privateKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
  const info = publicKeyFromPem(publicKey.export({format: 'pem', type: 'spki'}) as string, gcpKmsAlgorithm('RSA_SIGN_PSS_2048_SHA256')!, V)
  const {sign, constants} = await import('node:crypto')
  const message = new TextEncoder().encode('payload')
  const signature = sign('sha256', message, {key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32})
  const verifier = createKmsVerifier(info, gcpKmsAlgorithm('RSA_SIGN_PSS_2048_SHA256')!)
  expect(verifier.verify(message, signature)).toBe(true)
  expect(verifier.verify(new TextEncoder().encode('other'), signature)).toBe(false)
})
