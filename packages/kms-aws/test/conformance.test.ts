import {startAwsKmsServer} from '@sigil/test-servers'
import {keyProviderSuite} from '@sigil/testkit'
import type {AwsKmsTestServer} from '@sigil/test-servers'
import {afterAll, beforeAll, describe, test} from 'vitest'
import {awsKmsProvider} from '../src/index.js'

let kms: AwsKmsTestServer
let n = 0
beforeAll(async () => {
  kms = await startAwsKmsServer({region: 'eu-west-1'})
})
afterAll(() => kms.close())

const keyRef = (spec: Parameters<AwsKmsTestServer['createKey']>[0], signingAlgorithms?: string[]) => async () => {
  const alias = `alias/suite-${++n}`
  kms.createKey(spec, {alias, ...(signingAlgorithms ? {signingAlgorithms} : {})})
  return `awskms://${kms.host}/${alias}`
}
const common = {
  otherKey: keyRef('ECC_NIST_P256'),
  missingKey: 'awskms:///alias/does-not-exist',
  newKey: async () => `awskms://${kms.host}/alias/suite-new-${++n}`,
}

describe('ECC_NIST_P256', () => {
  keyProviderSuite(test, () => awsKmsProvider(), {...common, signingKey: keyRef('ECC_NIST_P256'), algorithm: 'ecdsa-p256-sha256', missingKey: undefined})
})
describe('RSA_2048 PKCS#1 v1.5', () => {
  keyProviderSuite(test, () => awsKmsProvider(), {...common, signingKey: keyRef('RSA_2048'), algorithm: 'rsa-pkcs1v15-sha256', missingKey: undefined})
})
describe('RSA_3072 PSS (verifies only via the KMS URI)', () => {
  keyProviderSuite(test, () => awsKmsProvider(), {
    ...common,
    signingKey: keyRef('RSA_3072', ['RSASSA_PSS_SHA_256']),
    algorithm: 'rsa-pss-sha256',
    pemVerifies: false,
    missingKey: undefined,
  })
})
describe('missing key through the endpoint option', () => {
  keyProviderSuite(test, () => awsKmsProvider({endpoint: kms.endpoint, maxAttempts: 1}), {
    ...common,
    signingKey: async () => {
      const alias = `alias/suite-${++n}`
      kms.createKey('ECC_NIST_P256', {alias})
      return `awskms:///${alias}`
    },
    otherKey: async () => {
      const alias = `alias/suite-${++n}`
      kms.createKey('ECC_NIST_P256', {alias})
      return `awskms:///${alias}`
    },
    newKey: async () => `awskms:///alias/suite-new-${++n}`,
  })
})
