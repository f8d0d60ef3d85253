/**
 * End to end, loopback only: the real `@aws-sdk/client-ecr` asks a loopback ECR API for a
 * login token; the token unlocks a real distribution registry (htpasswd user `AWS`) that a
 * RegistryClient reaches for the ECR host name through its `endpoint` mapping. The real ECR
 * host is never resolved or contacted (every request URL is checked).
 */
import {RegistryClient} from '@sigil/oci'
import type {RepositoryRef} from '@sigil/oci'
import {pushRandomImage, requireRegistry, startEcrServer, startFaultProxy, startRegistry, REGISTRY_SKIP_REASON} from '@sigil/test-servers'
import type {EcrTestServer, FaultProxy, TestRegistry} from '@sigil/test-servers'
import {SigilError} from '@sigil/core'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {ecrAdapter, explainEcrError} from '../src/index.js'

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
const PASSWORD = `ecr-${Math.random().toString(36).slice(2)}-password`
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const haveRegistry = requireRegistry()

describe.skipIf(!haveRegistry)(`ECR adapter end to end (${haveRegistry ? 'docker-registry' : REGISTRY_SKIP_REASON})`, () => {
  let registry: TestRegistry
  let ecr: EcrTestServer
  let proxy: FaultProxy
  beforeAll(async () => {
    registry = await startRegistry({htpasswd: {username: 'AWS', password: PASSWORD}})
    ecr = await startEcrServer({region: 'eu-west-1', password: PASSWORD, registryHost: HOST})
    proxy = await startFaultProxy(registry.host)
  })
  afterAll(async () => {
    await proxy?.close()
    await ecr?.close()
    await registry?.stop()
  })

  function clientFor(target: string, credentials = ecrAdapter({endpoint: ecr.endpoint})) {
    const urls: string[] = []
    const client = new RegistryClient({
      credentials: (host, repository) => credentials.credentials(host, repository),
      endpoint: (host) => {
        if (host !== HOST) throw new Error(`unexpected registry host ${host}`)
        return `http://${target}`
      },
      onRequest: (e) => urls.push(e.url),
      retry: {attempts: 0},
    })
    return {client, urls}
  }

  test('push and pull through the ECR host with the GetAuthorizationToken password; one token for the run', async () => {
    const before = ecr.count()
    const {client, urls} = clientFor(registry.host)
    const repo: RepositoryRef = {registry: HOST, repository: 'team/app'}
    const image = await pushRandomImage(client, repo, 'v1')
    const resolved = await client.resolveDigest(repo, 'v1')
    expect(resolved.digest).toBe(image.digest)
    const manifest = await client.getManifest(repo, image.digest)
    expect(Buffer.from(manifest.bytes).equals(Buffer.from(image.manifest))).toBe(true)
    const config = JSON.parse(Buffer.from(manifest.bytes).toString()).config as {digest: string}
    expect((await client.getBlob(repo, config.digest)).length).toBeGreaterThan(0)
    // a second repository in the same registry reuses the token
    await pushRandomImage(client, {registry: HOST, repository: 'team/other'}, 'v1')

    expect(ecr.count() - before).toBe(1)
    expect(ecr.requests.at(-1)).toMatchObject({signingRegion: 'eu-west-1', signingService: 'ecr', body: {registryIds: ['123456789012']}})
    expect(urls.length).toBeGreaterThan(5)
    for (const url of urls) expect(url.startsWith(`${registry.url}/`)).toBe(true)
  })

  test('without the adapter the registry refuses (the token really is what unlocks it)', async () => {
    const client = new RegistryClient({credentials: async () => undefined, endpoint: () => registry.url, retry: {attempts: 0}})
    const err = (await client.resolveDigest({registry: HOST, repository: 'team/app'}, 'v1').catch((e: unknown) => e)) as SigilError
    expect(err.code).toBe('REGISTRY_AUTH_FAILED')
  })

  test('AccessDenied from ECR surfaces as REGISTRY_AUTH_FAILED through the client, without secrets', async () => {
    ecr.setAccessDenied(true)
    try {
      const {client} = clientFor(registry.host)
      const err = (await client.resolveDigest({registry: HOST, repository: 'team/app'}, 'v1').catch((e: unknown) => e)) as SigilError
      expect(err.code).toBe('REGISTRY_AUTH_FAILED')
      expect(err.message).toMatch(/ecr:GetAuthorizationToken/)
      expect(err.message).not.toContain(PASSWORD)
      expect(err.message).not.toContain('sigil-test-secret-not-real')
    } finally {
      ecr.setAccessDenied(false)
    }
  })

  test('an expired token is renewed before use and the new one works', async () => {
    let clock = Date.now()
    const adapter = ecrAdapter({endpoint: ecr.endpoint}, {now: () => clock})
    const {client} = clientFor(registry.host, adapter)
    const repo: RepositoryRef = {registry: HOST, repository: 'team/refresh'}
    const before = ecr.count()
    await pushRandomImage(client, repo, 'v1')
    expect(ecr.count() - before).toBe(1)
    clock += 13 * 3600_000 // past expiresAt (12 h)
    // a fresh client (a new run's auth state) with the same adapter: the cached token is stale
    const second = clientFor(registry.host, adapter).client
    expect((await second.resolveDigest(repo, 'v1')).digest).toMatch(/^sha256:/)
    expect(ecr.count() - before).toBe(2)
  })

  test('immutable tags: the ECR refusal to re-PUT a .sig tag is explained with the fix', async () => {
    const {client} = clientFor(proxy.host)
    const repo: RepositoryRef = {registry: HOST, repository: 'team/immutable'}
    const image = await pushRandomImage(client, repo, 'v1')
    const sigTag = `${image.digest.replace(':', '-')}.sig`
    const body = JSON.stringify({
      errors: [
        {
          code: 'TAG_INVALID',
          message: `The image tag '${sigTag}' already exists in the 'team/immutable' repository and cannot be overwritten because the repository is immutable.`,
        },
      ],
    })
    proxy.setRule((method, path) =>
      method === 'PUT' && path === `/v2/team/immutable/manifests/${sigTag}` ? {kind: 'respond', status: 400, body} : {kind: 'pass'},
    )
    try {
      const err = await client.putManifest(repo, sigTag, image.manifest, OCI_MANIFEST).catch((e: unknown) => e)
      expect((err as SigilError).code).toBe('REGISTRY_ERROR')
      const explained = explainEcrError(err, {repository: `${HOST}/team/immutable`, tag: sigTag}) as SigilError
      expect(explained.code).toBe('REGISTRY_ERROR')
      expect(explained.cause).toBe(err)
      expect(explained.message).toContain(`ECR refused to overwrite tag ${sigTag} in ${HOST}/team/immutable: the repository has immutable tags`)
      expect(explained.message).toContain('COSIGN_REPOSITORY=')
      expect(explained.message).toContain('aws ecr put-image-tag-mutability --repository-name team/immutable --image-tag-mutability MUTABLE')
      // the same hook hangs off the adapter for the signing path
      expect((ecrAdapter().explainError(err) as SigilError).message).toMatch(/immutable tags/)
      // other tags still pass through the proxy untouched
      await expect(client.putManifest(repo, 'v2', image.manifest, OCI_MANIFEST)).resolves.toEqual({digest: image.digest})
      expect(proxy.requests).toContain(`PUT /v2/team/immutable/manifests/${sigTag}`)
    } finally {
      proxy.setRule(() => ({kind: 'pass'}))
    }
  })
})
