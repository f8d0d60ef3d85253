/**
 * ECR Public with the real @aws-sdk/client-ecr-public against a loopback ECR Public API whose
 * token unlocks a real htpasswd docker-registry standing in for public.ecr.aws (mapped with the
 * client's `endpoint`; the real host is never resolved or contacted).
 */
import {REGISTRY_SKIP_REASON, pushRandomImage, requireRegistry, startEcrServer, startRegistry} from '@sigil/test-servers'
import type {EcrTestServer, TestRegistry} from '@sigil/test-servers'
import {RegistryClient} from '@sigil/oci'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {ecrAdapter} from '../src/index.js'

const available = requireRegistry()
const HOST = 'public.ecr.aws'
const PASSWORD = 'ecr-public-password-not-to-print'

describe.skipIf(!available)(`ECR Public${available ? '' : ` (${REGISTRY_SKIP_REASON})`}`, () => {
  let registry: TestRegistry
  let api: EcrTestServer

  beforeAll(async () => {
    registry = await startRegistry({htpasswd: {username: 'AWS', password: PASSWORD}})
    api = await startEcrServer({public: true, password: PASSWORD})
  })
  afterAll(async () => {
    await api?.close()
    await registry?.stop()
  })

  const clientFor = (adapter = ecrAdapter({publicEndpoint: api.endpoint})) =>
    new RegistryClient({
      credentials: (host, repository) => adapter.credentials(host, repository),
      endpoint: (host) => {
        if (host !== HOST) throw new Error(`unexpected registry host ${host}`)
        return registry.url
      },
      retry: {attempts: 0},
    })

  test('GetAuthorizationToken from the ECR Public API (service ecr-public, us-east-1) unlocks pushes; one token per run', async () => {
    const before = api.count()
    const client = clientFor()
    const image = await pushRandomImage(client, {registry: HOST, repository: 'acme/app'}, 'v1')
    expect((await client.resolveDigest({registry: HOST, repository: 'acme/app'}, 'v1')).digest).toBe(image.digest)
    expect(api.count() - before).toBe(1)
    const last = api.requests.at(-1)!
    expect(last.target).toBe('GetAuthorizationToken')
    expect({service: last.signingService, region: last.signingRegion}).toEqual({service: 'ecr-public', region: 'us-east-1'})
  })

  test('without AWS credentials the adapter has no opinion (anonymous pulls, or a docker login, still work)', async () => {
    const saved = {id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY}
    delete process.env.AWS_ACCESS_KEY_ID
    delete process.env.AWS_SECRET_ACCESS_KEY
    try {
      await expect(ecrAdapter({publicEndpoint: api.endpoint}).credentials(HOST, 'acme/app')).resolves.toBeUndefined()
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.id
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret
    }
  })
})
