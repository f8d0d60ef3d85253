import {SigilError} from '@sigil/core'
import {expect, test} from 'vitest'
import * as api from './index.js'

// The public surface, on purpose: removing or adding a runtime export must change this list.
test('exports exactly the documented runtime API', () => {
  expect(Object.keys(api).sort()).toEqual(
    [
      'ACCEPTED_SCRYPT_N',
      'DEFAULT_KEY_ENCRYPTION',
      'KeyFileError',
      'MAX_RSA_BITS',
      'MIN_RSA_BITS',
      'createSigner',
      'createVerifier',
      'decryptCosignKey',
      'encodePublicKeyPem',
      'encryptCosignKey',
      'fileKeyProvider',
      'generatePrivateKey',
      'importPrivateKeyPem',
      'inspectCosignKey',
      'parsePublicKeyPem',
      'publicKeyFromPkcs8',
    ].sort(),
  )
})

test.each([
  'createSigner',
  'createVerifier',
  'decryptCosignKey',
  'encodePublicKeyPem',
  'encryptCosignKey',
  'fileKeyProvider',
  'generatePrivateKey',
  'importPrivateKeyPem',
  'inspectCosignKey',
  'parsePublicKeyPem',
  'publicKeyFromPkcs8',
] as const)('%s is a function', (name) => {
  expect(typeof api[name]).toBe('function')
})

test('constants', () => {
  expect(api.DEFAULT_KEY_ENCRYPTION).toEqual({scryptN: 32768, label: 'COSIGN'})
  expect(Object.isFrozen(api.DEFAULT_KEY_ENCRYPTION)).toBe(true)
  expect(api.ACCEPTED_SCRYPT_N).toEqual([32768, 65536, 131072])
  expect([api.MIN_RSA_BITS, api.MAX_RSA_BITS]).toEqual([2048, 4096])
})

test('KeyFileError is a SigilError with a code and its own name', () => {
  const err = new api.KeyFileError('KEY_INVALID', 'x')
  expect(err).toBeInstanceOf(SigilError)
  expect(err).toMatchObject({code: 'KEY_INVALID', name: 'KeyFileError', message: 'x'})
})

test('the provider satisfies the KeyProvider contract (file, generate, importKeyPair)', () => {
  const provider = api.fileKeyProvider()
  expect(provider.name).toBe('file')
  for (const method of ['handles', 'signer', 'verifier', 'publicKey', 'generate', 'importKeyPair'] as const) {
    expect(typeof provider[method]).toBe('function')
  }
})
