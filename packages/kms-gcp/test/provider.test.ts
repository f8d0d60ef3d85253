/**
 * The provider with the REAL @google-cloud/kms client, over real gRPC, against the loopback
 * KMS from @sigil/testkit. The endpoint comes from CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS, as
 * users would set it. Everything stays on loopback: every socket this process opens is
 * recorded and checked, and HTTP(S) proxies point at a dead loopback port.
 */
import {constants, createHash, createPublicKey, verify as cryptoVerify} from 'node:crypto'
import {mkdtempSync} from 'node:fs'
import net from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createVerifier, encodePublicKeyPem, parsePublicKeyPem} from '@sigil/key-file'
import {DEAD_PROXY, startGcpKmsServer} from '@sigil/test-servers'
import type {GcpKmsServer, GcpKmsSignAlgorithm} from '@sigil/test-servers'
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest'
import {gcpKmsProvider} from '../src/index.js'
import type {GcpKmsProvider} from '../src/index.js'

// --- keep everything offline -----------------------------------------------------------------
const emptyHome = mkdtempSync(join(tmpdir(), 'sigil-kms-gcp-home-'))
Object.assign(process.env, {
  METADATA_SERVER_DETECTION: 'none',
  GCE_METADATA_HOST: '127.0.0.1:9',
  GCE_METADATA_IP: '127.0.0.1:9',
  HTTPS_PROXY: DEAD_PROXY,
  HTTP_PROXY: DEAD_PROXY,
  https_proxy: DEAD_PROXY,
  http_proxy: DEAD_PROXY,
  // No ADC file anywhere: not from the user's gcloud config, not from the environment.
  HOME: emptyHome,
  CLOUDSDK_CONFIG: emptyHome,
})
delete process.env.GOOGLE_APPLICATION_CREDENTIALS
delete process.env.NO_PROXY
delete process.env.no_proxy
delete process.env.GRPC_PROXY
delete process.env.grpc_proxy

// Record the destination of every TCP connection this process makes.
const connections: string[] = []
const originalConnect = net.Socket.prototype.connect
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  // net.connect() passes its already-normalized arguments as one array.
  const normalized = Array.isArray(args[0]) ? (args[0] as unknown[]) : args
  const first = normalized[0] as {host?: string; port?: number; path?: string} | number | string
  if (typeof first === 'object' && first !== null) connections.push(first.path ?? `${first.host ?? 'localhost'}:${first.port}`)
  else if (typeof first === 'number') connections.push(`${typeof normalized[1] === 'string' ? normalized[1] : 'localhost'}:${first}`)
  else connections.push(String(first))
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args)
} as typeof net.Socket.prototype.connect

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost):\d+$/
// ---------------------------------------------------------------------------------------------

const RING = 'projects/sigil-test/locations/global/keyRings/release'
let server: GcpKmsServer
const providers: GcpKmsProvider[] = []

/** A fresh provider (fresh caches) using the env override, with fast retries. */
function provider(options: Parameters<typeof gcpKmsProvider>[0] = {}): GcpKmsProvider {
  const p = gcpKmsProvider({retry: {baseDelayMs: 1, maxDelayMs: 5}, ...options})
  providers.push(p)
  return p
}

let keyCounter = 0
function keyName(label: string): string {
  return `${RING}/cryptoKeys/${label}-${++keyCounter}`
}

function uri(name: string): string {
  return `gcpkms://${name}`
}

beforeAll(async () => {
  server = await startGcpKmsServer()
  process.env.CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS = `${server.endpoint}/`
})

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()))
})

afterAll(async () => {
  await server?.close()
  net.Socket.prototype.connect = originalConnect
  // The proof: connections were made (to the loopback KMS), and none left loopback.
  if (process.env.DEBUG_CONNECTIONS) console.log([...new Set(connections)])
  expect(connections.length).toBeGreaterThan(0)
  expect(connections.filter((c) => !LOOPBACK.test(c))).toEqual([])
})

const message = new TextEncoder().encode(
  '{"critical":{"identity":{"docker-reference":"127.0.0.1:5000/app"},"image":{"docker-manifest-digest":"sha256:00"},"type":"cosign container image signature"},"optional":null}',
)

/** Independent check with node:crypto (which hashes the message itself). */
function nodeVerifies(pem: string, algorithm: GcpKmsSignAlgorithm, data: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey(pem)
  const hash = algorithm.endsWith('SHA384') ? 'sha384' : algorithm.endsWith('SHA512') ? 'sha512' : 'sha256'
  if (algorithm.startsWith('RSA_SIGN_PSS')) {
    return cryptoVerify(hash, data, {key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO}, signature)
  }
  return cryptoVerify(hash, data, key, signature)
}

describe('sign → verify for every algorithm', () => {
  test.each<[GcpKmsSignAlgorithm, string, 'sha256' | 'sha384' | 'sha512' | undefined]>([
    // [algorithm, sigil scheme, hash cosign's file verification needs (undefined: PEM cannot verify)]
    ['EC_SIGN_P256_SHA256', 'ecdsa-p256-sha256', 'sha256'],
    ['EC_SIGN_P384_SHA384', 'ecdsa-p384-sha384', 'sha384'],
    ['EC_SIGN_SECP256K1_SHA256', 'ecdsa-secp256k1-sha256', undefined],
    ['RSA_SIGN_PKCS1_2048_SHA256', 'rsa-pkcs1v15-sha256', 'sha256'],
    ['RSA_SIGN_PKCS1_3072_SHA256', 'rsa-pkcs1v15-sha256', 'sha256'],
    ['RSA_SIGN_PKCS1_4096_SHA256', 'rsa-pkcs1v15-sha256', 'sha256'],
    ['RSA_SIGN_PKCS1_4096_SHA512', 'rsa-pkcs1v15-sha512', 'sha512'],
    ['RSA_SIGN_PSS_2048_SHA256', 'rsa-pss-sha256', undefined],
    ['RSA_SIGN_PSS_3072_SHA256', 'rsa-pss-sha256', undefined],
    ['RSA_SIGN_PSS_4096_SHA256', 'rsa-pss-sha256', undefined],
    ['RSA_SIGN_PSS_4096_SHA512', 'rsa-pss-sha512', undefined],
  ])('%s', async (algorithm, scheme, pemHash) => {
    const name = keyName(algorithm.toLowerCase().replaceAll('_', '-'))
    const seeded = await server.seedKey(name, algorithm)
    const p = provider()
    const signer = await p.signer(uri(name), {})
    expect(signer.algorithm).toBe(scheme)
    const signature = await signer.sign(message)

    // The provider's own (local) verifier.
    const verifier = await p.verifier(uri(name), {})
    expect(verifier.verify(message, signature)).toBe(true)
    const changed = Uint8Array.from(message)
    changed[5]! ^= 1
    expect(verifier.verify(changed, signature)).toBe(false)
    expect(verifier.verify(message, signature.subarray(1))).toBe(false)
    expect(verifier.verify(message, new Uint8Array(0))).toBe(false)

    // Independently, with node:crypto and the server's own PEM.
    expect(nodeVerifies(seeded.publicKeyPem, algorithm, message, signature)).toBe(true)

    // The exported PEM: Go's layout, same key as the KMS holds.
    const info = await p.publicKey(uri(name), {})
    expect(info.pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n(?:[A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END PUBLIC KEY-----\n$/)
    expect(createPublicKey(info.pem).export({format: 'der', type: 'spki'})).toEqual(
      createPublicKey(seeded.publicKeyPem).export({format: 'der', type: 'spki'}),
    )
    expect(info.pem).toBe(encodePublicKeyPem(info.spki))
    expect((await signer.publicKey()).pem).toBe(info.pem)

    // …and it verifies the way `cosign verify --key exported.pub` would (file verifier).
    if (pemHash) {
      const fileVerifier = createVerifier(parsePublicKeyPem(info.pem))
      expect(fileVerifier.verify(message, signature, {hash: pemHash})).toBe(true)
      expect(fileVerifier.verify(changed, signature, {hash: pemHash})).toBe(false)
    } else if (algorithm.startsWith('RSA_SIGN_PSS')) {
      // A PEM-file verifier is PKCS#1 v1.5, as cosign's: PSS signatures verify only via the URI.
      expect(createVerifier(parsePublicKeyPem(info.pem)).verify(message, signature, {hash: 'sha256'})).toBe(false)
    } else {
      // secp256k1: cosign's PEM loader (Go x509) cannot read these keys; neither does key-file.
      expect(() => parsePublicKeyPem(info.pem)).toThrow(expect.objectContaining({code: 'KEY_UNSUPPORTED'}))
    }
  })

  test('a signature from another key does not verify', async () => {
    const a = keyName('a')
    const b = keyName('b')
    await server.seedKey(a, 'EC_SIGN_P256_SHA256')
    await server.seedKey(b, 'EC_SIGN_P256_SHA256')
    const p = provider()
    const signature = await (await p.signer(uri(a), {})).sign(message)
    expect((await p.verifier(uri(b), {})).verify(message, signature)).toBe(false)
  })
})

describe('version resolution', () => {
  let name: string
  let v1: {versionName: string; publicKeyPem: string}
  let v2: {versionName: string; publicKeyPem: string}
  let v3: {versionName: string; publicKeyPem: string}

  beforeAll(async () => {
    name = keyName('versions')
    v1 = await server.seedKey(name, 'EC_SIGN_P256_SHA256')
    v2 = await server.seedKey(name, 'EC_SIGN_P256_SHA256')
    v3 = await server.seedKey(name, 'EC_SIGN_P256_SHA256', {state: 'DISABLED'})
  })

  test('without a version: the newest ENABLED one (ListCryptoKeyVersions state=ENABLED, name desc)', async () => {
    const before = server.calls.length
    const signature = await (await provider().signer(uri(name), {})).sign(message)
    expect(nodeVerifies(v2.publicKeyPem, 'EC_SIGN_P256_SHA256', message, signature)).toBe(true)
    expect(nodeVerifies(v1.publicKeyPem, 'EC_SIGN_P256_SHA256', message, signature)).toBe(false)
    const list = server.calls.slice(before).find((c) => c.method === 'ListCryptoKeyVersions')
    expect(list?.request).toMatchObject({parent: name, filter: 'state=ENABLED', orderBy: 'name desc'})
    const sign = server.calls.slice(before).find((c) => c.method === 'AsymmetricSign')
    expect(sign?.request.name).toBe(v2.versionName)
  })

  test.each(['cryptoKeyVersions', 'versions'])('explicit …/%s/1 uses version 1 (GetCryptoKeyVersion)', async (segment) => {
    const before = server.calls.length
    const signature = await (await provider().signer(`${uri(name)}/${segment}/1`, {})).sign(message)
    expect(nodeVerifies(v1.publicKeyPem, 'EC_SIGN_P256_SHA256', message, signature)).toBe(true)
    const methods = server.calls.slice(before).map((c) => c.method)
    expect(methods).toEqual(['GetCryptoKey', 'GetCryptoKeyVersion', 'GetPublicKey', 'AsymmetricSign'])
    expect(server.calls.at(-1)?.request.name).toBe(v1.versionName)
  })

  test('an explicit DISABLED version → KEY_DISABLED, nothing signed', async () => {
    const before = server.count('AsymmetricSign')
    await expect(provider().signer(`${uri(name)}/cryptoKeyVersions/3`, {})).rejects.toMatchObject({
      code: 'KEY_DISABLED',
      message: expect.stringContaining(`${uri(name)}/cryptoKeyVersions/3 is DISABLED`),
    })
    expect(server.count('AsymmetricSign')).toBe(before)
    expect(v3.versionName).toMatch(/\/3$/)
  })

  test('a key without ENABLED versions → KEY_DISABLED', async () => {
    const none = keyName('all-disabled')
    await server.seedKey(none, 'EC_SIGN_P256_SHA256', {state: 'DESTROYED'})
    await server.seedKey(none, 'EC_SIGN_P256_SHA256', {state: 'DISABLED'})
    await expect(provider().signer(uri(none), {})).rejects.toMatchObject({
      code: 'KEY_DISABLED',
      message: expect.stringContaining('has no ENABLED version'),
    })
  })
})

describe('caching: metadata once, then one AsymmetricSign per signature', () => {
  test.each([1, 5, 20])('%i signatures', async (n) => {
    const name = keyName('count')
    await server.seedKey(name, 'EC_SIGN_P256_SHA256')
    const p = provider()
    const before = server.calls.length
    for (let i = 0; i < n; i++) {
      // As a bulk `sign a b c` does: one signer per image, same key.
      const signer = await p.signer(uri(name), {})
      await signer.sign(new TextEncoder().encode(`image ${i}`))
    }
    await p.verifier(uri(name), {})
    await p.publicKey(uri(name), {})
    const methods = server.calls.slice(before).map((c) => c.method)
    const counts = Object.fromEntries(['GetCryptoKey', 'ListCryptoKeyVersions', 'GetPublicKey', 'AsymmetricSign'].map((m) => [m, methods.filter((x) => x === m).length]))
    expect(counts).toEqual({GetCryptoKey: 1, ListCryptoKeyVersions: 1, GetPublicKey: 1, AsymmetricSign: n})
    expect(methods).toHaveLength(3 + n)
  })

  test('concurrent signers share one metadata lookup', async () => {
    const name = keyName('concurrent')
    await server.seedKey(name, 'EC_SIGN_P384_SHA384')
    const p = provider()
    const before = server.calls.length
    const signers = await Promise.all(Array.from({length: 4}, () => p.signer(uri(name), {})))
    await Promise.all(signers.map((s) => s.sign(message)))
    const methods = server.calls.slice(before).map((c) => c.method)
    expect(methods.filter((m) => m !== 'AsymmetricSign')).toEqual(['GetCryptoKey', 'ListCryptoKeyVersions', 'GetPublicKey'])
    expect(methods.filter((m) => m === 'AsymmetricSign')).toHaveLength(4)
  })
})

describe('integrity (CRC32C)', () => {
  test('the request carries digest and digestCrc32c', async () => {
    const name = keyName('crc-request')
    await server.seedKey(name, 'EC_SIGN_P384_SHA384')
    await (await provider().signer(uri(name), {})).sign(message)
    const request = server.calls.at(-1)!.request as {digest: {sha384: Buffer}; digestCrc32c: {value: string}}
    expect(Buffer.from(request.digest.sha384)).toEqual(createHash('sha384').update(message).digest())
    expect(Number(request.digestCrc32c.value)).toBeGreaterThan(0)
  })

  test.each([
    ['signatureCrc32c', 'the signature does not match its CRC32C'],
    ['verifiedDigestCrc32c', 'did not verify the digest CRC32C'],
    ['signatureName', 'answered for'],
  ] as const)('a corrupted %s → KMS_INTEGRITY', async (field, text) => {
    const name = keyName('crc')
    await server.seedKey(name, 'EC_SIGN_P256_SHA256')
    const signer = await provider().signer(uri(name), {})
    server.corruptNext(field)
    await expect(signer.sign(message)).rejects.toMatchObject({code: 'KMS_INTEGRITY', message: expect.stringContaining(text)})
    // The next (uncorrupted) response is accepted.
    await expect(signer.sign(message)).resolves.toBeInstanceOf(Uint8Array)
  })

  test('a corrupted pemCrc32c → KMS_INTEGRITY, not cached', async () => {
    const name = keyName('crc-pem')
    await server.seedKey(name, 'EC_SIGN_P256_SHA256')
    const p = provider()
    server.corruptNext('pemCrc32c')
    await expect(p.publicKey(uri(name), {})).rejects.toMatchObject({code: 'KMS_INTEGRITY'})
    await expect(p.publicKey(uri(name), {})).resolves.toMatchObject({kind: 'ecdsa', curve: 'P-256'})
  })
})

describe('errors map to stable codes and name the key', () => {
  test('missing key → KEY_NOT_FOUND', async () => {
    const ref = uri(`${RING}/cryptoKeys/does-not-exist`)
    await expect(provider().signer(ref, {})).rejects.toMatchObject({
      code: 'KEY_NOT_FOUND',
      name: 'GcpKmsError',
      message: expect.stringContaining(ref),
    })
  })

  test('missing version → KEY_NOT_FOUND', async () => {
    const name = keyName('missing-version')
    await server.seedKey(name, 'EC_SIGN_P256_SHA256')
    await expect(provider().publicKey(`${uri(name)}/cryptoKeyVersions/9`, {})).rejects.toMatchObject({code: 'KEY_NOT_FOUND'})
  })

  test('PERMISSION_DENIED → KEY_ACCESS_DENIED with the role to grant', async () => {
    const name = keyName('denied')
    await server.seedKey(name, 'EC_SIGN_P256_SHA256')
    server.denyAccess(name)
    await expect(provider().signer(uri(name), {})).rejects.toMatchObject({
      code: 'KEY_ACCESS_DENIED',
      message: expect.stringMatching(/denied for gcpkms:\/\/.*cloudkms\.signerVerifier/s),
    })
  })

  test('purpose other than ASYMMETRIC_SIGN → KEY_WRONG_USAGE', async () => {
    const name = keyName('encrypt')
    await server.seedKey(name, 'EC_SIGN_P256_SHA256', {purpose: 'ENCRYPT_DECRYPT'})
    await expect(provider().signer(uri(name), {})).rejects.toMatchObject({
      code: 'KEY_WRONG_USAGE',
      message: expect.stringContaining('purpose ENCRYPT_DECRYPT'),
    })
  })

  test('FAILED_PRECONDITION (version disabled after lookup) → KEY_DISABLED', async () => {
    const name = keyName('disabled-later')
    const seeded = await server.seedKey(name, 'EC_SIGN_P256_SHA256')
    const signer = await provider().signer(uri(name), {})
    server.setVersionState(seeded.versionName, 'DISABLED')
    await expect(signer.sign(message)).rejects.toMatchObject({
      code: 'KEY_DISABLED',
      message: expect.stringContaining('has value DISABLED'),
    })
    server.setVersionState(seeded.versionName, 'DESTROY_SCHEDULED')
    await expect(signer.sign(message)).rejects.toMatchObject({code: 'KEY_DISABLED'})
  })

  test('RESOURCE_EXHAUSTED is retried with backoff', async () => {
    const name = keyName('throttled')
    await server.seedKey(name, 'EC_SIGN_P256_SHA256')
    const signer = await provider().signer(uri(name), {})
    const before = server.count('AsymmetricSign')
    server.failNext('AsymmetricSign', {code: 'RESOURCE_EXHAUSTED', times: 2})
    await expect(signer.sign(message)).resolves.toBeInstanceOf(Uint8Array)
    expect(server.count('AsymmetricSign') - before).toBe(3)
  })

  test('RESOURCE_EXHAUSTED beyond the retry budget → KMS_THROTTLED', async () => {
    const name = keyName('throttled-hard')
    await server.seedKey(name, 'EC_SIGN_P256_SHA256')
    const signer = await provider({retry: {attempts: 3, baseDelayMs: 1}}).signer(uri(name), {})
    const before = server.count('AsymmetricSign')
    server.failNext('AsymmetricSign', {code: 'RESOURCE_EXHAUSTED', times: 3})
    await expect(signer.sign(message)).rejects.toMatchObject({
      code: 'KMS_THROTTLED',
      message: expect.stringContaining('after 3 attempts'),
    })
    expect(server.count('AsymmetricSign') - before).toBe(3)
  })

  test('UNAUTHENTICATED → KMS_CREDENTIALS_MISSING', async () => {
    const name = keyName('unauthenticated')
    await server.seedKey(name, 'EC_SIGN_P256_SHA256')
    server.failNext('GetCryptoKey', {code: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.'})
    await expect(provider().signer(uri(name), {})).rejects.toMatchObject({
      code: 'KMS_CREDENTIALS_MISSING',
      message: expect.stringContaining('gcloud auth application-default login'),
    })
  })

  test('no Application Default Credentials (TLS endpoint) → KMS_CREDENTIALS_MISSING, nothing contacted', async () => {
    const before = connections.length
    // An https:// override uses ADC; with none available the auth library fails before any call.
    const p = provider({env: {CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS: 'https://127.0.0.1:9/'}})
    await expect(p.signer(uri(`${RING}/cryptoKeys/any`), {})).rejects.toMatchObject({
      code: 'KMS_CREDENTIALS_MISSING',
      message: expect.stringContaining('Could not load the default credentials'),
    })
    expect(connections.slice(before).filter((c) => !LOOPBACK.test(c))).toEqual([])
  })

  test('other statuses → KMS_ERROR with the server message', async () => {
    const name = keyName('internal')
    await server.seedKey(name, 'EC_SIGN_P256_SHA256')
    server.failNext('GetCryptoKey', {code: 'INTERNAL', message: 'backend exploded'})
    await expect(provider().signer(uri(name), {})).rejects.toMatchObject({
      code: 'KMS_ERROR',
      message: expect.stringContaining('backend exploded'),
    })
  })

  test('a bad URI → INVALID_ARGUMENT before any call', async () => {
    const before = server.calls.length
    await expect(provider().signer('gcpkms://projects/p/keyRings/r', {})).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
    expect(server.calls.length).toBe(before)
  })

  test('a plaintext override to a non-loopback host is refused', async () => {
    const p = provider({env: {CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS: 'http://kms.example.com/'}})
    await expect(p.signer(uri(`${RING}/cryptoKeys/any`), {})).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
  })
})

describe('generate', () => {
  test('creates the key ring and key (ASYMMETRIC_SIGN, EC_SIGN_P256_SHA256) once; idempotent', async () => {
    const name = 'projects/sigil-test/locations/europe-west1/keyRings/fresh/cryptoKeys/release-signing'
    const ref = uri(name)
    const p = provider()
    const logs: string[] = []
    const ctx = {log: (_level: string, line: string) => logs.push(line)}
    const before = server.calls.length
    const first = await p.generate(ref, ctx)
    expect(first.written).toEqual([{kind: 'remote-key', location: ref}])
    expect(first.publicKey).toMatchObject({kind: 'ecdsa', curve: 'P-256'})
    const created = server.calls.slice(before)
    expect(created.map((c) => c.method)).toEqual([
      'GetKeyRing',
      'CreateKeyRing',
      'GetCryptoKey',
      'CreateCryptoKey',
      'GetCryptoKey',
      'ListCryptoKeyVersions',
      'GetPublicKey',
    ])
    expect(created[1]!.request).toMatchObject({parent: 'projects/sigil-test/locations/europe-west1', keyRingId: 'fresh'})
    expect(created[3]!.request).toMatchObject({
      parent: 'projects/sigil-test/locations/europe-west1/keyRings/fresh',
      cryptoKeyId: 'release-signing',
      cryptoKey: {purpose: 'ASYMMETRIC_SIGN', versionTemplate: {algorithm: 'EC_SIGN_P256_SHA256'}},
    })
    expect(logs.join('\n')).toContain('creating GCP KMS key')

    // Again, from a fresh process (provider): nothing is created, same public key.
    const mid = server.calls.length
    const second = await provider().generate(ref, {})
    expect(second.publicKey.pem).toBe(first.publicKey.pem)
    expect(server.calls.slice(mid).map((c) => c.method).filter((m) => m.startsWith('Create'))).toEqual([])

    // The generated key signs, and the PEM verifies it like a cosign.pub would.
    const signature = await (await p.signer(ref, {})).sign(message)
    expect(createVerifier(parsePublicKeyPem(first.publicKey.pem)).verify(message, signature)).toBe(true)
  })

  test('an existing key ring is reused; only the key is created', async () => {
    const existing = keyName('ring-exists')
    await server.seedKey(existing, 'EC_SIGN_P256_SHA256')
    const name = `${RING}/cryptoKeys/new-in-existing-ring`
    const before = server.calls.length
    await provider().generate(uri(name), {})
    const methods = server.calls.slice(before).map((c) => c.method)
    expect(methods.filter((m) => m.startsWith('Create'))).toEqual(['CreateCryptoKey'])
  })

  test('an existing key of another algorithm is returned as-is (as cosign)', async () => {
    const name = keyName('existing-rsa')
    const seeded = await server.seedKey(name, 'RSA_SIGN_PKCS1_2048_SHA256')
    const generated = await provider().generate(uri(name), {})
    expect(generated.publicKey).toMatchObject({kind: 'rsa', bits: 2048})
    expect(createPublicKey(generated.publicKey.pem).export({format: 'der', type: 'spki'})).toEqual(
      createPublicKey(seeded.publicKeyPem).export({format: 'der', type: 'spki'}),
    )
  })

  test('a versioned URI is refused', async () => {
    await expect(provider().generate(`${uri(`${RING}/cryptoKeys/k`)}/cryptoKeyVersions/1`, {})).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('without a version'),
    })
  })

  test('access denied on the key ring → KEY_ACCESS_DENIED', async () => {
    const ring = 'projects/locked/locations/global/keyRings/r'
    server.denyAccess(ring)
    await expect(provider().generate(uri(`${ring}/cryptoKeys/k`), {})).rejects.toMatchObject({code: 'KEY_ACCESS_DENIED'})
  })
})

describe('a host that signs once per process (reuseCachedSigningKey)', () => {
  test('a named version: one AsymmetricSign per run after the first', async () => {
    const name = keyName('git')
    const v1 = await server.seedKey(name, 'EC_SIGN_P256_SHA256')
    const entries = new Map<string, string>()
    const ctx = {cache: {get: (k: string) => entries.get(k), set: (k: string, v: string) => void entries.set(k, v)}, reuseCachedSigningKey: true}
    const message = new TextEncoder().encode('git commit')
    const run = async (ref: string) => {
      const before = server.calls.length
      const signature = await (await provider().signer(ref, ctx)).sign(message)
      expect(nodeVerifies(v1.publicKeyPem, 'EC_SIGN_P256_SHA256', message, signature)).toBe(true)
      return server.calls.slice(before).map((c) => c.method)
    }
    expect(await run(uri(v1.versionName))).toEqual(['GetCryptoKey', 'GetCryptoKeyVersion', 'GetPublicKey', 'AsymmetricSign'])
    expect([...entries.values()].join()).not.toMatch(/PRIVATE/)
    expect(await run(uri(v1.versionName))).toEqual(['AsymmetricSign'])
    expect(await run(uri(v1.versionName))).toEqual(['AsymmetricSign'])
    // Without the flag the cache is not used for signing.
    const before = server.calls.length
    await provider().signer(uri(v1.versionName), {cache: ctx.cache})
    expect(server.calls.slice(before).map((c) => c.method)).toEqual(['GetCryptoKey', 'GetCryptoKeyVersion', 'GetPublicKey'])
  })

  test('a key name (its newest version): one AsymmetricSign per run after the first; a version rotated away is looked up again once', async () => {
    const name = keyName('git-name')
    const v1 = await server.seedKey(name, 'EC_SIGN_P256_SHA256')
    const entries = new Map<string, string>()
    const ctx = {cache: {get: (k: string) => entries.get(k), set: (k: string, v: string) => void entries.set(k, v)}, reuseCachedSigningKey: true}
    const message = new TextEncoder().encode('git commit')
    const run = async (pem: string) => {
      const before = server.calls.length
      const signer = await provider().signer(uri(name), ctx)
      const signature = await signer.sign(message)
      expect(nodeVerifies(pem, 'EC_SIGN_P256_SHA256', message, signature)).toBe(true)
      expect((await signer.publicKey()).pem).toBe(pem)
      return server.calls.slice(before).map((c) => c.method)
    }
    expect(await run(v1.publicKeyPem)).toEqual(['GetCryptoKey', 'ListCryptoKeyVersions', 'GetPublicKey', 'AsymmetricSign'])
    expect(await run(v1.publicKeyPem)).toEqual(['AsymmetricSign'])
    // A newer version: the cached one still signs (a valid signature by the key the host has) until the entry expires.
    const v2 = await server.seedKey(name, 'EC_SIGN_P256_SHA256')
    expect(await run(v1.publicKeyPem)).toEqual(['AsymmetricSign'])
    // The cached version disabled (rotated away): refused once, the key looked up again, signed by the newest.
    server.setVersionState(v1.versionName, 'DISABLED')
    expect(await run(v2.publicKeyPem)).toEqual(['AsymmetricSign', 'GetCryptoKey', 'ListCryptoKeyVersions', 'GetPublicKey', 'AsymmetricSign'])
    expect(await run(v2.publicKeyPem)).toEqual(['AsymmetricSign'])
    // Verifying never takes a key name from that cache entry.
    const before = server.calls.length
    await provider().verifier(uri(name), {})
    expect(server.calls.slice(before).map((c) => c.method)).toEqual(['GetCryptoKey', 'ListCryptoKeyVersions', 'GetPublicKey'])
  })

  test('a key name whose cached public key is not the version\'s: looked up again and the entry replaced; an entry naming another key\'s version is ignored', async () => {
    const name = keyName('git-name-wrong')
    const v1 = await server.seedKey(name, 'EC_SIGN_P256_SHA256')
    const other = await server.seedKey(keyName('git-name-other'), 'EC_SIGN_P256_SHA256')
    const wrong = JSON.stringify({algorithm: 'EC_SIGN_P256_SHA256', pem: other.publicKeyPem, version: v1.versionName, at: Date.now()})
    const entries = new Map<string, string>([[`gcpkms|${name}`, wrong]])
    const ctx = {cache: {get: (k: string) => entries.get(k), set: (k: string, v: string) => void entries.set(k, v)}, reuseCachedSigningKey: true}
    const message = new TextEncoder().encode('m')
    const signature = await (await provider().signer(uri(name), ctx)).sign(message)
    expect(nodeVerifies(v1.publicKeyPem, 'EC_SIGN_P256_SHA256', message, signature)).toBe(true)
    expect(JSON.parse(entries.get(`gcpkms|${name}`)!)).toMatchObject({pem: v1.publicKeyPem, version: v1.versionName})
    // An entry naming a version of another key is ignored.
    entries.set(`gcpkms|${name}`, JSON.stringify({algorithm: 'EC_SIGN_P256_SHA256', pem: other.publicKeyPem, version: other.versionName, at: Date.now()}))
    const before = server.calls.length
    await (await provider().signer(uri(name), ctx)).sign(message)
    expect(server.calls.slice(before).map((c) => c.method)).toEqual(['GetCryptoKey', 'ListCryptoKeyVersions', 'GetPublicKey', 'AsymmetricSign'])
  })

  test('a cached public key that is not the version\'s: the signature is refused (KMS_INTEGRITY)', async () => {
    const name = keyName('git-wrong')
    const v1 = await server.seedKey(name, 'EC_SIGN_P256_SHA256')
    const other = await server.seedKey(keyName('git-other'), 'EC_SIGN_P256_SHA256')
    const entries = new Map<string, string>([[`gcpkms|${v1.versionName}`, JSON.stringify({algorithm: 'EC_SIGN_P256_SHA256', pem: other.publicKeyPem, at: Date.now()})]])
    const ctx = {cache: {get: (k: string) => entries.get(k), set: (k: string, v: string) => void entries.set(k, v)}, reuseCachedSigningKey: true}
    await expect((await provider().signer(uri(v1.versionName), ctx)).sign(new Uint8Array([1]))).rejects.toMatchObject({code: 'KMS_INTEGRITY'})
  })
})
