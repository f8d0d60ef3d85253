import {isSigilError} from '@sigil/core'
import {expect, test} from 'vitest'
import * as api from './index.js'

// The public surface, on purpose: removing or adding a runtime export must change this list.
test('exports exactly the documented runtime API', () => {
  expect(Object.keys(api).sort()).toEqual(
    [
      'AWS_KMS_URI_PREFIX',
      'AwsKmsError',
      'SUPPORTED_KEY_SPECS',
      'awsKmsProvider',
      'createKmsVerifier',
      'encodePublicKeyPem',
      'isLoopbackHost',
      'parseAwsKmsUri',
      'signingScheme',
      'toAwsKmsError',
    ].sort(),
  )
})

test('the provider satisfies the KeyProvider contract without touching the SDK', () => {
  const provider = api.awsKmsProvider()
  expect(provider.name).toBe('awskms')
  expect(provider.schemes).toEqual(['awskms'])
  expect(provider.handles('awskms:///alias/x')).toBe(true)
  expect(provider.handles('awskms://kms.example/alias/x')).toBe(true)
  expect(provider.handles('gcpkms://projects/p')).toBe(false)
  expect(provider.handles('cosign.key')).toBe(false)
  for (const m of ['signer', 'verifier', 'publicKey', 'generate'] as const) expect(typeof provider[m]).toBe('function')
})

test('errors are SigilErrors', () => {
  expect(isSigilError(new api.AwsKmsError('KMS_ERROR', 'x'))).toBe(true)
})
