import {createHash} from 'node:crypto'
import {Readable} from 'node:stream'
import {afterEach, describe, expect, test, vi} from 'vitest'
import {startFakeRegistry, type FakeRegistry, type FakeRegistryOptions} from '../test/fake-registry.js'
import {registryErrorBody, sendJson, startSilentServer, startWireServer, type SilentServer, type WireServer} from '../test/wire-server.js'
import type {RequestEvent} from './http/index.js'
import {isDigest} from '@sigil/core'
import {RegistryClient, type RegistryClientOptions} from './registry-client.js'

const closers: {close(): Promise<void>}[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((r) => r.close()))
})
async function fake(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const r = await startFakeRegistry(options)
  closers.push(r)
  return r
}
async function serve(handler: Parameters<typeof startWireServer>[0]): Promise<WireServer> {
  const s = await startWireServer(handler)
  closers.push(s)
  return s
}
function client(events: RequestEvent[] = [], options: RegistryClientOptions = {}): RegistryClient {
  return new RegistryClient({credentials: async () => undefined, retry: {baseDelayMs: 1, maxDelayMs: 5}, onRequest: (e) => events.push(e), ...options})
}
/** A registry wanting basic auth (u/p) that redirects every authorized blob request to `storage`. */
function redirectingBlobsTo(storage: WireServer): Promise<FakeRegistry> {
  return fake({
    auth: {kind: 'basic', username: 'u', password: 'p'},
    override: (req, res) => {
      if (req.url.includes('/blobs/sha256:') && req.headers.authorization !== undefined) {
        res.writeHead(307, {location: `${storage.url}/bucket/blob?sig=xyz`}).end()
        return true
      }
      return false
    },
  })
}
const bytesOf = (s: string): Uint8Array => new TextEncoder().encode(s)
const digestOf = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`
const OCI = 'application/vnd.oci.image.manifest.v1+json'
const MANIFEST = bytesOf(`{"schemaVersion":2,"mediaType":"${OCI}","config":{},"layers":[]}`)

describe('manifests', () => {
  test('put, resolve (HEAD), get: digest is sha256 of the bytes; Content-Type = media type', async () => {
    const r = await fake()
    const events: RequestEvent[] = []
    const c = client(events)
    const repo = {registry: r.host, repository: 'team/app'}
    const {digest} = await c.putManifest(repo, 'v1', MANIFEST, OCI)
    expect(digest).toBe(digestOf(MANIFEST))
    expect(r.registryRequests()[0]!.headers['content-type']).toBe(OCI)
    expect(await c.resolveDigest(repo, 'v1')).toEqual({digest, mediaType: OCI, size: MANIFEST.length})
    const m = await c.getManifest(repo, 'v1')
    expect(m).toEqual({bytes: MANIFEST, digest, mediaType: OCI})
    expect(await c.getManifest(repo, digest)).toEqual({bytes: MANIFEST, digest, mediaType: OCI})
    const accept = r.registryRequests()[1]!.headers.accept
    expect(accept).toContain('application/vnd.oci.image.manifest.v1+json')
    expect(accept).toContain('application/vnd.docker.distribution.manifest.v2+json')
    expect(accept).toContain('application/vnd.oci.image.index.v1+json')
    expect(accept).toContain('application/vnd.docker.distribution.manifest.list.v2+json')
    expect(events.map((e) => e.method)).toEqual(['PUT', 'HEAD', 'GET', 'GET'])
  })

  test('resolveDigest falls back to a verified GET without Docker-Content-Digest', async () => {
    const s = await serve((req, res) => {
      res.writeHead(200, {'content-type': OCI, 'content-length': String(MANIFEST.length)})
      res.end(req.method === 'HEAD' ? undefined : MANIFEST)
    })
    const d = await client().resolveDigest({registry: s.host, repository: 'a'}, 'v1')
    expect(d).toEqual({digest: digestOf(MANIFEST), mediaType: OCI, size: MANIFEST.length})
    expect(s.requests.map((q) => q.method)).toEqual(['HEAD', 'GET'])
  })

  test('missing: getManifest → MANIFEST_UNKNOWN, getManifestIfExists → undefined, resolveDigest → MANIFEST_UNKNOWN', async () => {
    const r = await fake()
    const c = client()
    const repo = {registry: r.host, repository: 'team/app'}
    const err = await c.getManifest(repo, 'nope').catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'MANIFEST_UNKNOWN'})
    expect((err as Error).message).toContain(`manifest ${r.host}/team/app:nope not found`)
    expect((err as Error).message).toContain('MANIFEST_UNKNOWN: manifest unknown')
    expect(await c.getManifestIfExists(repo, 'nope')).toBeUndefined()
    await expect(c.resolveDigest(repo, 'nope')).rejects.toMatchObject({code: 'MANIFEST_UNKNOWN'})
  })

  test('getManifestIfExists still throws on other errors', async () => {
    const s = await serve((_req, res) => sendJson(res, 400, registryErrorBody('NAME_INVALID', 'invalid repository name')))
    await expect(client().getManifestIfExists({registry: s.host, repository: 'a'}, 'v1')).rejects.toMatchObject({
      code: 'REGISTRY_ERROR',
      message: expect.stringContaining('NAME_INVALID: invalid repository name') as unknown,
    })
  })

  test('Docker-Content-Digest that does not match the bytes → DIGEST_MISMATCH', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, {'content-type': OCI, 'docker-content-digest': digestOf(bytesOf('other'))})
      res.end(MANIFEST)
    })
    await expect(client().getManifest({registry: s.host, repository: 'a'}, 'v1')).rejects.toMatchObject({code: 'DIGEST_MISMATCH'})
  })

  test('bytes that do not match the requested digest → DIGEST_MISMATCH', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, {'content-type': OCI}) // no header: the reference itself is the expectation
      res.end(MANIFEST)
    })
    const wanted = digestOf(bytesOf('something else'))
    const err = await client().getManifest({registry: s.host, repository: 'a'}, wanted).catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'DIGEST_MISMATCH', details: {expected: wanted, actual: digestOf(MANIFEST)}})
  })

  test('manifest over maxManifestBytes → RESPONSE_TOO_LARGE (Content-Length and chunked)', async () => {
    const big = Buffer.alloc(2000, 32)
    const s = await serve((req, res) => {
      if (req.url.endsWith('/cl')) res.writeHead(200, {'content-type': OCI, 'content-length': String(big.length)}).end(big)
      else {
        res.writeHead(200, {'content-type': OCI})
        res.write(big.subarray(0, 1000))
        res.end(big.subarray(1000))
      }
    })
    const c = client([], {maxManifestBytes: 1024})
    await expect(c.getManifest({registry: s.host, repository: 'a'}, 'cl')).rejects.toMatchObject({code: 'RESPONSE_TOO_LARGE'})
    await expect(c.getManifest({registry: s.host, repository: 'a'}, 'chunked')).rejects.toMatchObject({code: 'RESPONSE_TOO_LARGE'})
  })

  test('media type from the body when Content-Type is generic', async () => {
    const s = await serve((_req, res) => res.writeHead(200, {'content-type': 'application/json; charset=utf-8'}).end(MANIFEST))
    expect((await client().getManifest({registry: s.host, repository: 'a'}, 'v1')).mediaType).toBe(OCI)
  })

  test('putManifest by digest checks the bytes first; a disagreeing registry digest → DIGEST_MISMATCH', async () => {
    const events: RequestEvent[] = []
    const s = await serve((_req, res) => res.writeHead(201, {'docker-content-digest': digestOf(bytesOf('x'))}).end())
    const c = client(events)
    await expect(c.putManifest({registry: s.host, repository: 'a'}, digestOf(bytesOf('x')), MANIFEST, OCI)).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    })
    expect(events).toHaveLength(0)
    await expect(c.putManifest({registry: s.host, repository: 'a'}, 'v1', MANIFEST, OCI)).rejects.toMatchObject({code: 'DIGEST_MISMATCH'})
  })

  test('deleteManifest removes; deleting again → MANIFEST_UNKNOWN', async () => {
    const r = await fake()
    const c = client()
    const repo = {registry: r.host, repository: 'team/app'}
    const {digest} = await c.putManifest(repo, 'v1', MANIFEST, OCI)
    await c.deleteManifest(repo, digest)
    expect(await c.getManifestIfExists(repo, digest)).toBeUndefined()
    await expect(c.deleteManifest(repo, digest)).rejects.toMatchObject({code: 'MANIFEST_UNKNOWN'})
  })

  test('invalid names never reach the wire → INVALID_REFERENCE', async () => {
    const events: RequestEvent[] = []
    const c = client(events)
    await expect(c.getManifest({registry: '127.0.0.1:1', repository: 'Upper/Case'}, 'v1')).rejects.toMatchObject({code: 'INVALID_REFERENCE'})
    await expect(c.getManifest({registry: '127.0.0.1:1', repository: 'a/../b'}, 'v1')).rejects.toMatchObject({code: 'INVALID_REFERENCE'})
    await expect(c.getManifest({registry: '127.0.0.1:1', repository: 'a'}, 'bad/tag')).rejects.toMatchObject({code: 'INVALID_REFERENCE'})
    await expect(c.getManifest({registry: 'user@127.0.0.1:1', repository: 'a'}, 'v1')).rejects.toMatchObject({code: 'INVALID_REFERENCE'})
    await expect(c.getBlob({registry: '127.0.0.1:1', repository: 'a'}, 'latest')).rejects.toMatchObject({code: 'INVALID_REFERENCE'})
    expect(events).toHaveLength(0)
  })

  test('digests follow core\'s isDigest: one the client could not verify never reaches the wire', async () => {
    const events: RequestEvent[] = []
    const c = client(events)
    const repo = {registry: '127.0.0.1:1', repository: 'a'}
    for (const digest of [`sha256:${'A'.repeat(64)}`, 'sha256:abc', `md5:${'0'.repeat(32)}`, `sha256+b64:${'a'.repeat(43)}=`]) {
      expect(isDigest(digest)).toBe(false)
      await expect(c.blobExists(repo, digest)).rejects.toMatchObject({code: 'INVALID_REFERENCE'})
      await expect(c.deleteManifest(repo, digest)).rejects.toMatchObject({code: 'INVALID_REFERENCE'})
    }
    expect(events).toHaveLength(0)
  })
})

describe('blobs', () => {
  test('uploadBlob = POST + PUT <Location>&digest= (relative Location with a query), then getBlob/blobExists', async () => {
    const r = await fake()
    const events: RequestEvent[] = []
    const c = client(events)
    const repo = {registry: r.host, repository: 'team/app'}
    const blob = bytesOf('hello blob')
    const digest = digestOf(blob)
    await c.uploadBlob(repo, digest, blob)
    expect(events.map((e) => [e.method, e.status])).toEqual([
      ['POST', 202],
      ['PUT', 201],
    ])
    const put = r.registryRequests()[1]!
    expect(put.url).toMatch(new RegExp(`^/v2/team/app/blobs/uploads/[0-9a-f-]+\\?_state=a%2Bb%3D&digest=sha256%3A${digest.slice(7)}$`))
    expect(put.headers['content-type']).toBe('application/octet-stream')
    expect(Buffer.from(put.body).equals(Buffer.from(blob))).toBe(true)
    expect(await c.blobExists(repo, digest)).toBe(true)
    expect(await c.blobExists(repo, digestOf(bytesOf('nope')))).toBe(false)
    expect(await c.getBlob(repo, digest)).toEqual(blob)
  })

  test('mountBlob: POST ?mount=&from= answered 201 → true, with nothing uploaded', async () => {
    const s = await serve((req, res) => {
      res.writeHead(req.method === 'POST' && req.url!.includes('mount=') ? 201 : 500).end()
    })
    const digest = digestOf(bytesOf('layer'))
    expect(await client().mountBlob({registry: s.host, repository: 'dst/app'}, digest, {registry: s.host, repository: 'src/app'})).toBe(true)
    expect(s.requests.map((q) => `${q.method} ${q.url}`)).toEqual([`POST /v2/dst/app/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=src%2Fapp`])
  })

  test('mountBlob: a 202 (the registry opened an upload instead) → false and the session is cancelled; errors are errors', async () => {
    const s = await serve((req, res) => {
      if (req.method === 'POST' && req.url!.startsWith('/v2/dst/')) res.writeHead(202, {location: '/v2/dst/app/blobs/uploads/abc?_state=x'}).end()
      else if (req.method === 'DELETE') res.writeHead(204).end()
      else sendJson(res, 403, registryErrorBody('DENIED', 'requested access to the resource is denied'))
    })
    const digest = digestOf(bytesOf('layer'))
    expect(await client().mountBlob({registry: s.host, repository: 'dst/app'}, digest, {registry: s.host, repository: 'src/app'})).toBe(false)
    expect(s.requests.map((q) => q.method)).toEqual(['POST', 'DELETE'])
    expect(s.requests[1]!.url).toBe('/v2/dst/app/blobs/uploads/abc?_state=x')
    await expect(client().mountBlob({registry: s.host, repository: 'other/app'}, digest, {registry: s.host, repository: 'src/app'})).rejects.toMatchObject({code: 'REGISTRY_DENIED'})
    await expect(client().mountBlob({registry: s.host, repository: 'dst/app'}, digest, {registry: 'elsewhere.example', repository: 'src/app'})).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
  })

  test('absolute Location without a query gets ?digest=', async () => {
    const s = await serve((req, res) => {
      if (req.method === 'POST') res.writeHead(202, {location: `http://${req.headers.host}/upload/123`}).end()
      else res.writeHead(201).end()
    })
    const blob = bytesOf('x')
    await client().uploadBlob({registry: s.host, repository: 'a'}, digestOf(blob), blob)
    expect(s.requests.map((q) => `${q.method} ${q.url}`)).toEqual([
      'POST /v2/a/blobs/uploads/',
      `PUT /upload/123?digest=${encodeURIComponent(digestOf(blob))}`,
    ])
  })

  test('upload without Location → REGISTRY_PROTOCOL; bytes not matching the digest are never sent', async () => {
    const events: RequestEvent[] = []
    const s = await serve((_req, res) => res.writeHead(202).end())
    const c = client(events)
    const blob = bytesOf('x')
    await expect(c.uploadBlob({registry: s.host, repository: 'a'}, digestOf(blob), blob)).rejects.toMatchObject({code: 'REGISTRY_PROTOCOL'})
    events.length = 0
    await expect(c.uploadBlob({registry: s.host, repository: 'a'}, digestOf(bytesOf('y')), blob)).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    })
    expect(events).toHaveLength(0)
  })

  test('blob whose bytes do not match → DIGEST_MISMATCH', async () => {
    const s = await serve((_req, res) => res.writeHead(200).end('tampered'))
    await expect(client().getBlob({registry: s.host, repository: 'a'}, digestOf(bytesOf('original')))).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    })
  })

  test('missing blob → BLOB_UNKNOWN', async () => {
    const r = await fake()
    await expect(client().getBlob({registry: r.host, repository: 'a'}, digestOf(bytesOf('x')))).rejects.toMatchObject({
      code: 'BLOB_UNKNOWN',
    })
  })

  test('blob over maxBytes → RESPONSE_TOO_LARGE (Content-Length, and chunked stream)', async () => {
    const big = Buffer.alloc(5000, 1)
    const s = await serve((req, res) => {
      if (req.url.includes('aaaa')) res.writeHead(200, {'content-length': String(big.length)}).end(big)
      else {
        res.writeHead(200)
        for (let i = 0; i < 5; i++) res.write(big.subarray(i * 1000, (i + 1) * 1000))
        res.end()
      }
    })
    const c = client([], {maxBlobBytes: 4096})
    await expect(c.getBlob({registry: s.host, repository: 'a'}, `sha256:${'a'.repeat(64)}`)).rejects.toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
      message: expect.stringContaining('Content-Length 5000') as unknown,
    })
    await expect(c.getBlob({registry: s.host, repository: 'a'}, `sha256:${'b'.repeat(64)}`)).rejects.toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
      message: expect.stringContaining('more than 4096 bytes') as unknown,
    })
    await expect(c.getBlob({registry: s.host, repository: 'a'}, `sha256:${'b'.repeat(64)}`, {maxBytes: 100})).rejects.toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
    })
  })

  test('a blob redirected to another host:port is fetched without Authorization', async () => {
    const blob = bytesOf('stored elsewhere')
    const storage = await serve((_req, res) => res.writeHead(200).end(blob))
    const r = await redirectingBlobsTo(storage)
    const c = new RegistryClient({credentials: async () => ({kind: 'basic', username: 'u', password: 'p'})})
    expect(await c.getBlob({registry: r.host, repository: 'a'}, digestOf(blob))).toEqual(blob)
    expect(r.registryRequests().at(-1)!.headers.authorization).toBeDefined()
    expect(storage.requests).toHaveLength(1)
    expect(storage.requests[0]!.headers.authorization).toBeUndefined()
  })
})

describe('streamed blobs', () => {
  const readAll = async (stream: NodeJS.ReadableStream): Promise<Buffer> => {
    const chunks: Buffer[] = []
    for await (const c of stream) chunks.push(c as Buffer)
    return Buffer.concat(chunks)
  }

  test('uploadBlobStream = POST + one streaming PUT with Content-Length; getBlobStream reads it back verified, counting bytes', async () => {
    const r = await fake()
    const events: RequestEvent[] = []
    const c = client(events)
    const repo = {registry: r.host, repository: 'team/app'}
    const blob = Buffer.alloc(3 * 1024 * 1024 + 17, 9)
    const digest = digestOf(blob)
    let opened = 0
    let sent = 0
    await c.uploadBlobStream(repo, digest, blob.length, async () => {
      opened++
      return Readable.from([blob.subarray(0, 1000), blob.subarray(1000)])
    }, {onBytes: (n) => (sent += n)})
    expect(events.map((e) => [e.method, e.status])).toEqual([
      ['POST', 202],
      ['PUT', 201],
    ])
    expect(opened).toBe(1)
    expect(sent).toBe(blob.length)
    const put = r.registryRequests()[1]!
    expect(put.headers['content-length']).toBe(String(blob.length))
    expect(Buffer.from(put.body).equals(blob)).toBe(true)
    let received = 0
    const back = await readAll(await c.getBlobStream(repo, digest, {size: blob.length, onBytes: (n) => (received += n)}))
    expect(back.equals(blob)).toBe(true)
    expect(received).toBe(blob.length)
  })

  test('wrong bytes: the stream fails with DIGEST_MISMATCH before its last chunk is passed on; too many → RESPONSE_TOO_LARGE', async () => {
    const blob = Buffer.alloc(200_000, 1)
    const s = await serve((req, res) => {
      res.writeHead(200)
      res.write(blob.subarray(0, 100_000))
      res.end(req.url.includes('cccc') ? Buffer.concat([blob.subarray(100_000), Buffer.from('x')]) : Buffer.alloc(100_000, 2))
    })
    const c = client()
    const digest = digestOf(blob)
    const stream = await c.getBlobStream({registry: s.host, repository: 'a'}, digest, {size: blob.length})
    let passed = 0
    const err = await (async () => {
      for await (const chunk of stream) passed += (chunk as Buffer).length
    })().catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'DIGEST_MISMATCH', message: expect.stringContaining(`blob ${s.host}/a@${digest}: the registry sent content with digest sha256:`) as unknown})
    expect(passed).toBeLessThan(blob.length)
    const long = await c.getBlobStream({registry: s.host, repository: 'a'}, `sha256:${'c'.repeat(64)}`, {size: blob.length})
    await expect(readAll(long)).rejects.toMatchObject({code: 'RESPONSE_TOO_LARGE'})
  })

  test('a Content-Length over the descriptor size is refused before reading; a missing blob → BLOB_UNKNOWN', async () => {
    const s = await serve((req, res) => {
      if (req.url.includes('dddd')) res.writeHead(404, {'content-type': 'application/json'}).end(JSON.stringify(registryErrorBody('BLOB_UNKNOWN', 'blob unknown')))
      else res.writeHead(200, {'content-length': '5000'}).end(Buffer.alloc(5000))
    })
    const c = client()
    await expect(c.getBlobStream({registry: s.host, repository: 'a'}, `sha256:${'a'.repeat(64)}`, {size: 100})).rejects.toMatchObject({code: 'RESPONSE_TOO_LARGE', message: expect.stringContaining('Content-Length 5000') as unknown})
    await expect(c.getBlobStream({registry: s.host, repository: 'a'}, `sha256:${'d'.repeat(64)}`, {size: 100})).rejects.toMatchObject({code: 'BLOB_UNKNOWN'})
  })

  test('a body that stalls: the idle timeout errors the stream with REGISTRY_UNREACHABLE', {timeout: 10_000}, async () => {
    const s = await serve(async (_req, res) => {
      res.writeHead(200, {'content-length': '1000'})
      res.write(Buffer.alloc(10))
      await sleepMs(3000)
      res.destroy()
    })
    const c = client([], {timeoutMs: 300})
    const started = Date.now()
    const stream = await c.getBlobStream({registry: s.host, repository: 'a'}, `sha256:${'a'.repeat(64)}`, {size: 1000})
    await expect(readAll(stream)).rejects.toMatchObject({code: 'REGISTRY_UNREACHABLE'})
    expect(elapsedSince(started)).toBeLessThan(2000)
  })

  test('redirected to another host:port: streamed from there without Authorization', async () => {
    const blob = bytesOf('streamed from storage')
    const storage = await serve((_req, res) => res.writeHead(200).end(blob))
    const r = await redirectingBlobsTo(storage)
    const c = new RegistryClient({credentials: async () => ({kind: 'basic', username: 'u', password: 'p'})})
    const back = await readAll(await c.getBlobStream({registry: r.host, repository: 'a'}, digestOf(blob), {size: blob.length}))
    expect(new Uint8Array(back)).toEqual(blob)
    expect(r.registryRequests().at(-1)!.headers.authorization).toBeDefined()
    expect(storage.requests).toHaveLength(1)
    expect(storage.requests[0]!.headers.authorization).toBeUndefined()
  })

  test('a source that fails mid-upload ends the PUT with its error (no retry, nothing committed)', async () => {
    const r = await fake()
    const c = client()
    const repo = {registry: r.host, repository: 'team/app'}
    const blob = Buffer.alloc(300_000, 4)
    const digest = digestOf(blob)
    const failing = async () =>
      new Readable({
        read() {
          this.push(blob.subarray(0, 100_000))
          this.destroy(Object.assign(new Error('source broke'), {code: 'SOURCE'}))
        },
      })
    await expect(c.uploadBlobStream(repo, digest, blob.length, failing)).rejects.toThrow(/source broke/)
    expect(await c.blobExists(repo, digest)).toBe(false)
  })
})

describe('uploads whose session the registry forgot', () => {
  test('404 BLOB_UPLOAD_UNKNOWN on the PUT starts a new session (POST again), not a retry of the dead one', async () => {
    const blob = bytesOf('a blob')
    let sessions = 0
    const s = await serve((req, res) => {
      if (req.method === 'POST') {
        sessions++
        res.writeHead(202, {location: `/v2/a/blobs/uploads/session-${sessions}`}).end()
      } else if (req.method === 'PUT' && req.url.startsWith('/v2/a/blobs/uploads/session-1')) {
        sendJson(res, 404, {errors: [{code: 'BLOB_UPLOAD_UNKNOWN', message: 'blob upload unknown to registry'}]})
      } else {
        res.writeHead(201, {'docker-content-digest': digestOf(blob)}).end()
      }
    })
    await client().uploadBlob({registry: s.host, repository: 'a'}, digestOf(blob), blob)
    expect(s.requests.map((r) => `${r.method} ${r.url.replace(/\?.*/, '')}`)).toEqual([
      'POST /v2/a/blobs/uploads/',
      'PUT /v2/a/blobs/uploads/session-1',
      'POST /v2/a/blobs/uploads/',
      'PUT /v2/a/blobs/uploads/session-2',
    ])
  })

  test('a registry that forgets every session: the error after three sessions, bounded', async () => {
    const blob = bytesOf('a blob')
    const s = await serve((req, res) => {
      if (req.method === 'POST') res.writeHead(202, {location: '/v2/a/blobs/uploads/x'}).end()
      else sendJson(res, 404, {errors: [{code: 'BLOB_UPLOAD_UNKNOWN', message: 'blob upload unknown to registry'}]})
    })
    await expect(client().uploadBlob({registry: s.host, repository: 'a'}, digestOf(blob), blob)).rejects.toMatchObject({message: expect.stringContaining('BLOB_UPLOAD_UNKNOWN')})
    expect(s.requests.filter((r) => r.method === 'POST')).toHaveLength(3)
  })
})

describe('a redirect to another host that asks for credentials', () => {
  test('says what happened (no credentials forwarded), not that the password was wrong', async () => {
    const blob = bytesOf('stored elsewhere')
    const storage = await serve((_req, res) => res.writeHead(401, {'www-authenticate': 'Basic realm="storage"'}).end('{}'))
    const r = await fake({
      auth: {kind: 'basic', username: 'u', password: 'p'},
      override: (req, res) => {
        if (req.url.includes('/blobs/sha256:') && req.headers.authorization !== undefined) {
          res.writeHead(307, {location: `${storage.url}/bucket/blob`}).end()
          return true
        }
        return false
      },
    })
    const c = new RegistryClient({credentials: async () => ({kind: 'basic', username: 'u', password: 'p'})})
    const err = (await c.getBlob({registry: r.host, repository: 'a'}, digestOf(blob)).catch((e: unknown) => e)) as Error
    expect(err).toMatchObject({code: 'REGISTRY_AUTH_FAILED'})
    expect(err.message).toContain(`${r.host} redirected the request for blob ${r.host}/a@${digestOf(blob)} to ${storage.host}, which asked for credentials`)
    expect(err.message).not.toContain('username or password')
    expect(storage.requests.every((q) => q.headers.authorization === undefined)).toBe(true)
  })
})

describe('error mapping', () => {
  test('garbage error bodies → REGISTRY_ERROR with status and a sanitized snippet', async () => {
    const s = await serve((req, res) => {
      if (req.url.includes('html')) res.writeHead(502, 'Bad Gateway').end('<html>\u001b[31mproxy\nerror</html>')
      else res.writeHead(400, {'content-type': 'application/json'}).end('{"errors": [')
    })
    const c = client()
    const e1 = await c.getManifest({registry: s.host, repository: 'a'}, 'html').catch((e: unknown) => e)
    expect(e1).toMatchObject({code: 'REGISTRY_ERROR', details: {status: 502}})
    expect((e1 as Error).message).toContain('502 Bad Gateway after 4 attempts: unparsable error body: "<html> [31mproxy error</html>"')
    const e2 = await c.getManifest({registry: s.host, repository: 'a'}, 'json').catch((e: unknown) => e)
    expect(e2).toMatchObject({code: 'REGISTRY_ERROR', details: {status: 400}})
    expect((e2 as Error).message).toContain('unparsable error body: "{"errors": ["')
  })

  test('registry errors[] are in the message and details', async () => {
    const s = await serve((_req, res) =>
      sendJson(res, 400, {errors: [{code: 'MANIFEST_INVALID', message: 'manifest invalid', detail: {}}, {code: 'SIZE_INVALID', message: 'x'}]}),
    )
    const err = await client().putManifest({registry: s.host, repository: 'a'}, 'v1', MANIFEST, OCI).catch((e: unknown) => e)
    expect(err).toMatchObject({
      code: 'REGISTRY_ERROR',
      details: {registryErrors: [{code: 'MANIFEST_INVALID', message: 'manifest invalid'}, {code: 'SIZE_INVALID', message: 'x'}]},
    })
    expect((err as Error).message).toContain('MANIFEST_INVALID: manifest invalid; SIZE_INVALID: x')
  })

  test('403 and DENIED → REGISTRY_DENIED', async () => {
    const s = await serve((req, res) =>
      req.url.includes('forbidden')
        ? res.writeHead(403).end()
        : sendJson(res, 400, registryErrorBody('DENIED', 'requested access to the resource is denied')),
    )
    const c = client()
    await expect(c.getManifest({registry: s.host, repository: 'a'}, 'forbidden')).rejects.toMatchObject({code: 'REGISTRY_DENIED'})
    await expect(c.getManifest({registry: s.host, repository: 'a'}, 'denied')).rejects.toMatchObject({code: 'REGISTRY_DENIED'})
  })

  test('503 then success is invisible to the caller', async () => {
    let n = 0
    const r = await fake({
      override: (_req, res) => {
        if (n++ > 0) return false
        res.writeHead(503).end()
        return true
      },
    })
    const events: RequestEvent[] = []
    const c = client(events)
    expect(await c.getManifestIfExists({registry: r.host, repository: 'a'}, 'v1')).toBeUndefined()
    expect(events.map((e) => [e.status, e.attempt])).toEqual([
      [503, 1],
      [404, 2],
    ])
  })

  test('plain HTTP to a non-loopback endpoint is refused without connecting', async () => {
    const events: RequestEvent[] = []
    const c = client(events, {endpoint: () => 'http://registry.example.com'})
    const err = await c.getManifest({registry: 'registry.example.com', repository: 'a'}, 'v1').catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'INSECURE_REGISTRY'})
    expect((err as Error).message).toContain('--allow-insecure-registry')
    expect(events).toHaveLength(0)
  })
})

describe('listTags', () => {
  test('follows Link pagination', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/v2/a/tags/list') sendJson(res, 200, {name: 'a', tags: ['v1', 'v2']}, {link: '</v2/a/tags/list?last=v2&n=2>; rel="next"'})
      else sendJson(res, 200, {name: 'a', tags: ['v3']})
    })
    expect(await client().listTags({registry: s.host, repository: 'a'})).toEqual(['v1', 'v2', 'v3'])
  })
})

async function silent(): Promise<SilentServer> {
  const s = await startSilentServer()
  closers.push(s)
  return s
}

const elapsedSince = (started: number): number => Date.now() - started
const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

// A client without deadlines waits minutes, or for ever, in each of these: the test timeout
// is what fails it.
describe('bounded waits', () => {
  test('a registry that accepts and never answers: the call ends at its deadline, naming the host and what', {timeout: 10_000}, async () => {
    const s = await silent()
    const events: RequestEvent[] = []
    const started = Date.now()
    const err = await client(events, {operationTimeoutMs: 1500})
      .getManifest({registry: s.host, repository: 'team/app'}, 'v1')
      .catch((e: unknown) => e)
    expect(elapsedSince(started)).toBeGreaterThanOrEqual(1400)
    expect(elapsedSince(started)).toBeLessThan(2500)
    expect(err).toMatchObject({code: 'REGISTRY_UNREACHABLE', details: {host: s.host, timeout: true, timeoutMs: 1500, stage: 'headers'}})
    expect((err as Error).message).toBe(`registry ${s.host} did not answer the request for the manifest of team/app:v1 within 1.5s`)
    expect(events.map((e) => e.error)).toEqual(['TIMEOUT'])
  })

  test('a body sent at a trickle: the client deadline (--timeout) bounds headers and body together', {timeout: 10_000}, async () => {
    const s = await serve(async (_req, res) => {
      res.writeHead(200, {'content-type': OCI, 'content-length': '1000'})
      for (let i = 0; i < 1000 && !res.destroyed; i++) {
        res.write('{')
        await sleepMs(100)
      }
      res.end()
    })
    const c = client([], {totalTimeoutMs: 2000})
    const started = Date.now()
    const err = await c.getManifest({registry: s.host, repository: 'team/app'}, 'v1').catch((e: unknown) => e)
    expect(elapsedSince(started)).toBeLessThan(3000)
    expect(err).toMatchObject({code: 'REGISTRY_UNREACHABLE', details: {timeout: true, stage: 'body'}})
    expect((err as Error).message).toBe(`registry ${s.host} did not finish sending the manifest of team/app:v1 within 2s`)
    // The client's deadline is spent: a later call fails at once, without a request.
    const before = s.requests.length
    await expect(c.getBlob({registry: s.host, repository: 'team/app'}, digestOf(MANIFEST))).rejects.toMatchObject({details: {timeout: true}})
    expect(s.requests.length).toBe(before)
  })

  test('each response has its own cap: a trickle is cut and retried, and the retries share the call deadline', {timeout: 10_000}, async () => {
    const s = await serve(async (_req, res) => {
      res.writeHead(200, {'content-length': '1000'})
      for (let i = 0; i < 1000 && !res.destroyed; i++) {
        res.write('x')
        await sleepMs(50)
      }
      res.end()
    })
    const started = Date.now()
    const err = await client([], {responseTimeoutMs: 600, operationTimeoutMs: 1600})
      .getBlob({registry: s.host, repository: 'team/app'}, digestOf(MANIFEST))
      .catch((e: unknown) => e)
    expect(elapsedSince(started)).toBeLessThan(2500)
    expect(s.requests.length).toBeGreaterThanOrEqual(2)
    expect(err).toMatchObject({code: 'REGISTRY_UNREACHABLE', details: {timeout: true, stage: 'body', timeoutMs: 1600}})
    expect((err as Error).message).toMatch(
      new RegExp(`^registry ${s.host} did not finish sending the blob team/app@sha256:[0-9a-f]{64} within 1\\.6s \\([23] attempts\\)$`),
    )
  })

  test('slow 500s: no retry starts after the deadline', {timeout: 10_000}, async () => {
    const s = await serve(async (_req, res) => {
      await sleepMs(700)
      if (!res.destroyed) sendJson(res, 500, registryErrorBody('UNKNOWN', 'try again'))
    })
    const started = Date.now()
    const err = await client([], {operationTimeoutMs: 1500}).getManifest({registry: s.host, repository: 'team/app'}, 'v1').catch((e: unknown) => e)
    expect(elapsedSince(started)).toBeLessThan(2200)
    expect(s.requests.length).toBeLessThanOrEqual(3)
    expect(err).toMatchObject({code: 'REGISTRY_UNREACHABLE', details: {timeout: true, stage: 'headers'}})
    expect((err as Error).message).toMatch(/did not answer the request for the manifest of team\/app:v1 within 1\.5s \(3 attempts\)$/)
  })

  test('a wait the deadline cannot cover is not started: the last answer is returned instead', {timeout: 10_000}, async () => {
    const s = await serve((_req, res) => sendJson(res, 503, registryErrorBody('UNAVAILABLE', 'busy'), {'retry-after': '5'}))
    const started = Date.now()
    const err = await new RegistryClient({credentials: async () => undefined, operationTimeoutMs: 2000})
      .getManifest({registry: s.host, repository: 'team/app'}, 'v1')
      .catch((e: unknown) => e)
    expect(elapsedSince(started)).toBeLessThan(1000)
    expect(s.requests).toHaveLength(1)
    expect(err).toMatchObject({code: 'REGISTRY_ERROR', message: expect.stringContaining('503') as unknown})
  })

  test('a token server that never answers is bounded by the call deadline too', {timeout: 10_000}, async () => {
    const tokens = await silent()
    const s = await serve((_req, res) =>
      res.writeHead(401, {'www-authenticate': `Bearer realm="http://${tokens.host}/token",service="reg"`}).end(),
    )
    const started = Date.now()
    const err = await client([], {operationTimeoutMs: 1200}).getManifest({registry: s.host, repository: 'team/app'}, 'v1').catch((e: unknown) => e)
    expect(elapsedSince(started)).toBeLessThan(2200)
    expect(err).toMatchObject({code: 'REGISTRY_UNREACHABLE', details: {host: tokens.host, timeout: true}})
    expect((err as Error).message).toContain('did not answer the request for a token for repository:team/app:pull within 1.2s')
  })

  test.each([
    ['accepts and never answers', 'headers'],
    ['sends the body at a trickle', 'body'],
  ])('with no timeout options, a registry that %s fails within a minute (on a fake clock)', {timeout: 20_000}, async (_what, stage) => {
    const s =
      stage === 'headers'
        ? await silent()
        : await serve(async (_req, res) => {
            res.writeHead(200, {'content-length': '100000'})
            while (!res.destroyed) {
              res.write('x')
              await new Promise((resolve) => setImmediate(resolve))
            }
          })
    vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'hrtime', 'Date']})
    try {
      let outcome: unknown
      let done = false
      void new RegistryClient({credentials: async () => undefined})
        .getManifest({registry: s.host, repository: 'team/app'}, 'v1')
        .catch((e: unknown) => e)
        .then((e) => {
          outcome = e
          done = true
        })
      let fakeMs = 0
      while (!done && fakeMs < 120_000) {
        // Real loopback I/O runs between the clock's steps.
        for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
        await vi.advanceTimersByTimeAsync(250)
        fakeMs += 250
      }
      expect(done).toBe(true)
      expect(fakeMs).toBeLessThanOrEqual(60_000)
      expect(outcome).toMatchObject({code: 'REGISTRY_UNREACHABLE', details: {timeout: true, stage}})
      expect((outcome as Error).message).toMatch(/ within 55s \(\d attempts\)$/)
    } finally {
      vi.useRealTimers()
    }
  })

  test('requests that finish in time are unaffected, however short the remaining budget', async () => {
    const r = await fake()
    const c = client([], {totalTimeoutMs: 5000, responseTimeoutMs: 1000, operationTimeoutMs: 2000})
    const repo = {registry: r.host, repository: 'team/app'}
    const {digest} = await c.putManifest(repo, 'v1', MANIFEST, OCI)
    expect((await c.getManifest(repo, 'v1')).digest).toBe(digest)
    expect(await c.resolveDigest(repo, 'v1')).toMatchObject({digest})
  })
})
