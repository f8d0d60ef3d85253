/** `verify --key https://…` (cosign reads a public key from a URL), with the registries' TLS rules. */
import {createServer} from 'node:http'
import type {Server} from 'node:http'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {pushRandomImage, requireRegistry, startRegistry} from '@sigil/test-servers'
import type {TestRegistry} from '@sigil/test-servers'
import {hasOpenssl, makeCertificate} from '../../../packages/oci/test/tls-cert.js'
import type {TestCertificate} from '../../../packages/oci/test/tls-cert.js'
import {sigil} from './run-cli.js'

let registry: TestRegistry
let dir: string
let ref: string
let keyServer: Server
let keyUrl: string
const served: string[] = []
const env = {COSIGN_PASSWORD: 'pw', SIGIL_PASSWORD: undefined}

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  dir = mkdtempSync(join(tmpdir(), 'sigil-key-url-'))
  for (const name of ['alice', 'mallory']) expect((await sigil(['generate-key-pair', '--output-key-prefix', name], {cwd: dir, env})).code).toBe(0)
  await pushRandomImage(new RegistryClient(), {registry: registry.host, repository: 'keyurl/app'}, 'v1')
  ref = `${registry.host}/keyurl/app:v1`
  expect((await sigil(['sign', '--key', 'alice.key', ref], {cwd: dir, env})).code).toBe(0)
  keyServer = createServer((req, res) => {
    served.push(req.url ?? '')
    if (req.url === '/alice.pub') res.end(readFileSync(join(dir, 'alice.pub')))
    else if (req.url === '/mallory.pub') res.end(readFileSync(join(dir, 'mallory.pub')))
    else if (req.url === '/moved') res.writeHead(302, {location: '/alice.pub'}).end()
    else res.writeHead(404).end('not found')
  })
  await new Promise<void>((r) => keyServer.listen(0, '127.0.0.1', r))
  keyUrl = `http://127.0.0.1:${(keyServer.address() as {port: number}).port}`
})
afterAll(async () => {
  await registry?.stop()
  await new Promise((r) => keyServer?.close(r))
  if (dir) rmSync(dir, {recursive: true, force: true})
})

describe('verify --key URL', () => {
  test('the right key verifies (exit 0), the wrong one does not (exit 12), a redirect is followed', async () => {
    const ok = await sigil(['verify', '--key', `${keyUrl}/alice.pub`, ref], {cwd: dir})
    expect(ok.code, ok.stderr).toBe(0)
    expect(served).toContain('/alice.pub')
    const wrong = await sigil(['verify', '--key', `${keyUrl}/mallory.pub`, ref], {cwd: dir})
    expect(wrong.code).toBe(12)
    expect((await sigil(['verify', '--key', `${keyUrl}/moved`, ref], {cwd: dir})).code).toBe(0)
  })

  test('a missing key is a clear error naming the URL, not "no signatures"', async () => {
    const r = await sigil(['verify', '--key', `${keyUrl}/gone.pub`, ref], {cwd: dir})
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(`Error: cannot fetch the public key at ${keyUrl}/gone.pub: HTTP 404 Not Found\n`)
  })

  test('plain http to a host that is not loopback is refused before any request', async () => {
    const r = await sigil(['verify', '--key', 'http://keys.example.invalid/cosign.pub', ref], {cwd: dir})
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^Error: refusing to fetch the public key at http:\/\/keys\.example\.invalid\/cosign\.pub over plain HTTP/)
  })

  test('sign with a URL key says a URL holds only a public key', async () => {
    const r = await sigil(['sign', '--key', `${keyUrl}/alice.pub`, ref], {cwd: dir, env})
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/a key fetched by URL is a public key/)
  })

  test('public-key --key URL prints the PEM', async () => {
    const r = await sigil(['public-key', '--key', `${keyUrl}/alice.pub`], {cwd: dir})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(readFileSync(join(dir, 'alice.pub'), 'utf8'))
  })
})

describe.skipIf(!hasOpenssl())('over HTTPS', () => {
  let cert: TestCertificate
  let tls: import('node:https').Server
  let url: string
  beforeAll(async () => {
    cert = makeCertificate()
    const {createServer: createHttps} = await import('node:https')
    tls = createHttps({cert: cert.cert, key: cert.key}, (_req, res) => res.end(readFileSync(join(dir, 'alice.pub'))))
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r))
    url = `https://127.0.0.1:${(tls.address() as {port: number}).port}/alice.pub`
  })
  afterAll(async () => {
    await new Promise((r) => tls?.close(r))
    cert?.remove()
  })

  test('a certificate sigil does not trust is refused; trusted through NODE_EXTRA_CA_CERTS it verifies', async () => {
    const untrusted = await sigil(['verify', '--key', url, ref], {cwd: dir, env: {NODE_EXTRA_CA_CERTS: undefined}})
    expect(untrusted.code).toBe(1)
    expect(untrusted.stderr).toMatch(/TLS error|certificate/i)
    const trusted = await sigil(['verify', '--key', url, ref], {cwd: dir, env: {NODE_EXTRA_CA_CERTS: cert.certPath}})
    expect(trusted.code, trusted.stderr).toBe(0)
  })
})
