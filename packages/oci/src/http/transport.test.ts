import {createServer as createHttpsServer} from 'node:https'
import {createServer as createTcpServer} from 'node:net'
import type {AddressInfo} from 'node:net'
import {describe, expect, test} from 'vitest'
import {hasOpenssl, makeCertificate} from '../../test/tls-cert.js'
import {unusedPort, wireServers} from '../../test/wire-server.js'
import type {RetryOptions} from './retry.js'
import {deadlineIn} from './deadline.js'
import {HttpTransport, type RequestEvent} from './transport.js'

const serve = wireServers()

function transport(events: RequestEvent[], retry: RetryOptions = {baseDelayMs: 1, maxDelayMs: 5000}, timeoutMs = 5000): HttpTransport {
  return new HttpTransport({retry, timeoutMs, onRequest: (e) => events.push(e)})
}

describe('HttpTransport retries', () => {
  test('retries a 503 then succeeds, reporting each attempt', async () => {
    let n = 0
    const s = await serve((_req, res) => {
      n++
      res.writeHead(n === 1 ? 503 : 200).end(n === 1 ? 'busy' : 'ok')
    })
    const events: RequestEvent[] = []
    const res = await transport(events).send({method: 'GET', url: `${s.url}/x`, maxBytes: 100})
    expect(res.status).toBe(200)
    expect(new TextDecoder().decode(res.body)).toBe('ok')
    expect(res.attempts).toBe(2)
    expect(events.map((e) => [e.status, e.attempt])).toEqual([
      [503, 1],
      [200, 2],
    ])
    expect(events[0]!.url).toBe(`${s.url}/x`)
    expect(events[0]!.durationMs).toBeGreaterThanOrEqual(0)
  })

  test('honours Retry-After in seconds', async () => {
    let n = 0
    const s = await serve((_req, res) => {
      n++
      if (n === 1) res.writeHead(503, {'retry-after': '1'}).end()
      else res.writeHead(200).end('ok')
    })
    const started = Date.now()
    const res = await transport([]).send({method: 'GET', url: s.url, maxBytes: 100})
    expect(res.status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
  })

  test('honours Retry-After as an HTTP date', async () => {
    let n = 0
    const s = await serve((_req, res) => {
      n++
      if (n === 1) res.writeHead(429, {'retry-after': new Date(Date.now() + 2000).toUTCString()}).end()
      else res.writeHead(200).end('ok')
    })
    const started = Date.now()
    const res = await transport([]).send({method: 'GET', url: s.url, maxBytes: 100})
    expect(res.status).toBe(200)
    // HTTP dates have one-second resolution: the wait is between 1 and 2 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
  })

  test('caps Retry-After at maxDelayMs', async () => {
    let n = 0
    const s = await serve((_req, res) => {
      n++
      if (n === 1) res.writeHead(503, {'retry-after': '3600'}).end()
      else res.writeHead(200).end('ok')
    })
    const started = Date.now()
    const res = await transport([], {baseDelayMs: 1, maxDelayMs: 200}).send({method: 'GET', url: s.url, maxBytes: 100})
    expect(res.status).toBe(200)
    expect(Date.now() - started).toBeLessThan(2000)
  })

  test('429 is retried; after the last retry the response is returned', async () => {
    const s = await serve((_req, res) => res.writeHead(429).end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}'))
    const events: RequestEvent[] = []
    const res = await transport(events, {baseDelayMs: 1, maxDelayMs: 5}).send({method: 'GET', url: s.url, maxBytes: 100})
    expect(res.status).toBe(429)
    expect(res.attempts).toBe(4)
    expect(s.requests).toHaveLength(4)
  })

  test('a non-retryable status is returned at once', async () => {
    const s = await serve((_req, res) => res.writeHead(400).end('bad'))
    const res = await transport([]).send({method: 'GET', url: s.url, maxBytes: 100})
    expect(res.status).toBe(400)
    expect(s.requests).toHaveLength(1)
  })

  test('a reset connection is retried', async () => {
    let n = 0
    const s = await serve((_req, res) => {
      n++
      if (n === 1) res.socket?.destroy()
      else res.writeHead(200).end('ok')
    })
    const res = await transport([]).send({method: 'GET', url: s.url, maxBytes: 100})
    expect(res.status).toBe(200)
    expect(n).toBe(2)
  })

  test('connection refused → REGISTRY_UNREACHABLE after one quick retry', async () => {
    const port = await unusedPort()
    const events: RequestEvent[] = []
    const started = Date.now()
    const err = await transport(events)
      .send({method: 'GET', url: `http://127.0.0.1:${port}/v2/x/manifests/latest`, maxBytes: 100})
      .catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'REGISTRY_UNREACHABLE'})
    expect((err as Error).message).toContain(`cannot reach 127.0.0.1:${port}: connection refused (ECONNREFUSED)`)
    expect((err as Error).message).toContain('check the registry address')
    expect(events.map((e) => [e.attempt, e.status, e.error])).toEqual([
      [1, undefined, 'ECONNREFUSED'],
      [2, undefined, 'ECONNREFUSED'],
    ])
    expect(Date.now() - started).toBeLessThan(2000)
  })

  test('no answer within timeoutMs → REGISTRY_UNREACHABLE naming the timeout', async () => {
    const s = await serve(() => {
      /* never answer */
    })
    const err = await transport([], {attempts: 0, baseDelayMs: 1, maxDelayMs: 1}, 200)
      .send({method: 'GET', url: s.url, maxBytes: 100})
      .catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'REGISTRY_UNREACHABLE'})
    expect((err as Error).message).toContain('no response within 200 ms')
  })
})

describe('HttpTransport failures and timeouts', () => {
  test('a body that goes silent → REGISTRY_UNREACHABLE naming the timeout', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, {'content-length': '100'})
      res.write(Buffer.alloc(10)) // …and nothing more
    })
    const events: RequestEvent[] = []
    const err = await transport(events, {attempts: 0, baseDelayMs: 1, maxDelayMs: 1}, 200)
      .send({method: 'GET', url: s.url, maxBytes: 1000})
      .catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'REGISTRY_UNREACHABLE'})
    expect((err as Error).message).toContain('no response within 200 ms')
    expect(events.map((e) => [e.status, e.error])).toEqual([[200, 'TIMEOUT']])
  })

  test('a HEAD answered with a body after `Connection: close` (the socket errs right after the headers) settles at once', async () => {
    // A raw socket: a well-behaved server cannot send a body with a HEAD answer.
    const server = createTcpServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n<html>not json'))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const started = Date.now()
      const res = await transport([], {attempts: 0}, 20_000).send({method: 'HEAD', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/a/manifests/v1`, maxBytes: 1024})
      expect(res.status).toBe(200)
      expect(Date.now() - started).toBeLessThan(2000) // it used to wait for 'close', already emitted: forever
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  test('the timeout bounds silence, not the whole body', async () => {
    const s = await serve(async (_req, res) => {
      res.writeHead(200)
      for (let i = 0; i < 6; i++) {
        res.write(`${i}`)
        await new Promise((resolve) => setTimeout(resolve, 80))
      }
      res.end()
    })
    const res = await transport([], {attempts: 0}, 250).send({method: 'GET', url: s.url, maxBytes: 100})
    expect(new TextDecoder().decode(res.body)).toBe('012345')
  })

  test('responseTimeoutMs bounds the whole response, however steadily it trickles', async () => {
    const s = await serve(async (_req, res) => {
      res.writeHead(200)
      for (let i = 0; i < 20 && !res.destroyed; i++) {
        res.write(`${i}`)
        await new Promise((resolve) => setTimeout(resolve, 80))
      }
      res.end()
    })
    const events: RequestEvent[] = []
    const t = new HttpTransport({retry: {attempts: 0}, timeoutMs: 250, responseTimeoutMs: 400, onRequest: (e) => events.push(e)})
    const started = Date.now()
    const err = await t.send({method: 'GET', url: `${s.url}/v2/a/blobs/x`, maxBytes: 100, label: 'the blob a@x'}).catch((e: unknown) => e)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(err).toMatchObject({code: 'REGISTRY_UNREACHABLE', details: {host: s.host, timeout: true, timeoutMs: 400, stage: 'body'}})
    expect((err as Error).message).toBe(`registry ${s.host} did not finish sending the blob a@x within 400ms`)
    expect(events.map((e) => [e.status, e.error])).toEqual([[200, 'TIMEOUT']])
  })

  test('a deadline passed with the request bounds it, retries included; without a label the message names the request', async () => {
    const s = await serve(() => {
      /* never answer */
    })
    const t = transport([], {attempts: 20, baseDelayMs: 1, maxDelayMs: 1}, 200)
    const started = Date.now()
    const err = await t.send({method: 'GET', url: `${s.url}/v2/`, maxBytes: 100, deadline: deadlineIn(700)}).catch((e: unknown) => e)
    expect(Date.now() - started).toBeLessThan(1200)
    expect(s.requests.length).toBeGreaterThan(1)
    expect((err as Error).message).toMatch(new RegExp(`^registry ${s.host} did not answer the request for GET ${s.url}/v2/ within 700ms \\(\\d+ attempts\\)$`))
  })

  test('a connection dropped in the middle of a body is retried', async () => {
    let n = 0
    const s = await serve((_req, res) => {
      n++
      if (n === 1) {
        res.writeHead(200, {'content-length': '100'})
        res.write(Buffer.alloc(10), () => res.socket?.destroy())
      } else {
        res.writeHead(200).end('ok')
      }
    })
    const events: RequestEvent[] = []
    const res = await transport(events).send({method: 'GET', url: s.url, maxBytes: 1000})
    expect(new TextDecoder().decode(res.body)).toBe('ok')
    expect(events.map((e) => [e.attempt, e.status, e.error])).toEqual([
      [1, 200, 'ECONNRESET'],
      [2, 200, undefined],
    ])
  })

  test('resets on every attempt → REGISTRY_UNREACHABLE naming ECONNRESET', async () => {
    const s = await serve((_req, res) => res.socket?.destroy())
    const err = await transport([], {attempts: 2, baseDelayMs: 1, maxDelayMs: 5})
      .send({method: 'GET', url: `${s.url}/v2/`, maxBytes: 100})
      .catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'REGISTRY_UNREACHABLE', details: {code: 'ECONNRESET', attempts: 3}})
    expect((err as Error).message).toContain('connection reset by peer (ECONNRESET) on GET')
    expect((err as Error).message).toContain('(after 3 attempts)')
  })

  test('an unknown host → REGISTRY_UNREACHABLE naming DNS', async () => {
    const err = await transport([], {attempts: 0})
      .send({method: 'GET', url: 'http://sigil-test.invalid/v2/', maxBytes: 100})
      .catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'REGISTRY_UNREACHABLE'})
    // `.invalid` never resolves (RFC 6761); a resolver that cannot be reached says EAI_AGAIN instead.
    expect((err as Error).message).toMatch(/cannot reach sigil-test\.invalid: (host name not found \(DNS\) \(ENOTFOUND\)|temporary DNS failure \(EAI_AGAIN\))/)
  })

  test.skipIf(!hasOpenssl())('HTTPS verifies certificates: a self-signed registry → TLS error, not retried', async () => {
    const tls = makeCertificate()
    let requests = 0
    const server = createHttpsServer({cert: tls.cert, key: tls.key}, (_req, res) => {
      requests++
      res.end('ok')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const port = (server.address() as AddressInfo).port
      const events: RequestEvent[] = []
      const err = await transport(events)
        .send({method: 'GET', url: `https://127.0.0.1:${port}/v2/`, maxBytes: 100})
        .catch((e: unknown) => e)
      expect(err).toMatchObject({code: 'REGISTRY_UNREACHABLE'})
      expect((err as Error).message).toMatch(/TLS error \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/)
      expect(events).toHaveLength(1)
      expect(requests).toBe(0)
    } finally {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      tls.remove()
    }
  })
})

describe('HttpTransport redirects', () => {
  test('a redirect to another host:port carries no Authorization', async () => {
    const other = await serve((_req, res) => res.writeHead(200).end('blob'))
    const first = await serve((_req, res) => res.writeHead(307, {location: `${other.url}/data?X-Amz-Signature=abc`}).end())
    const events: RequestEvent[] = []
    const res = await transport(events).send({
      method: 'GET',
      url: `${first.url}/v2/x/blobs/sha256:1`,
      headers: {Authorization: 'Bearer secret-token'},
      maxBytes: 100,
    })
    expect(res.status).toBe(200)
    expect(res.url).toBe(`${other.url}/data?X-Amz-Signature=abc`)
    expect(first.requests[0]!.headers.authorization).toBe('Bearer secret-token')
    expect(other.requests[0]!.headers.authorization).toBeUndefined()
    expect(events.map((e) => e.status)).toEqual([307, 200])
    expect(events[1]!.url).toBe(`${other.url}/data?X-Amz-Signature=REDACTED`)
  })

  test('a redirect on the same origin keeps Authorization', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/a') res.writeHead(302, {location: '/b'}).end()
      else res.writeHead(200).end('ok')
    })
    await transport([]).send({method: 'GET', url: `${s.url}/a`, headers: {authorization: 'Basic abc'}, maxBytes: 100})
    expect(s.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/a', 'Basic abc'],
      ['/b', 'Basic abc'],
    ])
  })

  test('303 after POST becomes GET without body; 307 keeps method and body', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/post303') res.writeHead(303, {location: '/done'}).end()
      else if (req.url === '/put307') res.writeHead(307, {location: '/done'}).end()
      else res.writeHead(200).end('ok')
    })
    const t = transport([])
    await t.send({method: 'POST', url: `${s.url}/post303`, body: 'abc', maxBytes: 100})
    await t.send({method: 'PUT', url: `${s.url}/put307`, body: 'xyz', maxBytes: 100})
    expect(s.requests.map((r) => [r.method, r.url, r.body.toString()])).toEqual([
      ['POST', '/post303', 'abc'],
      ['GET', '/done', ''],
      ['PUT', '/put307', 'xyz'],
      ['PUT', '/done', 'xyz'],
    ])
  })

  test('a redirect loop → REGISTRY_PROTOCOL', async () => {
    const s = await serve((_req, res) => res.writeHead(302, {location: '/again'}).end())
    await expect(transport([]).send({method: 'GET', url: s.url, maxBytes: 100})).rejects.toMatchObject({code: 'REGISTRY_PROTOCOL'})
  })
})

describe('HttpTransport size limits', () => {
  test('Content-Length over the limit → RESPONSE_TOO_LARGE before reading', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, {'content-length': '1000'})
      res.write(Buffer.alloc(10))
      // never finishes: the client must not wait for the body
    })
    await expect(
      transport([]).send({method: 'GET', url: s.url, maxBytes: 100, what: 'manifest'}),
    ).rejects.toMatchObject({code: 'RESPONSE_TOO_LARGE', message: expect.stringContaining('Content-Length 1000') as unknown})
  })

  test('a chunked body growing over the limit → RESPONSE_TOO_LARGE while streaming', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200) // no Content-Length: chunked
      for (let i = 0; i < 10; i++) res.write(Buffer.alloc(50))
      res.end()
    })
    await expect(transport([]).send({method: 'GET', url: s.url, maxBytes: 120})).rejects.toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
      message: expect.stringContaining('more than 120 bytes') as unknown,
    })
  })

  test('error bodies are truncated, not rejected', async () => {
    const s = await serve((_req, res) => res.writeHead(500).end(Buffer.alloc(200 * 1024, 65)))
    const res = await transport([], {attempts: 0, baseDelayMs: 1, maxDelayMs: 1}).send({method: 'GET', url: s.url, maxBytes: 10})
    expect(res.status).toBe(500)
    expect(res.body.length).toBe(64 * 1024)
  })
})

describe('HttpTransport response headers', () => {
  test('responses carry the headers as sent', async () => {
    const s = await serve((_req, res) => {
      res.setHeader('Docker-Content-Digest', 'sha256:abc')
      res.setHeader('Link', ['</a>; rel="x"', '</b>; rel="next"'])
      res.writeHead(200, 'Fine Thanks').end('ok')
    })
    const res = await transport([]).send({method: 'GET', url: s.url, maxBytes: 100})
    expect(res.headers.get('docker-content-digest')).toBe('sha256:abc')
    expect(res.headers.get('link')).toBe('</a>; rel="x", </b>; rel="next"')
    expect(res.statusText).toBe('Fine Thanks')
    expect(res.body).toBeInstanceOf(Uint8Array)
    expect(Buffer.isBuffer(res.body)).toBe(false)
  })
})

describe('HttpTransport connections', () => {
  test('sequential requests reuse one keep-alive connection (HEAD, redirects, error bodies and uploads included)', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/moved') res.writeHead(302, {location: '/c', 'content-length': '5'}).end('moved')
      else if (req.url === '/missing') res.writeHead(404, {'content-type': 'application/json'}).end('{"errors":[]}')
      else if (req.method === 'HEAD') res.writeHead(200, {'content-length': '1234', 'docker-content-digest': 'sha256:abc'}).end()
      else res.writeHead(200).end(`ok ${req.method} ${req.url}`)
    })
    const t = transport([])
    expect((await t.send({method: 'GET', url: `${s.url}/a`, maxBytes: 100})).status).toBe(200)
    expect((await t.send({method: 'HEAD', url: `${s.url}/b`, maxBytes: 100})).headers.get('content-length')).toBe('1234')
    expect(new TextDecoder().decode((await t.send({method: 'GET', url: `${s.url}/moved`, maxBytes: 100})).body)).toBe('ok GET /c')
    expect((await t.send({method: 'GET', url: `${s.url}/missing`, maxBytes: 100})).status).toBe(404)
    expect((await t.send({method: 'PUT', url: `${s.url}/d`, body: new Uint8Array([1, 2, 3]), maxBytes: 100})).status).toBe(200)
    expect((await t.send({method: 'GET', url: `${s.url}/e`, maxBytes: 100})).status).toBe(200)
    expect(s.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /a', 'HEAD /b', 'GET /moved', 'GET /c', 'GET /missing', 'PUT /d', 'GET /e'])
    expect(s.requests.find((r) => r.method === 'PUT')!.headers['content-length']).toBe('3')
    expect(s.connections).toBe(1)
  })

  test('a body cut short (over the limit) closes its connection; the next request opens a new one', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/big') res.writeHead(200, {'content-length': '1000'}).end(Buffer.alloc(1000))
      else res.writeHead(200).end('ok')
    })
    const t = transport([])
    await expect(t.send({method: 'GET', url: `${s.url}/big`, maxBytes: 100})).rejects.toMatchObject({code: 'RESPONSE_TOO_LARGE'})
    expect((await t.send({method: 'GET', url: `${s.url}/small`, maxBytes: 100})).status).toBe(200)
    expect(s.connections).toBe(2)
  })

  test('an idle keep-alive socket does not hold the event loop open', async () => {
    const refSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length
    let inFlight = -1
    const s = await serve((_req, res) => {
      inFlight = refSockets() // the client's socket is busy (and ref'd) right now
      res.writeHead(200).end('ok')
    })
    // Only the client's socket may count: the server and its side of the connection are unref'd.
    s.server.unref()
    s.server.on('connection', (socket) => socket.unref())
    await new Promise((resolve) => setTimeout(resolve, 20)) // let earlier tests' sockets finish closing
    await transport([]).send({method: 'GET', url: s.url, maxBytes: 100})
    await new Promise((resolve) => setImmediate(resolve))
    expect(inFlight).toBeGreaterThan(0)
    expect(refSockets()).toBe(inFlight - 1)
    // …while the connection itself stays open for reuse.
    await transport([]).send({method: 'GET', url: s.url, maxBytes: 100})
    expect(s.connections).toBe(1)
  })
})
