import {createPublicKey, generateKeyPairSync} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {describe, expect, test} from 'vitest'
import {encodePem} from './pem.js'
import {encodePublicKeyPem, parsePublicKeyPem, publicKeyFromPkcs8} from './public-key.js'

const vectors = new URL('../../../../shared/spec/vectors/', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, vectors), 'utf8')

const PUBS = [
  'policy-controller-example/cosign.pub',
  'containers-image-cosign-valid/cosign.pub',
  'containers-image-cosign-key-rekor-valid/cosign2.pub',
  'containers-image-cosign-key-rekor-valid/rekor.pub',
  'sigstore-rs/ecdsa_encrypted_private.DERIVED.pub',
]

const KEYS: ReadonlyArray<{name: string; key: () => KeyObject; expected: object}> = [
  {name: 'P-256', key: () => generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey, expected: {kind: 'ecdsa', curve: 'P-256'}},
  {name: 'P-384', key: () => generateKeyPairSync('ec', {namedCurve: 'P-384'}).privateKey, expected: {kind: 'ecdsa', curve: 'P-384'}},
  {name: 'P-521', key: () => generateKeyPairSync('ec', {namedCurve: 'P-521'}).privateKey, expected: {kind: 'ecdsa', curve: 'P-521'}},
  {name: 'RSA-2048', key: () => generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey, expected: {kind: 'rsa', bits: 2048}},
  {name: 'RSA-3072', key: () => generateKeyPairSync('rsa', {modulusLength: 3072}).privateKey, expected: {kind: 'rsa', bits: 3072}},
  {name: 'Ed25519', key: () => generateKeyPairSync('ed25519').privateKey, expected: {kind: 'ed25519'}},
]

describe('parsePublicKeyPem', () => {
  test.each(PUBS)('%s: P-256, PEM re-encoded byte for byte', (file) => {
    const info = parsePublicKeyPem(read(file))
    expect(info).toMatchObject({kind: 'ecdsa', curve: 'P-256'})
    expect(info.spki).toHaveLength(91)
    expect(info.pem).toBe(read(file))
  })

  test.each(KEYS)('$name SPKI PEM: kind/size, and pem equals OpenSSL/node output (= Go)', ({key, expected}) => {
    const pem = createPublicKey(key()).export({format: 'pem', type: 'spki'}) as string
    const info = parsePublicKeyPem(pem)
    expect(info).toMatchObject(expected)
    expect(info.pem).toBe(pem)
  })

  test('RSA PUBLIC KEY (PKCS#1) is read and given back as SPKI', () => {
    const {publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
    const info = parsePublicKeyPem(publicKey.export({format: 'pem', type: 'pkcs1'}) as string)
    expect(info).toMatchObject({kind: 'rsa', bits: 2048})
    expect(info.pem).toBe(publicKey.export({format: 'pem', type: 'spki'}))
  })

  test.each([
    ['cosign.key', () => read('policy-controller-example/cosign.key'), 'ENCRYPTED COSIGN PRIVATE KEY'],
    ['EC PRIVATE KEY', () => generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey.export({format: 'pem', type: 'sec1'}) as string, 'EC PRIVATE KEY'],
    ['PRIVATE KEY', () => generateKeyPairSync('ed25519').privateKey.export({format: 'pem', type: 'pkcs8'}) as string, 'PRIVATE KEY'],
  ])('a private key (%s) is refused: verification needs the .pub', (_name, pem, type) => {
    expect(() => parsePublicKeyPem(pem(), {source: 'k.key'})).toThrow(
      expect.objectContaining({
        code: 'KEY_INVALID',
        message: `k.key (${type}) is a private key; verification needs the public key (cosign.pub)`,
      }),
    )
  })

  test('other PEM types get cosign\'s message', () => {
    expect(() => parsePublicKeyPem(encodePem('CERTIFICATE', new Uint8Array([1])))).toThrow(
      expect.objectContaining({
        code: 'KEY_INVALID',
        message: 'unknown Public key PEM file type: CERTIFICATE. Are you passing the correct public key?',
      }),
    )
  })

  test.each([
    ['not PEM', 'hello', 'KEY_INVALID'],
    ['corrupt DER', encodePem('PUBLIC KEY', new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])), 'KEY_INVALID'],
    ['point not on the curve', offCurve(), 'KEY_INVALID'],
    ['RSA-1024', generateKeyPairSync('rsa', {modulusLength: 1024}).publicKey.export({format: 'pem', type: 'spki'}) as string, 'KEY_UNSUPPORTED'],
    ['secp256k1', generateKeyPairSync('ec', {namedCurve: 'secp256k1'}).publicKey.export({format: 'pem', type: 'spki'}) as string, 'KEY_UNSUPPORTED'],
    ['Ed448', generateKeyPairSync('ed448').publicKey.export({format: 'pem', type: 'spki'}) as string, 'KEY_UNSUPPORTED'],
    ['RSA-PSS', generateKeyPairSync('rsa-pss', {modulusLength: 2048}).publicKey.export({format: 'pem', type: 'spki'}) as string, 'KEY_UNSUPPORTED'],
  ])('rejects %s (%s)', (_name, pem, code) => {
    expect(() => parsePublicKeyPem(pem)).toThrow(expect.objectContaining({code}))
  })
})

function offCurve(): string {
  const spki = new Uint8Array(generateKeyPairSync('ec', {namedCurve: 'P-256'}).publicKey.export({format: 'der', type: 'spki'}))
  spki[spki.length - 1]! ^= 1 // y no longer matches x
  return encodePem('PUBLIC KEY', spki)
}

describe('publicKeyFromPkcs8', () => {
  test.each(KEYS)('$name: same public key as node derives', ({key, expected}) => {
    const k = key()
    const info = publicKeyFromPkcs8(new Uint8Array(k.export({format: 'der', type: 'pkcs8'})))
    expect(info).toMatchObject(expected)
    expect(Buffer.from(info.spki)).toEqual(createPublicKey(k).export({format: 'der', type: 'spki'}))
  })

  test('rejects SEC1 bytes', () => {
    const sec1 = generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey.export({format: 'der', type: 'sec1'})
    expect(() => publicKeyFromPkcs8(new Uint8Array(sec1))).toThrow(expect.objectContaining({code: 'KEY_INVALID'}))
  })
})

test('encodePublicKeyPem writes Go\'s PEM (same bytes as the vector file)', () => {
  const info = parsePublicKeyPem(read(PUBS[0]!))
  expect(encodePublicKeyPem(info.spki)).toBe(read(PUBS[0]!))
})

describe('the SPKI of a parsed public key is always what Node exports for it', () => {
  test.each(KEYS)('%s (canonical input: its bytes are kept, and equal the export)', ({key}) => {
    const pub = createPublicKey(key())
    const der = pub.export({type: 'spki', format: 'der'})
    const info = parsePublicKeyPem(encodePem('PUBLIC KEY', der))
    expect(Buffer.from(info.spki).equals(der)).toBe(true)
  })

  test('other encodings of an EC point (compressed, hybrid) get exactly what Node exports for them', () => {
    const pub = createPublicKey(generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey)
    const canonical = pub.export({type: 'spki', format: 'der'})
    const jwk = pub.export({format: 'jwk'})
    const x = Buffer.from(jwk.x!, 'base64url')
    const y = Buffer.from(jwk.y!, 'base64url')
    const algorithm = canonical.subarray(2, 2 + 2 + canonical[3]!) // the AlgorithmIdentifier SEQUENCE
    const spkiWith = (point: Buffer): Buffer => {
      const bits = Buffer.concat([Buffer.from([0x03, point.length + 1, 0x00]), point])
      const body = Buffer.concat([algorithm, bits])
      return Buffer.concat([Buffer.from([0x30, body.length]), body])
    }
    expect(spkiWith(Buffer.concat([Buffer.from([0x04]), x, y])).equals(canonical)).toBe(true) // the builder is right
    const compressed = spkiWith(Buffer.concat([Buffer.from([y[31]! & 1 ? 0x03 : 0x02]), x]))
    const hybrid = spkiWith(Buffer.concat([Buffer.from([y[31]! & 1 ? 0x07 : 0x06]), x, y]))
    expect(hybrid.length).toBe(canonical.length) // same length as the canonical form: only the prefix tells them apart
    for (const der of [compressed, hybrid]) {
      const info = parsePublicKeyPem(encodePem('PUBLIC KEY', der))
      const exported = createPublicKey({key: der, format: 'der', type: 'spki'}).export({type: 'spki', format: 'der'})
      expect(Buffer.from(info.spki).toString('hex')).toBe(exported.toString('hex'))
    }
  })
})
