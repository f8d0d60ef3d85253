import {describe, expect, test} from 'vitest'
import {GCP_KMS_SIGNING_ALGORITHMS, gcpKmsAlgorithm} from './algorithms.js'

describe('gcpKmsAlgorithm', () => {
  test.each([
    ['EC_SIGN_P256_SHA256', 'ecdsa-p256-sha256', 'sha256'],
    ['EC_SIGN_P384_SHA384', 'ecdsa-p384-sha384', 'sha384'],
    ['EC_SIGN_SECP256K1_SHA256', 'ecdsa-secp256k1-sha256', 'sha256'],
    ['RSA_SIGN_PKCS1_2048_SHA256', 'rsa-pkcs1v15-sha256', 'sha256'],
    ['RSA_SIGN_PKCS1_3072_SHA256', 'rsa-pkcs1v15-sha256', 'sha256'],
    ['RSA_SIGN_PKCS1_4096_SHA256', 'rsa-pkcs1v15-sha256', 'sha256'],
    ['RSA_SIGN_PKCS1_4096_SHA512', 'rsa-pkcs1v15-sha512', 'sha512'],
    ['RSA_SIGN_PSS_2048_SHA256', 'rsa-pss-sha256', 'sha256'],
    ['RSA_SIGN_PSS_3072_SHA256', 'rsa-pss-sha256', 'sha256'],
    ['RSA_SIGN_PSS_4096_SHA256', 'rsa-pss-sha256', 'sha256'],
    ['RSA_SIGN_PSS_4096_SHA512', 'rsa-pss-sha512', 'sha512'],
  ])('%s → %s over %s', (name, scheme, digest) => {
    expect(gcpKmsAlgorithm(name)).toMatchObject({name, signatureAlgorithm: scheme, digest})
  })

  test.each(['EC_SIGN_ED25519', 'RSA_SIGN_RAW_PKCS1_2048', 'GOOGLE_SYMMETRIC_ENCRYPTION', 'PQ_SIGN_ML_DSA_65', ''])(
    '%s is not supported',
    (name) => {
      expect(gcpKmsAlgorithm(name)).toBeUndefined()
    },
  )

  test('the list has the 11 signing algorithms', () => {
    expect(GCP_KMS_SIGNING_ALGORITHMS).toHaveLength(11)
  })
})
