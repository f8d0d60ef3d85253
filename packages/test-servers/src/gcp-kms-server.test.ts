import {createHash, createPublicKey, verify, constants} from 'node:crypto'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {DEAD_PROXY} from './cosign.js'
import {crc32c} from '@sigil/core'
import {
  GCP_KMS_SIGN_ALGORITHMS,
  startGcpKmsServer,
  type GcpKmsServer,
  type GcpKmsSignAlgorithm,
} from './gcp-kms-server.js'

// Keep google-auth-library and anything else offline: no metadata probe, and any non-loopback
// HTTP(S) attempt goes to a dead loopback proxy and fails at once.
Object.assign(process.env, {
  METADATA_SERVER_DETECTION: 'none',
  GCE_METADATA_HOST: '127.0.0.1:9',
  GCE_METADATA_IP: '127.0.0.1:9',
  HTTPS_PROXY: DEAD_PROXY,
  HTTP_PROXY: DEAD_PROXY,
  https_proxy: DEAD_PROXY,
  http_proxy: DEAD_PROXY,
  NO_PROXY: '',
  no_proxy: '',
})

type Client = InstanceType<(typeof import('@google-cloud/kms'))['KeyManagementServiceClient']>

const RING = 'projects/p1/locations/global/keyRings/ring'
const HASH: Record<string, 'sha256' | 'sha384' | 'sha512'> = {}
for (const a of GCP_KMS_SIGN_ALGORITHMS) HASH[a] = a.endsWith('SHA384') ? 'sha384' : a.endsWith('SHA512') ? 'sha512' : 'sha256'

let server: GcpKmsServer
let client: Client

beforeAll(async () => {
  server = await startGcpKmsServer()
  const {KeyManagementServiceClient} = await import('@google-cloud/kms')
  const grpc = await import('@grpc/grpc-js')
  client = new KeyManagementServiceClient({
    apiEndpoint: '127.0.0.1',
    port: server.port,
    sslCreds: grpc.credentials.createInsecure(),
    universeDomain: 'googleapis.com',
    // grpc-js honours HTTP(S)_PROXY even for loopback targets.
    'grpc.enable_http_proxy': 0,
  })
})

afterAll(async () => {
  await client?.close()
  await server?.close()
})

describe('startGcpKmsServer', () => {
  test('binds loopback and reports a plaintext endpoint', () => {
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`)
  })

  describe.each(GCP_KMS_SIGN_ALGORITHMS.map((a) => [a]))('AsymmetricSign with %s', (algorithm: GcpKmsSignAlgorithm) => {
    test('signs the digest; the signature verifies independently over the message', async () => {
      const keyName = `${RING}/cryptoKeys/${algorithm.toLowerCase().replaceAll('_', '-')}`
      const seeded = await server.seedKey(keyName, algorithm)
      const [publicKey] = await client.getPublicKey({name: seeded.versionName})
      expect(publicKey.pem).toBe(seeded.publicKeyPem)
      expect(Number(publicKey.pemCrc32c?.value)).toBe(crc32c(Buffer.from(publicKey.pem!)))
      expect(publicKey.algorithm).toBe(algorithm)

      const hash = HASH[algorithm]!
      const message = Buffer.from(`payload for ${algorithm}`)
      const digest = createHash(hash).update(message).digest()
      const [response] = await client.asymmetricSign({
        name: seeded.versionName,
        digest: {[hash]: digest},
        digestCrc32c: {value: crc32c(digest)},
      })
      const signature = Buffer.from(response.signature as Uint8Array)
      expect(response.verifiedDigestCrc32c).toBe(true)
      expect(response.name).toBe(seeded.versionName)
      expect(Number(response.signatureCrc32c?.value)).toBe(crc32c(signature))

      // node:crypto hashes the message itself: an independent check of the digest signature.
      const key = createPublicKey(publicKey.pem!)
      const options = algorithm.startsWith('RSA_SIGN_PSS')
        ? {key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: digest.length}
        : algorithm.startsWith('RSA')
          ? {key, padding: constants.RSA_PKCS1_PADDING}
          : {key, dsaEncoding: 'der' as const}
      expect(verify(hash, message, options, signature)).toBe(true)
      expect(verify(hash, Buffer.from('another message'), options, signature)).toBe(false)
    })
  })

  test('rejects a digest of the wrong type or with a wrong CRC', async () => {
    const seeded = await server.seedKey(`${RING}/cryptoKeys/digest-checks`, 'EC_SIGN_P384_SHA384')
    const sha256 = createHash('sha256').update('x').digest()
    await expect(client.asymmetricSign({name: seeded.versionName, digest: {sha256}})).rejects.toMatchObject({
      code: 3,
    })
    const sha384 = createHash('sha384').update('x').digest()
    await expect(
      client.asymmetricSign({name: seeded.versionName, digest: {sha384}, digestCrc32c: {value: crc32c(sha384) ^ 1}}),
    ).rejects.toMatchObject({code: 3, details: expect.stringContaining('digest_crc32c')})
  })

  test('lists versions by state and name order; disabled versions cannot sign', async () => {
    const keyName = `${RING}/cryptoKeys/versions`
    const v1 = await server.seedKey(keyName, 'EC_SIGN_P256_SHA256')
    const v2 = await server.seedKey(keyName, 'EC_SIGN_P256_SHA256')
    const v3 = await server.seedKey(keyName, 'EC_SIGN_P256_SHA256', {state: 'DISABLED'})
    expect([v1, v2, v3].map((v) => v.versionName.split('/').pop())).toEqual(['1', '2', '3'])
    const [enabled] = await client.listCryptoKeyVersions(
      {parent: keyName, filter: 'state=ENABLED', orderBy: 'name desc'},
      {autoPaginate: false},
    )
    expect(enabled.map((v) => v.name)).toEqual([v2.versionName, v1.versionName])
    const [version] = await client.getCryptoKeyVersion({name: v3.versionName})
    expect(version.state).toBe('DISABLED')
    const digest = createHash('sha256').update('x').digest()
    await expect(client.asymmetricSign({name: v3.versionName, digest: {sha256: digest}})).rejects.toMatchObject({
      code: 9,
    })
    await expect(client.getPublicKey({name: v3.versionName})).rejects.toMatchObject({code: 9})
    server.setVersionState(v1.versionName, 'DESTROYED')
    await expect(client.asymmetricSign({name: v1.versionName, digest: {sha256: digest}})).rejects.toMatchObject({
      code: 9,
    })
  })

  test('creates key rings and keys, reporting NOT_FOUND and ALREADY_EXISTS', async () => {
    const parent = 'projects/p2/locations/europe-west1'
    await expect(client.getKeyRing({name: `${parent}/keyRings/new`})).rejects.toMatchObject({code: 5})
    const [ring] = await client.createKeyRing({parent, keyRingId: 'new', keyRing: {}})
    expect(ring.name).toBe(`${parent}/keyRings/new`)
    await expect(client.createKeyRing({parent, keyRingId: 'new', keyRing: {}})).rejects.toMatchObject({code: 6})
    const [key] = await client.createCryptoKey({
      parent: ring.name!,
      cryptoKeyId: 'k',
      cryptoKey: {purpose: 'ASYMMETRIC_SIGN', versionTemplate: {algorithm: 'EC_SIGN_P256_SHA256'}},
    })
    expect(key).toMatchObject({name: `${ring.name}/cryptoKeys/k`, purpose: 'ASYMMETRIC_SIGN'})
    const [fetched] = await client.getCryptoKey({name: key.name!})
    expect(fetched.versionTemplate?.algorithm).toBe('EC_SIGN_P256_SHA256')
    const [pub] = await client.getPublicKey({name: `${key.name}/cryptoKeyVersions/1`})
    expect(pub.pem).toMatch(/^-----BEGIN PUBLIC KEY-----/)
    await expect(client.getCryptoKey({name: `${ring.name}/cryptoKeys/missing`})).rejects.toMatchObject({code: 5})
  })

  test('injects faults, denials and corrupted CRCs on demand', async () => {
    const seeded = await server.seedKey(`${RING}/cryptoKeys/faults`, 'EC_SIGN_P256_SHA256')
    const digest = createHash('sha256').update('x').digest()
    const sign = () =>
      client.asymmetricSign({name: seeded.versionName, digest: {sha256: digest}, digestCrc32c: {value: crc32c(digest)}})

    server.failNext('AsymmetricSign', {code: 'RESOURCE_EXHAUSTED', times: 2})
    await expect(sign()).rejects.toMatchObject({code: 8})
    await expect(sign()).rejects.toMatchObject({code: 8})
    await expect(sign()).resolves.toBeDefined()

    server.failNext('*', {code: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.'})
    await expect(client.getCryptoKey({name: seeded.keyName})).rejects.toMatchObject({code: 16})

    server.corruptNext('signatureCrc32c')
    const [bad] = await sign()
    expect(Number(bad.signatureCrc32c?.value)).not.toBe(crc32c(bad.signature as Uint8Array))
    server.corruptNext('verifiedDigestCrc32c')
    expect((await sign())[0].verifiedDigestCrc32c).toBe(false)
    server.corruptNext('pemCrc32c')
    const [pub] = await client.getPublicKey({name: seeded.versionName})
    expect(Number(pub.pemCrc32c?.value)).not.toBe(crc32c(Buffer.from(pub.pem!)))

    server.denyAccess(seeded.keyName)
    await expect(sign()).rejects.toMatchObject({code: 7, details: expect.stringContaining('useToSign')})
    await expect(client.getCryptoKey({name: seeded.keyName})).rejects.toMatchObject({code: 7})
  })

  test('throttleFirst answers RESOURCE_EXHAUSTED for the first N signatures', async () => {
    const throttled = await startGcpKmsServer({throttleFirst: 1})
    try {
      const seeded = await throttled.seedKey(`${RING}/cryptoKeys/t`, 'EC_SIGN_P256_SHA256')
      const {KeyManagementServiceClient} = await import('@google-cloud/kms')
      const grpc = await import('@grpc/grpc-js')
      const other = new KeyManagementServiceClient({
        apiEndpoint: '127.0.0.1',
        port: throttled.port,
        sslCreds: grpc.credentials.createInsecure(),
        universeDomain: 'googleapis.com',
        'grpc.enable_http_proxy': 0,
      })
      const digest = createHash('sha256').update('x').digest()
      await expect(other.asymmetricSign({name: seeded.versionName, digest: {sha256: digest}})).rejects.toMatchObject({
        code: 8,
      })
      await expect(other.asymmetricSign({name: seeded.versionName, digest: {sha256: digest}})).resolves.toBeDefined()
      expect(throttled.count('AsymmetricSign')).toBe(2)
      expect(throttled.calls.map((c) => c.method)).toEqual(['AsymmetricSign', 'AsymmetricSign'])
      await other.close()
    } finally {
      await throttled.close()
    }
  })
})
