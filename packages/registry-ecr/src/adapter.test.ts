/**
 * The adapter against the real `@aws-sdk/client-ecr` and a loopback ECR API (no registry here;
 * see test/ecr.test.ts for pushes and pulls).
 */
import type {ECRClient, ECRClientConfig} from '@aws-sdk/client-ecr'
import {startEcrServer} from '@sigil/test-servers'
import type {EcrTestServer} from '@sigil/test-servers'
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest'
import {ECR_CAPABILITIES, ecrAdapter} from './adapter.js'
import {ECR_HOST_PATTERNS} from './hosts.js'

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
const PASSWORD = 'ecr-test-password-0123456789'

let server: EcrTestServer
beforeAll(async () => {
  server = await startEcrServer({region: 'eu-west-1', password: PASSWORD})
})
afterAll(() => server.close())

const savedEnv = {...process.env}
afterEach(() => {
  for (const k of ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_ECR', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
    const value = savedEnv[k]
    if (value === undefined) delete process.env[k]
    else process.env[k] = value
  }
  server.setAccessDenied(false)
  server.setTokenTtl(12 * 3600)
  server.setPassword(PASSWORD)
})

describe('ecrAdapter: contract members', () => {
  test('name, hosts, capabilities, matches', () => {
    const a = ecrAdapter()
    expect(a.name).toBe('ecr')
    expect(a.hosts).toBe(ECR_HOST_PATTERNS) // the list itself is pinned in hosts.test.ts
    expect(a.capabilities).toEqual({referrersApi: false, mutableTags: false, ociManifests: true})
    expect(a.capabilities).toBe(ECR_CAPABILITIES)
    expect(Object.isFrozen(ECR_CAPABILITIES)).toBe(true)
    expect([HOST, 'public.ecr.aws', '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', 'ghcr.io', 'docker.io', '127.0.0.1:5000'].map((h) => a.matches(h))).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ])
    expect(a.endpoint).toBeUndefined()
  })
})

describe('ecrAdapter.credentials (real SDK, loopback ECR API)', () => {
  test('GetAuthorizationToken signed for ecr in the host region, decoded to AWS:<password>', async () => {
    const before = server.count()
    const a = ecrAdapter({endpoint: server.endpoint})
    expect(await a.credentials(HOST, 'app')).toEqual({kind: 'basic', username: 'AWS', password: PASSWORD})
    expect(server.count()).toBe(before + 1)
    expect(server.requests.at(-1)).toMatchObject({
      target: 'GetAuthorizationToken',
      body: {registryIds: ['123456789012']},
      signingRegion: 'eu-west-1',
      signingService: 'ecr',
      accessKeyId: 'AKIDSIGILTEST0000000',
      status: 200,
    })
  })

  test('one token per registry for many calls, concurrent calls included', async () => {
    const before = server.count()
    const a = ecrAdapter({endpoint: server.endpoint})
    const all = await Promise.all([a.credentials(HOST, 'a'), a.credentials(HOST, 'b'), a.credentials(HOST.toUpperCase(), 'c')])
    for (let i = 0; i < 10; i++) all.push(await a.credentials(HOST, `r${i}`))
    expect(new Set(all.map((c) => JSON.stringify(c))).size).toBe(1)
    expect(server.count() - before).toBe(1)
  })

  test('a token is renewed once it is within the margin of expiresAt', async () => {
    let clock = Date.now()
    const a = ecrAdapter({endpoint: server.endpoint, refreshMarginMs: 60_000}, {now: () => clock})
    server.setTokenTtl(3600)
    const before = server.count()
    await a.credentials(HOST, 'app')
    clock += 3600_000 - 61_000 // still valid
    expect(await a.credentials(HOST, 'app')).toMatchObject({password: PASSWORD})
    expect(server.count() - before).toBe(1)
    server.setPassword('rotated-password')
    clock += 2_000 // inside the margin: renew
    expect(await a.credentials(HOST, 'app')).toEqual({kind: 'basic', username: 'AWS', password: 'rotated-password'})
    expect(server.count() - before).toBe(2)
  })

  test('an already-expired token (short TTL) is fetched again on every use', async () => {
    server.setTokenTtl(10) // below the default 5-minute margin
    const a = ecrAdapter({endpoint: server.endpoint})
    const before = server.count()
    await a.credentials(HOST, 'app')
    await a.credentials(HOST, 'app')
    expect(server.count() - before).toBe(2)
  })

  test('the SDK honours AWS_ENDPOINT_URL_ECR (no endpoint option)', async () => {
    process.env.AWS_ENDPOINT_URL_ECR = server.endpoint
    const before = server.count()
    expect(await ecrAdapter().credentials(HOST, 'app')).toMatchObject({username: 'AWS', password: PASSWORD})
    expect(server.count() - before).toBe(1)
  })

  test('the SDK honours AWS_ENDPOINT_URL when AWS_ENDPOINT_URL_ECR is unset', async () => {
    delete process.env.AWS_ENDPOINT_URL_ECR
    process.env.AWS_ENDPOINT_URL = server.endpoint
    const before = server.count()
    expect(await ecrAdapter().credentials(HOST, 'app')).toMatchObject({password: PASSWORD})
    expect(server.count() - before).toBe(1)
  })

  test('AccessDenied → REGISTRY_AUTH_FAILED naming the permission; not cached', async () => {
    server.setAccessDenied(true)
    const a = ecrAdapter({endpoint: server.endpoint})
    const err = (await a.credentials(HOST, 'app').catch((e: unknown) => e)) as {code: string; message: string; details: Record<string, unknown>}
    expect(err.code).toBe('REGISTRY_AUTH_FAILED')
    expect(err.message).toMatch(new RegExp(`^AWS denied an ECR login token for ${HOST.replaceAll('.', '\\.')} \\(AccessDeniedException: .*\\); the caller needs ecr:GetAuthorizationToken`))
    expect(err.details).toMatchObject({registry: HOST, region: 'eu-west-1', awsError: 'AccessDeniedException'})
    server.setAccessDenied(false)
    expect(await a.credentials(HOST, 'app')).toMatchObject({password: PASSWORD})
  })

  test('a dual-stack registry name logs in to the same registry: GetAuthorizationToken for its account and region', async () => {
    const before = server.count()
    const a = ecrAdapter({endpoint: server.endpoint})
    expect(await a.credentials('123456789012.dkr-ecr.eu-west-1.on.aws', 'app')).toEqual({kind: 'basic', username: 'AWS', password: PASSWORD})
    expect(server.count()).toBe(before + 1)
    expect(server.requests.at(-1)).toMatchObject({target: 'GetAuthorizationToken', body: {registryIds: ['123456789012']}, signingRegion: 'eu-west-1', status: 200})
  })

  test('region comes from the host: a registry in another region is signed for that region', async () => {
    const a = ecrAdapter({endpoint: server.endpoint})
    const err = (await a.credentials('123456789012.dkr.ecr.us-east-2.amazonaws.com', 'app').catch((e: unknown) => e)) as {code: string; message: string}
    expect(server.requests.at(-1)).toMatchObject({signingRegion: 'us-east-2', errorType: 'InvalidSignatureException'})
    expect(err.code).toBe('REGISTRY_AUTH_FAILED')
    expect(err.message).toMatch(/AWS rejected the credentials used to log in to ECR registry 123456789012\.dkr\.ecr\.us-east-2\.amazonaws\.com in us-east-2/)
  })

  test('no AWS credentials anywhere → no opinion (undefined), so the docker config is asked next', async () => {
    delete process.env.AWS_ACCESS_KEY_ID
    delete process.env.AWS_SECRET_ACCESS_KEY
    const before = server.count()
    await expect(ecrAdapter({endpoint: server.endpoint}).credentials(HOST, 'app')).resolves.toBeUndefined()
    expect(server.count()).toBe(before)
  })

  test('an unreachable ECR API → REGISTRY_UNREACHABLE', async () => {
    const err = (await ecrAdapter({endpoint: 'http://127.0.0.1:9', maxAttempts: 1}).credentials(HOST, 'app').catch((e: unknown) => e)) as {code: string; message: string}
    expect(err.code).toBe('REGISTRY_UNREACHABLE')
    expect(err.message).toMatch(/cannot reach the ECR API in eu-west-1/)
  })

  test('foreign hosts: no opinion (undefined), no API call (ECR Public has its own test file)', async () => {
    const before = server.count()
    const a = ecrAdapter({endpoint: server.endpoint})
    expect(await a.credentials('ghcr.io', 'x/y')).toBeUndefined()
    expect(await a.credentials('registry.example.com', 'x/y')).toBeUndefined()
    expect(server.count()).toBe(before)
  })
})

describe('ecrAdapter.credentials (injected client)', () => {
  function fakeClient(answer: unknown, configs: ECRClientConfig[]) {
    return (config: ECRClientConfig) => {
      configs.push(config)
      return {send: async () => answer} as unknown as ECRClient
    }
  }

  test('FIPS and China hosts: region and FIPS endpoint from the host', async () => {
    const configs: ECRClientConfig[] = []
    const token = Buffer.from('AWS:pw').toString('base64')
    const a = ecrAdapter({}, {createClient: fakeClient({authorizationData: [{authorizationToken: token, expiresAt: new Date(Date.now() + 3600_000)}]}, configs)})
    await a.credentials('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com', 'app')
    await a.credentials('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', 'app')
    expect(configs).toEqual([
      {region: 'us-gov-west-1', useFipsEndpoint: true, maxAttempts: 3},
      {region: 'cn-north-1', maxAttempts: 3},
    ])
  })

  test.each([
    ['no authorizationData', {}],
    ['empty token', {authorizationData: [{authorizationToken: ''}]}],
    ['no colon', {authorizationData: [{authorizationToken: Buffer.from('AWSsecret-value-xyz').toString('base64')}]}],
    ['empty password', {authorizationData: [{authorizationToken: Buffer.from('AWS:').toString('base64')}]}],
  ])('malformed answer (%s) → REGISTRY_AUTH_FAILED without echoing the token', async (_label, answer) => {
    const a = ecrAdapter({}, {createClient: fakeClient(answer, [])})
    const err = (await a.credentials(HOST, 'app').catch((e: unknown) => e)) as {code: string; message: string}
    expect(err.code).toBe('REGISTRY_AUTH_FAILED')
    expect(err.message).toMatch(/returned no usable authorization token/)
    expect(err.message).not.toMatch(/secret-value|QVdT/)
  })
})
