import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {startEcrServer} from './ecr-server.js'
import type {EcrTestServer} from './ecr-server.js'

// Raw protocol calls: the SigV4 header only has to be well-formed here (the server checks its
// shape, service and region, not the HMAC); the real SDK is exercised in @sigil/registry-ecr.
function call(server: EcrTestServer, target: string, body: unknown, init: {region?: string; service?: string; auth?: boolean; prefix?: string} = {}) {
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `${init.prefix ?? 'AmazonEC2ContainerRegistry_V20150921.'}${target}`,
    'x-amz-date': '20260101T000000Z',
  }
  if (init.auth !== false) {
    headers.authorization =
      `AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/${init.region ?? server.region}/${init.service ?? 'ecr'}/aws4_request, ` +
      `SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`
  }
  return fetch(server.endpoint, {method: 'POST', headers, body: JSON.stringify(body)}).then(async (r) => ({
    status: r.status,
    contentType: r.headers.get('content-type'),
    json: (await r.json()) as Record<string, any>,
  }))
}

let server: EcrTestServer
beforeAll(async () => {
  server = await startEcrServer({region: 'eu-west-1', password: 'pw-1'})
})
afterAll(() => server.close())

describe('startEcrServer', () => {
  test('GetAuthorizationToken answers base64("AWS:"+password), expiresAt and proxyEndpoint', async () => {
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const before = Math.floor(Date.now() / 1000)
    const res = await call(server, 'GetAuthorizationToken', {})
    expect(res.status).toBe(200)
    expect(res.contentType).toBe('application/x-amz-json-1.1')
    const [data] = res.json.authorizationData
    expect(Buffer.from(data.authorizationToken, 'base64').toString()).toBe('AWS:pw-1')
    expect(data.proxyEndpoint).toBe('https://123456789012.dkr.ecr.eu-west-1.amazonaws.com')
    expect(data.expiresAt).toBeGreaterThanOrEqual(before + 12 * 3600)
    expect(data.expiresAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 12 * 3600)
    const last = server.requests.at(-1)
    expect(last).toMatchObject({target: 'GetAuthorizationToken', signingRegion: 'eu-west-1', signingService: 'ecr', accessKeyId: 'AKIDTEST', status: 200})
  })

  test('registryIds, password and TTL changes', async () => {
    server.setPassword('pw-2')
    server.setTokenTtl(60)
    const res = await call(server, 'GetAuthorizationToken', {registryIds: ['123456789012']})
    const [data] = res.json.authorizationData
    expect(Buffer.from(data.authorizationToken, 'base64').toString()).toBe('AWS:pw-2')
    expect(data.expiresAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 60)
    expect((await call(server, 'GetAuthorizationToken', {registryIds: ['12']})).json.__type).toBe('InvalidParameterException')
    server.setPassword('pw-1')
    server.setTokenTtl(12 * 3600)
  })

  test('AccessDenied on demand', async () => {
    server.setAccessDenied(true)
    const res = await call(server, 'GetAuthorizationToken', {})
    server.setAccessDenied(false)
    expect(res.status).toBe(400)
    expect(res.json.__type).toBe('AccessDeniedException')
    expect(res.json.message).toMatch(/not authorized to perform: ecr:GetAuthorizationToken/)
    expect(server.requests.at(-1)).toMatchObject({status: 400, errorType: 'AccessDeniedException'})
  })

  test.each([
    [{auth: false}, 'MissingAuthenticationTokenException'],
    [{service: 'kms'}, 'InvalidSignatureException'],
    [{region: 'us-east-1'}, 'InvalidSignatureException'],
    [{prefix: 'TrentService.'}, 'UnknownOperationException'],
  ])('rejects %o with %s', async (init, type) => {
    const res = await call(server, 'GetAuthorizationToken', {}, init)
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.json.__type).toBe(type)
  })

  test('unknown operations and count()', async () => {
    expect((await call(server, 'DescribeRepositories', {})).json.__type).toBe('UnknownOperationException')
    expect(server.count('DescribeRepositories')).toBe(1)
    expect(server.count()).toBe(server.requests.length)
  })
})
