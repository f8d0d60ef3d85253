import {generateKeyPairSync} from 'node:crypto'
import {describe, expect, test} from 'vitest'
import {classifyPrivateKeyDer} from './der.js'

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
