import {ECDH, createPublicKey, generateKeyPairSync} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {describe, expect, test} from 'vitest'
import {readDerElement} from './der.js'
import {decodePem, encodePem} from './pem.js'
import {canonicalSpki, ecSpki, encodePublicKeyPem, isCanonicalSpki, uncompressedEcPoint} from './spki.js'
import type {EcCurve} from './spki.js'

const NODE_CURVE: Record<EcCurve, string> = {'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1', secp256k1: 'secp256k1'}
const CURVES = Object.keys(NODE_CURVE) as EcCurve[]

const spkiOf = (key: KeyObject) => new Uint8Array(key.export({format: 'der', type: 'spki'}))
const pointOf = (spki: Uint8Array, size: number) => spki.subarray(spki.length - (1 + 2 * size))
const SIZE: Record<EcCurve, number> = {'P-256': 32, 'P-384': 48, 'P-521': 66, secp256k1: 32}

/** The same key's SPKI with its point re-encoded by OpenSSL in `form` (as a KMS or a file might hold it). */
function reencoded(spki: Uint8Array, curve: EcCurve, form: 'compressed' | 'hybrid'): Uint8Array {
  const point = pointOf(spki, SIZE[curve])
  const other = new Uint8Array(ECDH.convertKey(point, NODE_CURVE[curve], undefined, undefined, form) as Buffer)
  const outer = readDerElement(spki, 0)!
  const algorithm = readDerElement(spki, outer.start)!
  const len = (n: number) => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff])
  const body = [...spki.subarray(outer.start, algorithm.end), 0x03, ...len(other.length + 1), 0x00, ...other]
  return new Uint8Array([0x30, ...len(body.length), ...body])
}

describe('canonicalSpki and encodePublicKeyPem', () => {
  describe.each(CURVES)('%s', (curve) => {
    const key = generateKeyPairSync('ec', {namedCurve: NODE_CURVE[curve]}).publicKey
    const uncompressed = spkiOf(key)

    test('an uncompressed key is canonical and kept as read; its PEM is what Node (and Go) write', () => {
      expect(isCanonicalSpki(uncompressed)).toBe(true)
      expect(canonicalSpki(uncompressed)).toEqual(uncompressed)
      expect(encodePublicKeyPem(uncompressed)).toBe(key.export({format: 'pem', type: 'spki'}))
    })

    // OpenSSL keeps the point form it read, and cosign reads only uncompressed points.
    test.each(['compressed', 'hybrid'] as const)('a %s point becomes the uncompressed canonical SPKI', (form) => {
      const other = reencoded(uncompressed, curve, form)
      expect(createPublicKey({key: Buffer.from(other), format: 'der', type: 'spki'}).equals(key)).toBe(true)
      expect(isCanonicalSpki(other)).toBe(false)
      expect(canonicalSpki(other)).toEqual(uncompressed)
      expect(encodePublicKeyPem(other)).toBe(key.export({format: 'pem', type: 'spki'}))
    })

    test('ecSpki builds the canonical SPKI from a point in any form', () => {
      const point = pointOf(uncompressed, SIZE[curve])
      expect(ecSpki(curve, point)).toEqual(uncompressed)
      for (const form of ['compressed', 'hybrid'] as const) {
        const other = new Uint8Array(ECDH.convertKey(point, NODE_CURVE[curve], undefined, undefined, form) as Buffer)
        expect(ecSpki(curve, other)).toEqual(uncompressed)
        expect(uncompressedEcPoint(curve, other)).toEqual(point)
      }
    })

    test('a point off the curve, a bad length or a wrong hybrid parity is KEY_INVALID', () => {
      const point = new Uint8Array(pointOf(uncompressed, SIZE[curve]))
      const offCurve = new Uint8Array(point)
      offCurve[offCurve.length - 1]! ^= 1
      const wrongParity = new Uint8Array(point)
      wrongParity[0] = (point[point.length - 1]! & 1) === 0 ? 0x07 : 0x06
      for (const bad of [offCurve, point.subarray(0, point.length - 1), new Uint8Array([0x05, ...point.subarray(1)]), wrongParity, new Uint8Array(0)]) {
        expect(() => ecSpki(curve, bad)).toThrow(expect.objectContaining({code: 'KEY_INVALID'}))
      }
    })
  })

  test('a compressed X with no point on the curve is KEY_INVALID (OpenSSL agrees)', () => {
    const compressed = (x: number) => Uint8Array.from({length: 33}, (_, i) => (i === 0 ? 0x02 : i === 32 ? x : 0))
    const opensslReads = (point: Uint8Array) => {
      try {
        ECDH.convertKey(point, 'prime256v1', undefined, undefined, 'uncompressed')
        return true
      } catch {
        return false
      }
    }
    let x = 1
    while (opensslReads(compressed(x))) x++
    expect(() => ecSpki('P-256', compressed(x))).toThrow(expect.objectContaining({code: 'KEY_INVALID'}))
    while (!opensslReads(compressed(x))) x++
    expect(ecSpki('P-256', compressed(x)).length).toBe(91)
  })

  test.each([
    ['Ed25519', generateKeyPairSync('ed25519').publicKey, true],
    ['RSA 2048', generateKeyPairSync('rsa', {modulusLength: 2048}).publicKey, false],
    ['RSA-PSS', generateKeyPairSync('rsa-pss', {modulusLength: 2048}).publicKey, false],
  ])('%s is kept as read', (_name, key, canonical) => {
    const spki = spkiOf(key)
    expect(isCanonicalSpki(spki)).toBe(canonical)
    expect(canonicalSpki(spki)).toEqual(spki)
    expect(encodePublicKeyPem(spki)).toBe(key.export({format: 'pem', type: 'spki'}))
  })

  test('bytes that are no SPKI at all are returned as read (a crypto library judges them)', () => {
    expect(canonicalSpki(new Uint8Array([1, 2, 3]))).toEqual(new Uint8Array([1, 2, 3]))
  })

  test('the result is a copy', () => {
    const spki = spkiOf(generateKeyPairSync('ed25519').publicKey)
    expect(canonicalSpki(spki)).not.toBe(spki)
  })
})

describe('the PEM layout the old copies disagreed on', () => {
  // Go writes no blank line, even for an empty body; 48 bytes fill exactly one 64-character line.
  test.each([0, 1, 2, 3, 47, 48, 49, 91, 96, 120, 294])('%i bytes: 64-character lines, no blank line, trailing newline, as Go', (n) => {
    const bytes = Uint8Array.from({length: n}, (_, i) => (i * 37 + 11) & 0xff)
    const pem = encodePem('PUBLIC KEY', bytes)
    const b64 = Buffer.from(bytes).toString('base64')
    const lines = b64.match(/.{1,64}/g) ?? []
    expect(pem).toBe(['-----BEGIN PUBLIC KEY-----', ...lines, '-----END PUBLIC KEY-----', ''].join('\n'))
    expect(pem).not.toContain('\n\n')
    expect(decodePem(pem)?.bytes).toEqual(bytes)
  })
})
