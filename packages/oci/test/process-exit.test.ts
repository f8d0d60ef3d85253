/**
 * A CLI must exit as soon as its work is done: keep-alive sockets left idle by the transport may
 * not hold the process open. Runs the BUILT package (`npx tsc -b` first; turbo's test task
 * depends on build) in a child `node` that does one request and never calls process.exit.
 */
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {createServer as createHttpsServer} from 'node:https'
import type {AddressInfo} from 'node:net'
import {afterEach, expect, test} from 'vitest'
import {runScript} from './run-script.js'
import {hasOpenssl, makeCertificate} from './tls-cert.js'
import {startWireServer, type WireServer} from './wire-server.js'

const HTTP_JS = fileURLToPath(new URL('../dist/http/index.js', import.meta.url))

const servers: WireServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** Run an ES module script in a fresh `node`; killed (exit code null) if still running after 10 s. */
const run = (script: string, env: NodeJS.ProcessEnv = {}) => runScript(script, {env: {...process.env, ...env}})

test('a process that made a keep-alive request exits right after it, without process.exit', async () => {
  expect(existsSync(HTTP_JS), `${HTTP_JS} is missing: build the package first (npx tsc -b)`).toBe(true)
  const s = await startWireServer((_req, res) => res.writeHead(200, {'content-type': 'text/plain'}).end('ok'))
  servers.push(s)
  // A server that would keep an idle connection open for a long time: only the client can end it early.
  s.server.keepAliveTimeout = 60_000
  const script = `
    import {HttpTransport} from ${JSON.stringify(HTTP_JS)}
    const res = await new HttpTransport().send({method: 'GET', url: ${JSON.stringify(`${s.url}/v2/`)}, maxBytes: 100})
    console.log(JSON.stringify({status: res.status, body: new TextDecoder().decode(res.body), doneAt: Date.now()}))
  `
  const result = await run(script)
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  const out = JSON.parse(result.stdout) as {status: number; body: string; doneAt: number}
  expect(out).toMatchObject({status: 200, body: 'ok'})
  // The request really used a kept-alive connection (the server still holds it when the client is gone).
  expect(s.connections).toBe(1)
  expect(result.exitedAt - out.doneAt).toBeLessThan(1000)
})

test.skipIf(!hasOpenssl())('the same over HTTPS (certificate trusted through NODE_EXTRA_CA_CERTS)', async () => {
  expect(existsSync(HTTP_JS), `${HTTP_JS} is missing: build the package first (npx tsc -b)`).toBe(true)
  const tls = makeCertificate()
  let connections = 0
  const server = createHttpsServer({cert: tls.cert, key: tls.key, keepAliveTimeout: 60_000}, (_req, res) => res.end('ok'))
  server.on('secureConnection', () => connections++)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const url = `https://localhost:${(server.address() as AddressInfo).port}/v2/`
    const script = `
      import {HttpTransport} from ${JSON.stringify(HTTP_JS)}
      const t = new HttpTransport()
      const a = await t.send({method: 'GET', url: ${JSON.stringify(url)}, maxBytes: 100})
      const b = await t.send({method: 'GET', url: ${JSON.stringify(url)}, maxBytes: 100})
      console.log(JSON.stringify({status: [a.status, b.status], doneAt: Date.now()}))
    `
    const result = await run(script, {NODE_EXTRA_CA_CERTS: tls.certPath})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const out = JSON.parse(result.stdout) as {status: number[]; doneAt: number}
    expect(out.status).toEqual([200, 200])
    expect(connections).toBe(1)
    expect(result.exitedAt - out.doneAt).toBeLessThan(1000)
  } finally {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    tls.remove()
  }
})
