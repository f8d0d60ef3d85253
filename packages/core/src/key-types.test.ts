import {createPublicKey, generateKeyPairSync} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {expect, test} from 'vitest'
import {describeSupportedKey} from './key-types.js'

const gen = {
  ec: (namedCurve: string) => generateKeyPairSync('ec', {namedCurve}).privateKey,
  rsa: (modulusLength: number) => generateKeyPairSync('rsa', {modulusLength}).privateKey,
}

test.each<[string, () => KeyObject, object]>([
  ['P-256', () => gen.ec('prime256v1'), {kind: 'ecdsa', curve: 'P-256'}],
  ['P-384', () => gen.ec('secp384r1'), {kind: 'ecdsa', curve: 'P-384'}],
  ['P-521 (public half)', () => createPublicKey(gen.ec('secp521r1')), {kind: 'ecdsa', curve: 'P-521'}],
  ['RSA-2048', () => gen.rsa(2048), {kind: 'rsa', bits: 2048}],
  ['RSA-4096', () => gen.rsa(4096), {kind: 'rsa', bits: 4096}],
  ['Ed25519', () => generateKeyPairSync('ed25519').privateKey, {kind: 'ed25519'}],
])('accepts %s', (_name, key, description) => {
  expect(describeSupportedKey(key())).toEqual(description)
})

test.each<[string, () => KeyObject, string]>([
  ['secp256k1', () => gen.ec('secp256k1'), 'elliptic curve secp256k1'],
  ['RSA-1024', () => gen.rsa(1024), '1024-bit RSA key'],
  ['RSA-2040', () => gen.rsa(2040), '2040-bit RSA key'],
  ['RSA-PSS', () => generateKeyPairSync('rsa-pss', {modulusLength: 2048}).privateKey, 'RSA-PSS'],
  ['Ed448', () => generateKeyPairSync('ed448').privateKey, 'ed448 key'],
  ['X25519', () => generateKeyPairSync('x25519').privateKey, 'x25519 key'],
])('refuses %s with KEY_UNSUPPORTED', (_name, key, message) => {
  expect(() => describeSupportedKey(key(), 'my.key')).toThrow(
    expect.objectContaining({code: 'KEY_UNSUPPORTED', message: expect.stringMatching(new RegExp(`^my\\.key .*${message}`))}),
  )
})
