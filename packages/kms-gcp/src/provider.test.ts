/**
 * Provider logic with an injected client (no SDK, no network). The real client over gRPC is
 * exercised in test/provider.test.ts.
 */
import {generateKeyPairSync} from 'node:crypto'
import {describe, expect, test} from 'vitest'
import {crc32c} from '@sigil/core'
import type {GcpKmsClient} from './client.js'
import {gcpKmsProvider} from './provider.js'

const KEY = 'projects/p/locations/global/keyRings/r/cryptoKeys/k'
const URI = `gcpkms://${KEY}`

function fakeClient(overrides: Partial<Record<keyof GcpKmsClient, unknown>> = {}): GcpKmsClient {
  const pem = generateKeyPairSync('ec', {namedCurve: 'prime256v1'}).publicKey.export({format: 'pem', type: 'spki'}).toString()
  const base = {
    getCryptoKey: async () => [{name: KEY, purpose: 'ASYMMETRIC_SIGN'}],
    getCryptoKeyVersion: async ({name}: {name: string}) => [{name, state: 'ENABLED', algorithm: 'EC_SIGN_P256_SHA256'}],
    listCryptoKeyVersions: async () => [[{name: `${KEY}/cryptoKeyVersions/1`, state: 'ENABLED', algorithm: 'EC_SIGN_P256_SHA256'}]],
    getPublicKey: async ({name}: {name: string}) => [{name, pem, pemCrc32c: {value: String(crc32c(Buffer.from(pem)))}}],
    asymmetricSign: async () => {
      throw new Error('not used')
    },
    getKeyRing: async () => [{}],
    createKeyRing: async () => [{}],
    createCryptoKey: async () => [{}],
  }
  return {...base, ...overrides} as unknown as GcpKmsClient
}

describe('gcpKmsProvider (injected client)', () => {
  test('identity: name, schemes, handles', () => {
    const p = gcpKmsProvider({}, {createClient: () => fakeClient()})
    expect(p.name).toBe('gcpkms')
    expect(p.schemes).toEqual(['gcpkms'])
    expect(p.handles(URI)).toBe(true)
    expect(p.handles('awskms:///alias/k')).toBe(false)
    expect(p.handles('./cosign.key')).toBe(false)
  })

  test.each([
    [{}, {}],
    [
      {CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS: 'https://kms.example.internal:8443/'},
      {apiEndpoint: 'kms.example.internal', port: 8443},
    ],
    [
      {CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS: 'http://127.0.0.1:7000/'},
      {apiEndpoint: '127.0.0.1', port: 7000, universeDomain: 'googleapis.com', 'grpc.enable_http_proxy': 0, sslCreds: expect.anything()},
    ],
  ])('client options from %j', async (env, expected) => {
    let seen: Record<string, unknown> | undefined
    const p = gcpKmsProvider({env}, {createClient: (options) => ((seen = options), fakeClient())})
    await p.publicKey(URI, {})
    expect(seen).toEqual(expected)
  })

  test('clientOptions override the derived ones', async () => {
    let seen: Record<string, unknown> | undefined
    const p = gcpKmsProvider(
      {env: {CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS: 'https://a.example/'}, clientOptions: {port: 1234, projectId: 'x'}},
      {createClient: (options) => ((seen = options), fakeClient())},
    )
    await p.publicKey(URI, {})
    expect(seen).toEqual({apiEndpoint: 'a.example', port: 1234, projectId: 'x'})
  })

  test.each(['EC_SIGN_ED25519', 'RSA_SIGN_RAW_PKCS1_2048', 'PQ_SIGN_ML_DSA_65'])(
    'a version with %s → KEY_UNSUPPORTED',
    async (algorithm) => {
      const client = fakeClient({
        listCryptoKeyVersions: async () => [[{name: `${KEY}/cryptoKeyVersions/1`, state: 'ENABLED', algorithm}]],
      })
      await expect(gcpKmsProvider({}, {createClient: () => client}).signer(URI, {})).rejects.toMatchObject({
        code: 'KEY_UNSUPPORTED',
        message: expect.stringContaining(algorithm),
      })
    },
  )

  test('a PEM that does not match the algorithm → KMS_ERROR', async () => {
    const rsa = generateKeyPairSync('rsa', {modulusLength: 2048}).publicKey.export({format: 'pem', type: 'spki'}).toString()
    const client = fakeClient({getPublicKey: async ({name}: {name: string}) => [{name, pem: rsa}]})
    await expect(gcpKmsProvider({}, {createClient: () => client}).publicKey(URI, {})).rejects.toMatchObject({
      code: 'KMS_ERROR',
      message: expect.stringContaining('does not match EC_SIGN_P256_SHA256'),
    })
  })

  test('a failing client factory is retried on the next call', async () => {
    let calls = 0
    const p = gcpKmsProvider(
      {},
      {
        createClient: () => {
          calls++
          if (calls === 1) throw new Error('boom')
          return fakeClient()
        },
      },
    )
    await expect(p.publicKey(URI, {})).rejects.toThrow('boom')
    await expect(p.publicKey(URI, {})).resolves.toMatchObject({kind: 'ecdsa', curve: 'P-256'})
  })
})
