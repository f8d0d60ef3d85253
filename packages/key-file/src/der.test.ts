import {generateKeyPairSync, sign} from 'node:crypto'
import {describe, expect, test} from 'vitest'
import {classifyPrivateKeyDer, readDerElement} from './der.js'

const ec = generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey
const rsa = generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey
const ed = generateKeyPairSync('ed25519').privateKey
const der = (key: typeof ec, type: 'pkcs8' | 'sec1' | 'pkcs1') => new Uint8Array(key.export({format: 'der', type}))

describe('classifyPrivateKeyDer', () => {
  test.each([
    ['PKCS#8 EC', der(ec, 'pkcs8'), 'pkcs8'],
    ['PKCS#8 RSA', der(rsa, 'pkcs8'), 'pkcs8'],
    ['PKCS#8 Ed25519', der(ed, 'pkcs8'), 'pkcs8'],
    ['SEC1', der(ec, 'sec1'), 'sec1'],
    ['PKCS#1', der(rsa, 'pkcs1'), 'pkcs1'],
    ['empty', new Uint8Array(0), 'unknown'],
    ['not a SEQUENCE', new Uint8Array([0x04, 0x01, 0x00]), 'unknown'],
    ['truncated', der(ec, 'pkcs8').subarray(0, 20), 'unknown'],
  ])('%s → %s', (_name, bytes, format) => {
    expect(classifyPrivateKeyDer(bytes)).toBe(format)
  })
})

describe('readDerElement', () => {
  test.each([
    ['short form', [0x04, 0x01, 0xaa], {tag: 4, start: 2, end: 3}],
    ['long form', [0x04, 0x81, 0x80, ...new Array(0x80).fill(0)], {tag: 4, start: 3, end: 0x83}],
  ])('reads %s', (_name, bytes, element) => {
    expect(readDerElement(new Uint8Array(bytes), 0)).toEqual(element)
  })

  test.each([
    ['indefinite length', [0x30, 0x80, 0, 0]],
    ['non-minimal long form', [0x04, 0x81, 0x01, 0xaa]],
    ['leading zero length byte', [0x04, 0x82, 0x00, 0x80]],
    ['length past the end', [0x04, 0x05, 0x00]],
    ['high tag number', [0x1f, 0x01, 0x00]],
  ])('rejects %s', (_name, bytes) => {
    expect(readDerElement(new Uint8Array(bytes), 0)).toBeUndefined()
  })
})
