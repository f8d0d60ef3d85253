/**
 * The provider with the real `@aws-sdk/client-kms` against the loopback KMS from
 * `@sigil/testkit` (JSON 1.1 protocol, SigV4, real keys and signatures). Nothing here leaves
 * 127.0.0.1: see vitest.config.ts for the environment.
 */
import {createHash, createPublicKey, verify as cryptoVerify} from 'node:crypto'
import {buildPayload} from '@sigil/core'
import type {HashAlgorithm, SignatureAlgorithm} from '@sigil/core'
import {createVerifier, parsePublicKeyPem} from '@sigil/key-file'
import {startAwsKmsServer} from '@sigil/test-servers'
import type {AwsKmsKeySpec, AwsKmsTestServer} from '@sigil/test-servers'
import {afterAll, afterEach, beforeAll, describe, expect, test, vi} from 'vitest'
import {awsKmsProvider} from '../src/index.js'
import type {AwsKmsProviderOptions} from '../src/index.js'

let kms: AwsKmsTestServer
let aliasCounter = 0
beforeAll(async () => {
  kms = await startAwsKmsServer({region: 'eu-west-1'})
})
afterAll(() => kms.close())
afterEach(() => {
  vi.unstubAllEnvs()
  kms.deny.clear()
  kms.throttle(0)
})

const ctx = {}
const uri = (keyId: string) => `awskms://${kms.host}/${keyId}`
const provider = (options: AwsKmsProviderOptions = {}) => awsKmsProvider({maxAttempts: 3, ...options})
const freshAlias = () => `alias/test-${process.pid}-${++aliasCounter}`
const payload = () =>
  buildPayload({
    dockerReference: '127.0.0.1:5000/team/app',
    manifestDigest: `sha256:${createHash('sha256').update(String(Math.random())).digest('hex')}`,
  })

/** Requests made by `run`, as `target` names. */
async function requestsDuring(run: () => Promise<unknown>): Promise<string[]> {
  const before = kms.requests.length
  await run()
  return kms.requests.slice(before).map((r) => r.target)
}

async function rejection(promise: Promise<unknown>): Promise<{code: string; message: string; details?: Record<string, unknown>}> {
  try {
    await promise
  } catch (err) {
    return err as {code: string; message: string}
  }
  throw new Error('expected a rejection')
}

describe('signing and verification, every key spec', () => {
  const cases: Array<{spec: AwsKmsKeySpec; first?: string; algorithm: SignatureAlgorithm; hash: HashAlgorithm; awsAlgorithm: string; pem: 'key-file' | 'node' | 'none'}> = [
    {spec: 'ECC_NIST_P256', algorithm: 'ecdsa-p256-sha256', hash: 'sha256', awsAlgorithm: 'ECDSA_SHA_256', pem: 'key-file'},
    {spec: 'ECC_NIST_P384', algorithm: 'ecdsa-p384-sha384', hash: 'sha384', awsAlgorithm: 'ECDSA_SHA_384', pem: 'key-file'},
    {spec: 'ECC_NIST_P521', algorithm: 'ecdsa-p521-sha512', hash: 'sha512', awsAlgorithm: 'ECDSA_SHA_512', pem: 'key-file'},
    // cosign's file verification does not accept secp256k1 keys: checked with node:crypto only.
    {spec: 'ECC_SECG_P256K1', algorithm: 'ecdsa-secp256k1-sha256', hash: 'sha256', awsAlgorithm: 'ECDSA_SHA_256', pem: 'node'},
    {spec: 'RSA_2048', algorithm: 'rsa-pkcs1v15-sha256', hash: 'sha256', awsAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256', pem: 'key-file'},
    {spec: 'RSA_3072', first: 'RSASSA_PKCS1_V1_5_SHA_384', algorithm: 'rsa-pkcs1v15-sha384', hash: 'sha384', awsAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_384', pem: 'key-file'},
    {spec: 'RSA_4096', first: 'RSASSA_PKCS1_V1_5_SHA_512', algorithm: 'rsa-pkcs1v15-sha512', hash: 'sha512', awsAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_512', pem: 'key-file'},
    // PSS verifies only through the KMS URI, as with cosign.
    {spec: 'RSA_2048', first: 'RSASSA_PSS_SHA_256', algorithm: 'rsa-pss-sha256', hash: 'sha256', awsAlgorithm: 'RSASSA_PSS_SHA_256', pem: 'none'},
    {spec: 'RSA_3072', first: 'RSASSA_PSS_SHA_384', algorithm: 'rsa-pss-sha384', hash: 'sha384', awsAlgorithm: 'RSASSA_PSS_SHA_384', pem: 'none'},
    {spec: 'RSA_4096', first: 'RSASSA_PSS_SHA_512', algorithm: 'rsa-pss-sha512', hash: 'sha512', awsAlgorithm: 'RSASSA_PSS_SHA_512', pem: 'none'},
  ]

  test.each(cases)('$spec $awsAlgorithm → $algorithm', async ({spec, first, algorithm, hash, awsAlgorithm, pem}) => {
    const alias = freshAlias()
    const key = kms.createKey(spec, {alias, ...(first ? {signingAlgorithms: [first, ...['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256'].filter((a) => a !== first)]} : {})})
    const p = provider()
    const signer = await p.signer(uri(alias), ctx)
    expect(signer.algorithm).toBe(algorithm)

    const message = payload()
    const before = kms.requests.length
    const signature = await signer.sign(message)
    const signRequest = kms.requests.slice(before)
    expect(signRequest.map((r) => r.target)).toEqual(['Sign'])
    // Only the digest leaves the machine, with the key's first signing algorithm.
    expect(signRequest[0]?.body).toEqual({
      KeyId: alias,
      Message: createHash(hash).update(message).digest('base64'),
      MessageType: 'DIGEST',
      SigningAlgorithm: awsAlgorithm,
    })
    if (spec.startsWith('ECC')) expect(signature[0]).toBe(0x30) // DER, as KMS returns it

    // The public key: Go's PEM form, the key's SPKI.
    const info = await p.publicKey(uri(alias), ctx)
    expect(Buffer.from(info.spki).equals(Buffer.from(key.publicKeyDer as Uint8Array))).toBe(true)
    expect(info.pem).toBe(createPublicKey({key: Buffer.from(info.spki), format: 'der', type: 'spki'}).export({format: 'pem', type: 'spki'}))
    expect(info.pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n(?:[A-Za-z0-9+/]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END PUBLIC KEY-----\n$/)

    // The KMS verifier (the `--key awskms://…` path).
    const verifier = await p.verifier(uri(alias), ctx)
    expect(verifier.verify(message, signature)).toBe(true)
    expect(verifier.verify(payload(), signature)).toBe(false)
    expect(verifier.verify(message, new Uint8Array([0x30, 0x00]))).toBe(false)
    expect(verifier.verify(message, new Uint8Array())).toBe(false)

    // The exported PEM (the `--key cosign.pub` path).
    if (pem === 'key-file') {
      const fileVerifier = createVerifier(parsePublicKeyPem(info.pem))
      expect(fileVerifier.verify(message, signature, {hash})).toBe(true)
      expect(fileVerifier.verify(payload(), signature, {hash})).toBe(false)
    } else if (pem === 'node') {
      expect(cryptoVerify(hash, message, {key: createPublicKey(info.pem), dsaEncoding: 'der'}, signature)).toBe(true)
    } else {
      expect(createVerifier(parsePublicKeyPem(info.pem)).verify(message, signature, {hash})).toBe(false)
    }
  })

  test('ECDSA signatures are also accepted as raw r‖s', async () => {
    const alias = freshAlias()
    kms.createKey('ECC_NIST_P256', {alias})
    const p = provider()
    const message = payload()
    const der = await (await p.signer(uri(alias), ctx)).sign(message)
    const raw = derToRaw(der, 32)
    expect(raw).toHaveLength(64)
    expect((await p.verifier(uri(alias), ctx)).verify(message, raw)).toBe(true)
  })
})

function derToRaw(der: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(2 * size)
  let pos = 2
  for (let i = 0; i < 2; i++) {
    const len = der[pos + 1] as number
    let value = der.subarray(pos + 2, pos + 2 + len)
    while (value.length > size && value[0] === 0) value = value.subarray(1)
    out.set(value, (i + 1) * size - value.length)
    pos += 2 + len
  }
  return out
}

describe('caching: one KMS call per signature after the first', () => {
  test('bulk sign of N images = DescribeKey + GetPublicKey + N × Sign', async () => {
    const alias = freshAlias()
    kms.createKey('ECC_NIST_P256', {alias})
    const p = provider()
    const N = 8
    const calls = await requestsDuring(async () => {
      // As a CLI might: a signer per image, a verifier and the public key too.
      for (let i = 0; i < N; i++) await (await p.signer(uri(alias), ctx)).sign(payload())
      await p.verifier(uri(alias), ctx)
      await p.publicKey(uri(alias), ctx)
    })
    expect(calls.filter((t) => t === 'DescribeKey')).toHaveLength(1)
    expect(calls.filter((t) => t === 'GetPublicKey')).toHaveLength(1)
    expect(calls.filter((t) => t === 'Sign')).toHaveLength(N)
    expect(calls).toHaveLength(2 + N)
  })

  test('concurrent first uses share one metadata fetch', async () => {
    const alias = freshAlias()
    kms.createKey('ECC_NIST_P256', {alias})
    const p = provider()
    const calls = await requestsDuring(() => Promise.all([1, 2, 3, 4].map(async () => (await p.signer(uri(alias), ctx)).sign(payload()))))
    expect(calls.sort()).toEqual(['DescribeKey', 'GetPublicKey', 'Sign', 'Sign', 'Sign', 'Sign'])
  })

  test('failures are not cached', async () => {
    const alias = freshAlias()
    const p = provider()
    expect((await rejection(p.publicKey(uri(alias), ctx))).code).toBe('KEY_NOT_FOUND')
    kms.createKey('ECC_NIST_P256', {alias})
    expect((await p.publicKey(uri(alias), ctx)).kind).toBe('ecdsa')
  })

  test('a signature that does not match the cached key (alias moved) is KMS_INTEGRITY', async () => {
    const alias = freshAlias()
    kms.createKey('ECC_NIST_P256', {alias})
    const p = provider()
    const signer = await p.signer(uri(alias), ctx)
    kms.aliases.set(alias, kms.createKey('ECC_NIST_P256').keyId)
    expect((await rejection(signer.sign(payload()))).code).toBe('KMS_INTEGRITY')
  })

  test('signDigest: a digest signed by another key than the one read (alias moved) is KMS_INTEGRITY too', async () => {
    const alias = freshAlias()
    kms.createKey('ECC_NIST_P256', {alias})
    const p = provider()
    const signer = await p.signer(uri(alias), ctx)
    const message = payload()
    const digest = new Uint8Array(createHash('sha256').update(message).digest())
    const good = await signer.signDigest!(digest, 'sha256')
    expect((await p.verifier(uri(alias), ctx)).verify(message, good)).toBe(true)
    kms.aliases.set(alias, kms.createKey('ECC_NIST_P256').keyId)
    expect((await rejection(signer.signDigest!(digest, 'sha256'))).code).toBe('KMS_INTEGRITY')
  })
})

describe('key id forms, endpoints, regions and SigV4', () => {
  test.each([
    ['key id', () => kms.createKey('ECC_NIST_P256').keyId],
    ['multi-region key id', () => kms.createKey('ECC_NIST_P256', {multiRegion: true}).keyId],
    ['key ARN', () => kms.createKey('ECC_NIST_P256').arn],
    ['alias ARN', () => {
      const alias = freshAlias()
      kms.createKey('ECC_NIST_P256', {alias})
      return `arn:aws:kms:eu-west-1:${kms.accountId}:${alias}`
    }],
  ])('%s', async (_name, makeId) => {
    const keyId = makeId()
    const p = provider()
    const message = payload()
    const signature = await (await p.signer(uri(keyId), ctx)).sign(message)
    expect((await p.verifier(uri(keyId), ctx)).verify(message, signature)).toBe(true)
    expect(kms.requests.at(-1)?.body.KeyId).toBe(keyId)
  })

  test('every request is SigV4-signed for service kms in the region, with the chain\'s credentials', async () => {
    const alias = freshAlias()
    kms.createKey('ECC_NIST_P256', {alias})
    const before = kms.requests.length
    await (await provider().signer(uri(alias), ctx)).sign(payload())
    const seen = kms.requests.slice(before)
    expect(seen).toHaveLength(3)
    for (const r of seen) {
      expect(r.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDSIGILTEST0000000\/\d{8}\/eu-west-1\/kms\/aws4_request, SignedHeaders=[^ ]*host[^ ]*, Signature=[0-9a-f]{64}$/)
      expect(r).toMatchObject({signingRegion: 'eu-west-1', signingService: 'kms', status: 200})
    }
  })

  test('AWS_ENDPOINT_URL_KMS is honoured by the SDK (no endpoint in the URI)', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_KMS', kms.endpoint)
    const alias = freshAlias()
    kms.createKey('ECC_NIST_P256', {alias})
    const calls = await requestsDuring(() => provider().publicKey(`awskms:///${alias}`, ctx))
    expect(calls).toEqual(['DescribeKey', 'GetPublicKey'])
  })

  test('AWS_ENDPOINT_URL is honoured too, and the endpoint option', async () => {
    const alias = freshAlias()
    kms.createKey('ECC_NIST_P256', {alias})
    vi.stubEnv('AWS_ENDPOINT_URL', kms.endpoint)
    expect(await requestsDuring(() => provider().publicKey(`awskms:///${alias}`, ctx))).toHaveLength(2)
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:9')
    expect(await requestsDuring(() => provider({endpoint: kms.endpoint}).publicKey(`awskms:///${alias}`, ctx))).toHaveLength(2)
  })

  test('an unreachable endpoint is KMS_ERROR naming the key', async () => {
    const err = await rejection(provider({maxAttempts: 1}).publicKey('awskms://127.0.0.1:9/alias/nowhere', ctx))
    expect(err.code).toBe('KMS_ERROR')
    expect(err.message).toContain('awskms://127.0.0.1:9/alias/nowhere')
  })

  test('a key ARN\'s region is used for signing, whatever AWS_REGION says', async () => {
    const other = await startAwsKmsServer({region: 'us-west-2'})
    try {
      const key = other.createKey('ECC_NIST_P384')
      const signature = await (await provider().signer(`awskms://${other.host}/${key.arn}`, ctx)).sign(payload())
      expect(signature.length).toBeGreaterThan(0)
      expect(other.requests.map((r) => r.signingRegion)).toEqual(['us-west-2', 'us-west-2', 'us-west-2'])
    } finally {
      await other.close()
    }
  })

  test('an explicit region that contradicts the ARN is KMS_REGION_MISMATCH, before any call', async () => {
    const key = kms.createKey('ECC_NIST_P256')
    const calls = await requestsDuring(async () => {
      const err = await rejection(provider({region: 'us-east-1'}).signer(uri(key.arn), ctx))
      expect(err.code).toBe('KMS_REGION_MISMATCH')
      expect(err.message).toMatch(/eu-west-1.*us-east-1/)
    })
    expect(calls).toEqual([])
  })

  test('a request signed for another region than the endpoint\'s is KMS_REGION_MISMATCH', async () => {
    const alias = freshAlias()
    kms.createKey('ECC_NIST_P256', {alias})
    const err = await rejection(provider({region: 'ap-south-1'}).publicKey(uri(alias), ctx))
    expect(err.code).toBe('KMS_REGION_MISMATCH')
  })
})

describe('errors map to stable codes and name the key', () => {
  test.each([
    ['missing key', () => freshAlias(), undefined, 'KEY_NOT_FOUND'],
    ['disabled key', () => kms.createKey('ECC_NIST_P256', {state: 'Disabled'}).keyId, undefined, 'KEY_DISABLED'],
    ['key pending deletion', () => kms.createKey('ECC_NIST_P256', {state: 'PendingDeletion'}).keyId, undefined, 'KEY_DISABLED'],
    ['ENCRYPT_DECRYPT RSA key', () => kms.createKey('RSA_2048', {usage: 'ENCRYPT_DECRYPT'}).keyId, undefined, 'KEY_WRONG_USAGE'],
    ['symmetric key', () => kms.createKey('SYMMETRIC_DEFAULT').keyId, undefined, 'KEY_WRONG_USAGE'],
    ['Ed25519 key', () => kms.createKey('ECC_NIST_EDWARDS25519').keyId, undefined, 'KEY_UNSUPPORTED'],
    ['DescribeKey denied', () => kms.createKey('ECC_NIST_P256').keyId, 'DescribeKey', 'KEY_ACCESS_DENIED'],
    ['GetPublicKey denied', () => kms.createKey('ECC_NIST_P256').keyId, 'GetPublicKey', 'KEY_ACCESS_DENIED'],
  ])('%s → %s', async (_name, makeId, deny, code) => {
    const keyId = makeId()
    if (deny) kms.deny.add(deny)
    const p = provider()
    for (const attempt of [p.signer(uri(keyId), ctx), p.verifier(uri(keyId), ctx), p.publicKey(uri(keyId), ctx)]) {
      const err = await rejection(attempt)
      expect(err).toMatchObject({code, name: 'AwsKmsError'})
      expect(err.message).toContain(uri(keyId))
      expect(err.message).not.toContain('sigil-test-secret')
    }
  })

  test('denied kms:Sign → KEY_ACCESS_DENIED naming the permission', async () => {
    const alias = freshAlias()
    kms.createKey('ECC_NIST_P256', {alias})
    const signer = await provider().signer(uri(alias), ctx)
    kms.deny.add('Sign')
    const err = await rejection(signer.sign(payload()))
    expect(err.code).toBe('KEY_ACCESS_DENIED')
    expect(err.message).toContain('kms:Sign')
  })

  test('a key disabled after first use → KEY_DISABLED on Sign', async () => {
    const alias = freshAlias()
    const key = kms.createKey('ECC_NIST_P256', {alias})
    const signer = await provider().signer(uri(alias), ctx)
    key.state = 'Disabled'
    expect((await rejection(signer.sign(payload()))).code).toBe('KEY_DISABLED')
  })

  test('a disabled key costs one call (DescribeKey), no GetPublicKey', async () => {
    const keyId = kms.createKey('ECC_NIST_P256', {state: 'Disabled'}).keyId
    expect(await requestsDuring(() => provider().signer(uri(keyId), ctx).catch(() => undefined))).toEqual(['DescribeKey'])
  })

  test('throttling is retried by the SDK with backoff', async () => {
    const alias = freshAlias()
    kms.createKey('ECC_NIST_P256', {alias})
    kms.throttle(2)
    const calls = await requestsDuring(() => provider({maxAttempts: 3}).publicKey(uri(alias), ctx))
    expect(calls).toEqual(['DescribeKey', 'DescribeKey', 'DescribeKey', 'GetPublicKey'])
  })

  test('throttling beyond maxAttempts → KMS_THROTTLED with the attempt count', async () => {
    const alias = freshAlias()
    kms.createKey('ECC_NIST_P256', {alias})
    kms.throttle(100)
    const err = await rejection(provider({maxAttempts: 2}).publicKey(uri(alias), ctx))
    expect(err.code).toBe('KMS_THROTTLED')
    expect(err.details).toMatchObject({attempts: 2, awsError: 'ThrottlingException'})
  })

  test('no credentials anywhere in the chain → KMS_CREDENTIALS_MISSING, nothing sent', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', '')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '')
    const alias = freshAlias()
    kms.createKey('ECC_NIST_P256', {alias})
    const calls = await requestsDuring(async () => {
      const err = await rejection(provider().publicKey(uri(alias), ctx))
      expect(err.code).toBe('KMS_CREDENTIALS_MISSING')
      expect(err.message).toMatch(/^no AWS credentials found \(/)
    })
    expect(calls).toEqual([])
  })

  test('no region for an alias → INVALID_ARGUMENT saying how to set one', async () => {
    vi.stubEnv('AWS_REGION', undefined)
    vi.stubEnv('AWS_DEFAULT_REGION', undefined)
    const err = await rejection(provider().publicKey(uri('alias/no-region'), ctx))
    expect(err.code).toBe('INVALID_ARGUMENT')
    expect(err.message).toContain('AWS_REGION')
  })
})

describe('generate', () => {
  test.each([
    ['key id', '1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['key ARN', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['alias ARN', 'arn:aws:kms:eu-west-1:111122223333:alias/x'],
  ])('requires the alias form (%s), as cosign', async (_name, keyId) => {
    const calls = await requestsDuring(async () => {
      const err = await rejection(provider().generate(uri(keyId), ctx))
      expect(err.code).toBe('INVALID_ARGUMENT')
      expect(err.message).toMatch(/^must use alias key format/)
    })
    expect(calls).toEqual([])
  })

  test('creates an ECC_NIST_P256 SIGN_VERIFY key and the alias, then is idempotent', async () => {
    const alias = freshAlias()
    const logs: string[] = []
    const log = (_level: string, line: string) => void logs.push(line)
    let first: Awaited<ReturnType<ReturnType<typeof provider>['generate']>> | undefined
    const created = await requestsDuring(async () => {
      first = await provider().generate(uri(alias), {log})
    })
    expect(created).toEqual(['DescribeKey', 'CreateKey', 'CreateAlias', 'DescribeKey', 'GetPublicKey'])
    const createRequest = kms.requests.find((r) => r.target === 'CreateKey' && kms.aliases.get(alias) !== undefined)
    expect(createRequest?.body).toEqual({KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'Created by Sigstore'})
    const key = kms.keys.get(kms.aliases.get(alias) as string)
    expect(key).toMatchObject({spec: 'ECC_NIST_P256', usage: 'SIGN_VERIFY', description: 'Created by Sigstore'})
    expect(first?.written).toEqual([{kind: 'remote-key', location: uri(alias)}])
    expect(first?.publicKey).toMatchObject({kind: 'ecdsa', curve: 'P-256'})
    expect(logs.join('\n')).toContain(key?.keyId)

    // Again, from a fresh process-equivalent: no second key.
    const keysBefore = kms.keys.size
    let second: typeof first
    const again = await requestsDuring(async () => {
      second = await provider().generate(uri(alias), ctx)
    })
    expect(again).toEqual(['DescribeKey', 'GetPublicKey'])
    expect(kms.keys.size).toBe(keysBefore)
    expect(second?.publicKey.pem).toBe(first?.publicKey.pem)

    // The new key signs, and verifies through the exported PEM.
    const p = provider()
    const message = payload()
    const signature = await (await p.signer(uri(alias), ctx)).sign(message)
    expect(createVerifier(parsePublicKeyPem(second?.publicKey.pem as string)).verify(message, signature)).toBe(true)
  })

  test('an existing alias on another key type returns that key, creating nothing', async () => {
    const alias = freshAlias()
    const key = kms.createKey('RSA_3072', {alias})
    const calls = await requestsDuring(async () => {
      const generated = await provider().generate(uri(alias), ctx)
      expect(Buffer.from(generated.publicKey.spki).equals(Buffer.from(key.publicKeyDer as Uint8Array))).toBe(true)
    })
    expect(calls).toEqual(['DescribeKey', 'GetPublicKey'])
  })

  test('an existing but disabled alias target is an error, not a second key', async () => {
    const alias = freshAlias()
    kms.createKey('ECC_NIST_P256', {alias, state: 'Disabled'})
    const calls = await requestsDuring(async () => {
      expect((await rejection(provider().generate(uri(alias), ctx))).code).toBe('KEY_DISABLED')
    })
    expect(calls).toEqual(['DescribeKey'])
  })

  test('CreateKey denied → KEY_ACCESS_DENIED naming kms:CreateKey', async () => {
    kms.deny.add('CreateKey')
    const err = await rejection(provider().generate(uri(freshAlias()), ctx))
    expect(err.code).toBe('KEY_ACCESS_DENIED')
    expect(err.message).toContain('kms:CreateKey')
  })
})

describe("public keys kept in the host's cache between runs (key id and ARN only)", () => {
  function memoryCache() {
    const entries = new Map<string, string>()
    return {entries, cache: {get: (k: string) => entries.get(k), set: (k: string, v: string) => void entries.set(k, v)}}
  }

  test('a key ARN: the second run (a new provider) verifies with no KMS request at all', async () => {
    const key = kms.createKey('ECC_NIST_P256', {alias: freshAlias()})
    const {cache, entries} = memoryCache()
    const ref = uri(key.arn)
    const first = await requestsDuring(() => provider().verifier(ref, {cache}))
    expect(first).toEqual(['DescribeKey', 'GetPublicKey'])
    expect(entries.size).toBe(1)
    expect([...entries.values()][0]).not.toMatch(/PRIVATE/)
    let verifier: Awaited<ReturnType<ReturnType<typeof provider>['verifier']>> | undefined
    expect(await requestsDuring(async () => (verifier = await provider().verifier(ref, {cache})))).toEqual([])
    // The cached key is the real one: a KMS signature verifies with it.
    const message = payload()
    const signature = await (await provider().signer(ref, ctx)).sign(message)
    expect(verifier!.verify(message, signature)).toBe(true)
    expect(await requestsDuring(() => provider().publicKey(uri(key.keyId), {cache}))).toEqual(['DescribeKey', 'GetPublicKey'])
    expect(await requestsDuring(() => provider().publicKey(uri(key.keyId), {cache}))).toEqual([])
  })

  test('a key taken from the cache is parsed once per provider; signing with that provider still asks KMS', async () => {
    const key = kms.createKey('ECC_NIST_P256', {alias: freshAlias()})
    const {cache} = memoryCache()
    await provider().verifier(uri(key.arn), {cache})
    const p = provider()
    const first = await p.verifier(uri(key.arn), {cache})
    expect(await requestsDuring(async () => expect(await p.verifier(uri(key.arn), {cache})).toBe(first))).toEqual([])
    expect(await requestsDuring(() => p.signer(uri(key.arn), {cache}))).toEqual(['DescribeKey', 'GetPublicKey'])
  })

  test('an alias is asked every run: it can be re-pointed to another key', async () => {
    const alias = freshAlias()
    kms.createKey('ECC_NIST_P256', {alias})
    const {cache, entries} = memoryCache()
    await provider().verifier(uri(alias), {cache})
    expect(entries.size).toBe(0)
    expect(await requestsDuring(() => provider().verifier(uri(alias), {cache}))).toEqual(['DescribeKey', 'GetPublicKey'])
  })

  test('an entry older than the limit, or unreadable, is fetched again', async () => {
    const key = kms.createKey('ECC_NIST_P256', {alias: freshAlias()})
    const {cache, entries} = memoryCache()
    await provider().verifier(uri(key.arn), {cache})
    const [name, value] = [...entries][0]!
    entries.set(name, JSON.stringify({...JSON.parse(value), at: Date.now() - 2 * 60 * 60 * 1000}))
    expect(await requestsDuring(() => provider().verifier(uri(key.arn), {cache}))).toEqual(['DescribeKey', 'GetPublicKey'])
    entries.set(name, '{not json')
    expect(await requestsDuring(() => provider().verifier(uri(key.arn), {cache}))).toEqual(['DescribeKey', 'GetPublicKey'])
  })

  test('signing never uses the cache: the key state is checked each run', async () => {
    const key = kms.createKey('ECC_NIST_P256', {alias: freshAlias()})
    const {cache} = memoryCache()
    await provider().verifier(uri(key.arn), {cache})
    expect(await requestsDuring(() => provider().signer(uri(key.arn), {cache}))).toEqual(['DescribeKey', 'GetPublicKey'])
  })

  test('a host that signs once per process (reuseCachedSigningKey): one Sign call per run by key id', async () => {
    const alias = freshAlias()
    const key = kms.createKey('ECC_NIST_P256', {alias})
    const {cache} = memoryCache()
    const ctx = {cache, reuseCachedSigningKey: true}
    const message = payload()
    expect(await requestsDuring(async () => (await provider().signer(uri(key.arn), ctx)).sign(message))).toEqual(['DescribeKey', 'GetPublicKey', 'Sign'])
    let signature: Uint8Array | undefined
    expect(await requestsDuring(async () => (signature = await (await provider().signer(uri(key.arn), ctx)).sign(message)))).toEqual(['Sign'])
    expect((await provider().verifier(uri(key.arn), {cache})).verify(message, signature!)).toBe(true)
  })

  describe('an alias under reuseCachedSigningKey: one Sign per run, every signature checked', () => {
    const run = async (ref: string, ctx: object, message: Uint8Array) => {
      const before = kms.requests.length
      const signer = await provider().signer(ref, ctx)
      const signature = await signer.sign(message)
      return {calls: kms.requests.slice(before).map((r) => r.target), signature, publicKey: await signer.publicKey()}
    }
    const verifiesWith = (key: {publicKeyDer?: Uint8Array}, message: Uint8Array, signature: Uint8Array) =>
      cryptoVerify('sha256', message, createPublicKey({key: Buffer.from(key.publicKeyDer!), format: 'der', type: 'spki'}), signature)

    test.each(['alias', 'alias ARN'])('by %s: the key looked up once, then Sign only; a re-pointed alias is looked up again once and signs with the new key', async (form) => {
      const alias = freshAlias()
      const first = kms.createKey('ECC_NIST_P256', {alias})
      const second = kms.createKey('ECC_NIST_P256')
      const ref = form === 'alias' ? uri(alias) : uri(`arn:aws:kms:${kms.region}:${kms.accountId}:${alias}`)
      const {cache, entries} = memoryCache()
      const ctx = {cache, reuseCachedSigningKey: true}
      const message = payload()
      expect((await run(ref, ctx, message)).calls).toEqual(['DescribeKey', 'GetPublicKey', 'Sign'])
      expect([...entries.values()].join()).toContain(first.arn)
      for (let i = 0; i < 2; i++) {
        const r = await run(ref, ctx, message)
        expect(r.calls).toEqual(['Sign'])
        expect(verifiesWith(first, message, r.signature)).toBe(true)
      }
      // Verifying never takes an alias from the cache.
      expect(await requestsDuring(() => provider().verifier(ref, {cache}))).toEqual(['DescribeKey', 'GetPublicKey'])
      kms.aliases.set(alias, second.keyId)
      const moved = await run(ref, ctx, message)
      expect(moved.calls).toEqual(['Sign', 'DescribeKey', 'GetPublicKey', 'Sign'])
      expect(verifiesWith(second, message, moved.signature)).toBe(true)
      expect(moved.publicKey.spki).toEqual(new Uint8Array(second.publicKeyDer!))
      const after = await run(ref, ctx, message)
      expect(after.calls).toEqual(['Sign'])
      expect(verifiesWith(second, message, after.signature)).toBe(true)
    })

    test('a caller\'s digest (signDigest): the ARN Sign names is checked; a moved alias is looked up again and signs with the new key', async () => {
      const alias = freshAlias()
      kms.createKey('ECC_NIST_P256', {alias})
      const second = kms.createKey('ECC_NIST_P256')
      const {cache} = memoryCache()
      const ctx = {cache, reuseCachedSigningKey: true}
      await run(uri(alias), ctx, payload())
      kms.aliases.set(alias, second.keyId)
      const message = payload()
      const digest = new Uint8Array(createHash('sha256').update(message).digest())
      const signer = await provider().signer(uri(alias), ctx)
      let signature: Uint8Array | undefined
      expect(await requestsDuring(async () => (signature = await signer.signDigest!(digest, 'sha256')))).toEqual(['Sign', 'DescribeKey', 'GetPublicKey', 'Sign'])
      expect(verifiesWith(second, message, signature!)).toBe(true)
      expect((await signer.publicKey()).spki).toEqual(new Uint8Array(second.publicKeyDer!))
    })

    test('without reuseCachedSigningKey an alias is never cached for signing, and a moved alias is refused (KMS_INTEGRITY)', async () => {
      const alias = freshAlias()
      kms.createKey('ECC_NIST_P256', {alias})
      const other = kms.createKey('ECC_NIST_P256')
      const {cache, entries} = memoryCache()
      await run(uri(alias), {cache}, payload())
      expect(entries.size).toBe(0)
      expect((await run(uri(alias), {cache}, payload())).calls).toEqual(['DescribeKey', 'GetPublicKey', 'Sign'])
      const signer = await provider().signer(uri(alias), {cache})
      kms.aliases.set(alias, other.keyId)
      expect(await rejection(signer.sign(payload()))).toMatchObject({code: 'KMS_INTEGRITY', message: expect.stringContaining('moved')})
    })

    test('a cached entry whose ARN is the alias\'s but whose public key is not: looked up again, and if KMS still disagrees, KMS_INTEGRITY', async () => {
      const alias = freshAlias()
      const key = kms.createKey('ECC_NIST_P256', {alias})
      const other = kms.createKey('ECC_NIST_P256')
      const {cache, entries} = memoryCache()
      const ctx = {cache, reuseCachedSigningKey: true}
      await run(uri(alias), ctx, payload())
      const [name, value] = [...entries][0]!
      entries.set(name, JSON.stringify({...JSON.parse(value), spki: Buffer.from(other.publicKeyDer!).toString('base64')}))
      const message = payload()
      const fixed = await run(uri(alias), ctx, message)
      expect(fixed.calls).toEqual(['Sign', 'DescribeKey', 'GetPublicKey', 'Sign'])
      expect(verifiesWith(key, message, fixed.signature)).toBe(true)
      // KMS names a key whose public key is not what GetPublicKey gave: refused, never returned.
      entries.set(name, JSON.stringify({...JSON.parse(value), spki: Buffer.from(other.publicKeyDer!).toString('base64')}))
      const signer = await provider().signer(uri(alias), ctx)
      const realKey = kms.keys.get(key.keyId)!
      kms.keys.set(key.keyId, {...realKey, publicKeyDer: other.publicKeyDer})
      try {
        expect(await rejection(signer.sign(payload()))).toMatchObject({code: 'KMS_INTEGRITY'})
      } finally {
        kms.keys.set(key.keyId, realKey)
      }
    })
  })
})
