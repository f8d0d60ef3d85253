import {afterEach, describe, expect, test} from 'vitest'
import {startWireServer, type WireServer} from '../test/wire-server.js'
import {RegistryClient} from './registry-client.js'

const servers: WireServer[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close()
})
const DIGEST = `sha256:${'a'.repeat(64)}`
const INDEX = JSON.stringify({schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: []})
const client = () => new RegistryClient({credentials: async () => undefined, retry: {baseDelayMs: 1, maxDelayMs: 5}})

describe('getReferrers (OCI 1.1 referrers API)', () => {
  test('GETs /v2/<name>/referrers/<digest> with the artifactType filter; the answer and whether it was applied', async () => {
    const s = await startWireServer((_req, res) => {
      res.writeHead(200, {'content-type': 'application/vnd.oci.image.index.v1+json', 'oci-filters-applied': 'artifactType'}).end(INDEX)
    })
    servers.push(s)
    const answer = await client().getReferrers({registry: s.host, repository: 'team/app'}, DIGEST, {artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json'})
    expect(Buffer.from(answer!.bytes).toString('utf8')).toBe(INDEX)
    expect(answer!.filtered).toBe(true)
    expect(s.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET /v2/team/app/referrers/${DIGEST}?artifactType=application%2Fvnd.dev.sigstore.bundle.v0.3%2Bjson`,
    ])
    expect(s.requests[0]!.headers.accept).toBe('application/vnd.oci.image.index.v1+json')
  })

  test('a registry that did not filter says so (filtered false)', async () => {
    const s = await startWireServer((_req, res) => res.writeHead(200, {'content-type': 'application/vnd.oci.image.index.v1+json'}).end(INDEX))
    servers.push(s)
    expect((await client().getReferrers({registry: s.host, repository: 'team/app'}, DIGEST, {artifactType: 'x/y'}))!.filtered).toBe(false)
  })

  test('404: no referrers API (undefined), the caller falls back to the tag schema', async () => {
    const s = await startWireServer((_req, res) => res.writeHead(404).end('404 page not found'))
    servers.push(s)
    expect(await client().getReferrers({registry: s.host, repository: 'team/app'}, DIGEST)).toBeUndefined()
  })

  test('a registry fault is an error, never "no referrers"', async () => {
    const s = await startWireServer((_req, res) => res.writeHead(500).end('boom'))
    servers.push(s)
    await expect(client().getReferrers({registry: s.host, repository: 'team/app'}, DIGEST)).rejects.toMatchObject({code: 'REGISTRY_ERROR'})
  })

  test('an invalid digest is refused before any request', async () => {
    await expect(client().getReferrers({registry: '127.0.0.1:9', repository: 'team/app'}, 'sha256:xyz')).rejects.toMatchObject({code: 'INVALID_REFERENCE'})
  })

  test('putManifest reports the OCI-Subject header of a registry that indexed the subject', async () => {
    const s = await startWireServer((_req, res) => res.writeHead(201, {'oci-subject': DIGEST}).end())
    servers.push(s)
    const bytes = new TextEncoder().encode('{"schemaVersion":2}')
    const put = await client().putManifest({registry: s.host, repository: 'team/app'}, 'v1', bytes, 'application/vnd.oci.image.manifest.v1+json')
    expect(put.ociSubject).toBe(DIGEST)
  })
})
