/** The shared key-provider conformance suite, against the loopback KMS over real gRPC. */
import {DEAD_PROXY, startGcpKmsServer} from '@sigil/test-servers'
import {keyProviderSuite} from '@sigil/testkit'
import type {GcpKmsServer} from '@sigil/test-servers'
import {afterAll, beforeAll, describe, test} from 'vitest'
import {gcpKmsProvider} from '../src/index.js'
import type {GcpKmsProvider} from '../src/index.js'

Object.assign(process.env, {METADATA_SERVER_DETECTION: 'none', GCE_METADATA_HOST: '127.0.0.1:9', HTTPS_PROXY: DEAD_PROXY, HTTP_PROXY: DEAD_PROXY})

let server: GcpKmsServer
const providers: GcpKmsProvider[] = []
let n = 0
const RING = 'projects/conformance/locations/global/keyRings/suite'
const seeded = (algorithm: Parameters<GcpKmsServer['seedKey']>[1]) => async () => {
  const name = `${RING}/cryptoKeys/k${++n}`
  await server.seedKey(name, algorithm)
  return `gcpkms://${name}`
}
const makeProvider = () => {
  const p = gcpKmsProvider({env: {CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS: server.endpoint}})
  providers.push(p)
  return p
}

beforeAll(async () => {
  server = await startGcpKmsServer()
})
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()))
  await server?.close()
})

describe('EC_SIGN_P256_SHA256', () => {
  keyProviderSuite(test, makeProvider, {
    signingKey: seeded('EC_SIGN_P256_SHA256'),
    otherKey: seeded('EC_SIGN_P256_SHA256'),
    missingKey: `gcpkms://${RING}/cryptoKeys/missing`,
    algorithm: 'ecdsa-p256-sha256',
    newKey: async () => `gcpkms://projects/conformance/locations/global/keyRings/new${++n}/cryptoKeys/k`,
  })
})

describe('RSA_SIGN_PKCS1_2048_SHA256', () => {
  keyProviderSuite(test, makeProvider, {
    signingKey: seeded('RSA_SIGN_PKCS1_2048_SHA256'),
    otherKey: seeded('RSA_SIGN_PKCS1_2048_SHA256'),
    algorithm: 'rsa-pkcs1v15-sha256',
  })
})

describe('RSA_SIGN_PSS_2048_SHA256', () => {
  keyProviderSuite(test, makeProvider, {
    signingKey: seeded('RSA_SIGN_PSS_2048_SHA256'),
    otherKey: seeded('RSA_SIGN_PSS_2048_SHA256'),
    algorithm: 'rsa-pss-sha256',
    pemVerifies: false,
  })
})
