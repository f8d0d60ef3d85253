import {describe, expect, test} from 'vitest'
import {startWireServer} from '../test/wire-server.js'
import {fetchUrlDocument} from './url-document.js'

const PEM = '-----BEGIN PUBLIC KEY-----\nMFkw…\n-----END PUBLIC KEY-----\n'

describe('fetchUrlDocument', () => {
  test('GETs a loopback http:// URL and returns the body, sending no credentials', async () => {
    const s = await startWireServer((_req, res) => res.end(PEM))
    const body = await fetchUrlDocument(`${s.url}/keys/cosign.pub`, {what: 'public key'})
    expect(Buffer.from(body).toString('utf8')).toBe(PEM)
    expect(s.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /keys/cosign.pub'])
    expect(s.requests[0]!.headers.authorization).toBeUndefined()
    await s.close()
  })

  test('follows a redirect on loopback', async () => {
    const s = await startWireServer((req, res) => {
      if (req.url === '/old') res.writeHead(302, {location: '/new'}).end()
      else res.end(PEM)
    })
    expect(Buffer.from(await fetchUrlDocument(`${s.url}/old`)).toString('utf8')).toBe(PEM)
    await s.close()
  })

  test.each([
    [404, 'KEY_NOT_FOUND'],
    [403, 'KEY_READ_FAILED'],
  ])('HTTP %d is %s, naming the URL', async (status, code) => {
    const s = await startWireServer((_req, res) => res.writeHead(status).end('no'))
    await expect(fetchUrlDocument(`${s.url}/k.pub`, {what: 'public key'})).rejects.toMatchObject({
      code,
      message: expect.stringContaining(`cannot fetch the public key at ${s.url}/k.pub: HTTP ${status}`),
    })
    await s.close()
  })

  test('a body over maxBytes is refused', async () => {
    const s = await startWireServer((_req, res) => res.end('x'.repeat(5000)))
    await expect(fetchUrlDocument(`${s.url}/big`, {maxBytes: 1000})).rejects.toMatchObject({code: 'RESPONSE_TOO_LARGE'})
    await s.close()
  })

  test('a server that never answers ends within timeoutMs', async () => {
    const s = await startWireServer(() => undefined)
    const t0 = Date.now()
    await expect(fetchUrlDocument(`${s.url}/slow`, {timeoutMs: 800})).rejects.toMatchObject({code: 'REGISTRY_UNREACHABLE', details: {timeout: true}})
    expect(Date.now() - t0).toBeLessThan(5000)
    await s.close()
  })

  test.each([
    ['plain http to a host that is not loopback', 'http://keys.example.invalid/cosign.pub', 'INSECURE_REGISTRY'],
    ['another scheme', 'ftp://keys.example.invalid/cosign.pub', 'INVALID_ARGUMENT'],
    ['credentials in the URL', 'https://user:pw@keys.example.invalid/cosign.pub', 'INVALID_ARGUMENT'],
    ['not a URL', 'https://', 'INVALID_ARGUMENT'],
  ])('%s is refused before any request', async (_name, url, code) => {
    await expect(fetchUrlDocument(url)).rejects.toMatchObject({code})
  })
})
