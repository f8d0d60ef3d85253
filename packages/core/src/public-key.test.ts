import {createPrivateKey, createPublicKey, generateKeyPairSync} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {describe, expect, test} from 'vitest'
import {encodePem} from './pem.js'
import {parsePublicKeyPem, publicKeyFromPkcs8} from './public-key.js'
import {encodePublicKeyPem} from './spki.js'

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

describe('the SPKI of a parsed public key is what Go (cosign) writes for it', () => {
  test.each(KEYS)('%s (canonical input: its bytes are kept, and equal the export)', ({key}) => {
    const pub = createPublicKey(key())
    const der = pub.export({type: 'spki', format: 'der'})
    const info = parsePublicKeyPem(encodePem('PUBLIC KEY', der))
    expect(Buffer.from(info.spki).equals(der)).toBe(true)
  })

  test('a compressed or hybrid EC point is written uncompressed, the only form Go (cosign) reads', () => {
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
      // Node itself would keep the form it read (the control), sigil writes Go's.
      expect(createPublicKey({key: der, format: 'der', type: 'spki'}).export({type: 'spki', format: 'der'}).equals(der)).toBe(true)
      const info = parsePublicKeyPem(encodePem('PUBLIC KEY', der))
      expect(Buffer.from(info.spki).toString('hex')).toBe(canonical.toString('hex'))
      expect(info.pem).toBe(encodePem('PUBLIC KEY', canonical))
    }
  })

  test('the public half of a PKCS#8 key whose point is stored compressed is written uncompressed too', () => {
    const {privateKey} = generateKeyPairSync('ec', {namedCurve: 'P-384'})
    const canonical = createPublicKey(privateKey).export({type: 'spki', format: 'der'})
    // openssl writes the compressed form on request; Node cannot, so build the PKCS#8 with it by hand:
    // the ECPrivateKey's [1] publicKey BIT STRING is replaced by the compressed point.
    const jwk = privateKey.export({format: 'jwk'})
    const x = Buffer.from(jwk.x!, 'base64url')
    const y = Buffer.from(jwk.y!, 'base64url')
    const d = Buffer.from(jwk.d!, 'base64url')
    const seq = (...parts: Buffer[]): Buffer => {
      const body = Buffer.concat(parts)
      return Buffer.concat([Buffer.from(body.length < 128 ? [0x30, body.length] : [0x30, 0x81, body.length]), body])
    }
    const point = Buffer.concat([Buffer.from([y.at(-1)! & 1 ? 0x03 : 0x02]), x])
    const ecPrivateKey = seq(
      Buffer.from([0x02, 0x01, 0x01]),
      Buffer.concat([Buffer.from([0x04, d.length]), d]),
      Buffer.concat([Buffer.from([0xa1, point.length + 3, 0x03, point.length + 1, 0x00]), point]),
    )
    const algorithm = Buffer.from('301006072a8648ce3d020106052b81040022', 'hex') // id-ecPublicKey, secp384r1
    const pkcs8 = seq(Buffer.from([0x02, 0x01, 0x00]), algorithm, Buffer.concat([Buffer.from([0x04, 0x81, ecPrivateKey.length]), ecPrivateKey]))
    // Control: Node keeps the compressed form for this key.
    expect(createPublicKey(createPrivateKey({key: pkcs8, format: 'der', type: 'pkcs8'})).export({type: 'spki', format: 'der'}).length).toBeLessThan(canonical.length)
    expect(Buffer.from(publicKeyFromPkcs8(pkcs8).spki).toString('hex')).toBe(canonical.toString('hex'))
  })
})
