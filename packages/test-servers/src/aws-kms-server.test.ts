import {constants, createHash, createPublicKey, randomBytes, verify} from 'node:crypto'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {startAwsKmsServer} from './aws-kms-server.js'
import type {AwsKmsKeySpec, AwsKmsTestServer} from './aws-kms-server.js'

// Raw protocol calls: the SigV4 header only has to be well-formed here (the server checks its
// shape, service and region, not the HMAC); the real SDK is exercised in @sigil/kms-aws.
function call(server: AwsKmsTestServer, target: string, body: unknown, init: {region?: string; service?: string; auth?: boolean} = {}) {
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `TrentService.${target}`,
    'x-amz-date': '20260101T000000Z',
  }
  if (init.auth !== false) {
    headers.authorization =
      `AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/${init.region ?? server.region}/${init.service ?? 'kms'}/aws4_request, ` +
      `SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`
  }
  return fetch(server.endpoint, {method: 'POST', headers, body: JSON.stringify(body)}).then(async (r) => ({
    status: r.status,
    contentType: r.headers.get('content-type'),
    json: (await r.json()) as Record<string, any>,
  }))
}

let server: AwsKmsTestServer
beforeAll(async () => {
  server = await startAwsKmsServer({region: 'eu-west-1'})
})
afterAll(() => server.close())

describe('startAwsKmsServer', () => {
  test('binds loopback and answers in the JSON 1.1 protocol', async () => {
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const res = await call(server, 'ListAliases', {})
    expect(res.status).toBe(200)
    expect(res.contentType).toBe('application/x-amz-json-1.1')
    expect(res.json).toEqual({Aliases: [], Truncated: false})
  })

  const cases: Array<[AwsKmsKeySpec, string, 'sha256' | 'sha384' | 'sha512', object]> = [
    ['ECC_NIST_P256', 'ECDSA_SHA_256', 'sha256', {dsaEncoding: 'der'}],
    ['ECC_NIST_P384', 'ECDSA_SHA_384', 'sha384', {dsaEncoding: 'der'}],
    ['ECC_NIST_P521', 'ECDSA_SHA_512', 'sha512', {dsaEncoding: 'der'}],
    ['ECC_SECG_P256K1', 'ECDSA_SHA_256', 'sha256', {dsaEncoding: 'der'}],
    ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256', 'sha256', {padding: constants.RSA_PKCS1_PADDING}],
    ['RSA_3072', 'RSASSA_PKCS1_V1_5_SHA_384', 'sha384', {padding: constants.RSA_PKCS1_PADDING}],
    ['RSA_4096', 'RSASSA_PKCS1_V1_5_SHA_512', 'sha512', {padding: constants.RSA_PKCS1_PADDING}],
    ['RSA_2048', 'RSASSA_PSS_SHA_256', 'sha256', {padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32}],
    ['RSA_3072', 'RSASSA_PSS_SHA_384', 'sha384', {padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48}],
    ['RSA_4096', 'RSASSA_PSS_SHA_512', 'sha512', {padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64}],
  ]
  test.each(cases)('%s %s: DIGEST and RAW signatures verify with node:crypto', async (spec, algorithm, hash, options) => {
    const key = server.createKey(spec)
    const described = await call(server, 'DescribeKey', {KeyId: key.keyId})
    expect(described.json.KeyMetadata).toMatchObject({KeyId: key.keyId, Arn: key.arn, KeySpec: spec, KeyUsage: 'SIGN_VERIFY', KeyState: 'Enabled'})
    const pub = await call(server, 'GetPublicKey', {KeyId: key.arn})
    const publicKey = createPublicKey({key: Buffer.from(pub.json.PublicKey, 'base64'), format: 'der', type: 'spki'})
    expect(pub.json.SigningAlgorithms).toContain(algorithm)

    for (let round = 0; round < 3; round++) {
      const message = randomBytes(100 + round)
      const digest = createHash(hash).update(message).digest()
      for (const [type, bytes] of [['DIGEST', digest], ['RAW', message]] as const) {
        const res = await call(server, 'Sign', {KeyId: key.keyId, Message: bytes.toString('base64'), MessageType: type, SigningAlgorithm: algorithm})
        expect(res.status).toBe(200)
        expect(res.json.SigningAlgorithm).toBe(algorithm)
        const signature = Buffer.from(res.json.Signature, 'base64')
        expect(verify(hash, message, {key: publicKey, ...options}, signature)).toBe(true)
        expect(verify(hash, randomBytes(10), {key: publicKey, ...options}, signature)).toBe(false)
      }
    }
  })

  test('aliases resolve in every KeyId form and are listed', async () => {
    const key = server.createKey('ECC_NIST_P256', {alias: 'alias/listed'})
    const created = await call(server, 'CreateKey', {KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'Created by Sigstore'})
    expect(created.json.KeyMetadata).toMatchObject({KeySpec: 'ECC_NIST_P256', Description: 'Created by Sigstore'})
    expect((await call(server, 'CreateAlias', {AliasName: 'alias/second', TargetKeyId: created.json.KeyMetadata.KeyId})).status).toBe(200)
    const again = await call(server, 'CreateAlias', {AliasName: 'alias/second', TargetKeyId: key.keyId})
    expect(again.json.__type).toBe('AlreadyExistsException')
    for (const id of ['alias/listed', `arn:aws:kms:eu-west-1:111122223333:alias/listed`, key.arn, key.keyId]) {
      expect((await call(server, 'DescribeKey', {KeyId: id})).json.KeyMetadata.KeyId).toBe(key.keyId)
    }
    const listed = await call(server, 'ListAliases', {KeyId: key.keyId})
    expect(listed.json.Aliases).toEqual([expect.objectContaining({AliasName: 'alias/listed', TargetKeyId: key.keyId})])
  })

  test('UpdateAlias re-points an alias: Sign by alias then uses (and names) the other key', async () => {
    const first = server.createKey('ECC_NIST_P256', {alias: 'alias/moving'})
    const second = server.createKey('ECC_NIST_P256')
    const digest = createHash('sha256').update('m').digest().toString('base64')
    const sign = async () => (await call(server, 'Sign', {KeyId: 'alias/moving', Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256'})).json
    expect((await sign()).KeyId).toBe(first.arn)
    expect((await call(server, 'UpdateAlias', {AliasName: 'alias/moving', TargetKeyId: second.arn})).status).toBe(200)
    const moved = await sign()
    expect(moved.KeyId).toBe(second.arn)
    const publicKey = createPublicKey({key: Buffer.from(second.publicKeyDer!), format: 'der', type: 'spki'})
    expect(verify('sha256', Buffer.from('m'), publicKey, Buffer.from(moved.Signature, 'base64'))).toBe(true)
    expect((await call(server, 'UpdateAlias', {AliasName: 'alias/none', TargetKeyId: second.keyId})).json.__type).toBe('NotFoundException')
  })

  test.each([
    ['unknown key', () => ({KeyId: 'alias/none'}), 'GetPublicKey', 'NotFoundException'],
    ['disabled key', () => ({KeyId: server.createKey('ECC_NIST_P256', {state: 'Disabled'}).keyId}), 'GetPublicKey', 'DisabledException'],
    ['pending deletion', () => ({KeyId: server.createKey('ECC_NIST_P256', {state: 'PendingDeletion'}).keyId}), 'GetPublicKey', 'KMSInvalidStateException'],
    ['symmetric key', () => ({KeyId: server.createKey('SYMMETRIC_DEFAULT').keyId, Message: 'AA==', SigningAlgorithm: 'ECDSA_SHA_256'}), 'Sign', 'InvalidKeyUsageException'],
    ['wrong digest length', () => ({KeyId: server.createKey('ECC_NIST_P256').keyId, Message: 'AA==', MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256'}), 'Sign', 'ValidationException'],
  ])('%s → 400 %s', async (_name, body, target, type) => {
    const res = await call(server, target, body())
    expect(res.status).toBe(400)
    expect(res.json).toEqual({__type: type, message: expect.any(String)})
  })

  test('SigV4 is required, for service kms and the server region', async () => {
    expect((await call(server, 'ListAliases', {}, {auth: false})).json.__type).toBe('MissingAuthenticationTokenException')
    expect((await call(server, 'ListAliases', {}, {region: 'us-east-1'})).json.__type).toBe('InvalidSignatureException')
    expect((await call(server, 'ListAliases', {}, {service: 's3'})).json.__type).toBe('InvalidSignatureException')
    const last = server.requests.at(-1)
    expect(last).toMatchObject({target: 'ListAliases', signingRegion: 'eu-west-1', signingService: 's3', accessKeyId: 'AKIDTEST', status: 400})
  })

  test('access denial and throttling are configurable', async () => {
    server.deny.add('ListAliases')
    expect((await call(server, 'ListAliases', {})).json.__type).toBe('AccessDeniedException')
    server.deny.delete('ListAliases')
    server.throttle(2)
    expect((await call(server, 'ListAliases', {})).json.__type).toBe('ThrottlingException')
    expect((await call(server, 'ListAliases', {})).json.__type).toBe('ThrottlingException')
    expect((await call(server, 'ListAliases', {})).status).toBe(200)
    const before = server.count('ListAliases')
    await call(server, 'ListAliases', {})
    expect(server.count('ListAliases')).toBe(before + 1)
  })
})
