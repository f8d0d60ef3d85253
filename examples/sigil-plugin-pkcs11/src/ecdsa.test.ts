import {generateKeyPairSync, sign, verify} from 'node:crypto'
import {expect, test} from 'vitest'
import {derToRaw, rawToDer} from './ecdsa.js'

test.each([
  ['small values', '0001' + '0080', '3007020101020200 80'.replace(/ /g, '')],
  ['high bits get a zero byte', 'ff00' + '7f00', '30090203 00ff00 0202 7f00'.replace(/ /g, '')],
  ['zero', '0000' + '0001', '3006020100020101'],
])('rawToDer: %s', (_name, raw, der) => {
  expect(Buffer.from(rawToDer(Buffer.from(raw, 'hex'))).toString('hex')).toBe(der)
})

test('rawToDer matches node for real P-256 and P-384 signatures, and derToRaw inverts it', () => {
  for (const [curve, size] of [['P-256', 32], ['P-384', 48], ['P-521', 66]] as const) {
    const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: curve})
    for (let i = 0; i < 20; i++) {
      const raw = sign('sha256', Buffer.from(`m${i}`), {key: privateKey, dsaEncoding: 'ieee-p1363'})
      const der = rawToDer(raw)
      expect(verify('sha256', Buffer.from(`m${i}`), {key: publicKey, dsaEncoding: 'der'}, der)).toBe(true)
      expect(Buffer.from(derToRaw(der, size)!).equals(raw)).toBe(true)
    }
  }
})

test.each([
  ['empty', ''],
  ['not a sequence', '3100'],
  ['trailing bytes', '300602010102010100'],
  ['non-minimal integer', '30070202000102010 1'.replace(/ /g, '')],
  ['negative integer', '3006020181020101'],
  ['too long for the curve', '3025022100' + 'ff'.repeat(32) + '020101'],
  ['truncated', '3006020101'],
])('derToRaw rejects %s', (_name, hex) => {
  expect(derToRaw(Buffer.from(hex, 'hex'), 32)).toBeUndefined()
})

test('rawToDer rejects odd lengths', () => {
  expect(() => rawToDer(new Uint8Array(3))).toThrow(RangeError)
})
