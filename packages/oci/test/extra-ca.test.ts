/**
 * useExtraCaCertificates(path): the PEM certificates in `path` are trusted on top of Node's
 * default CAs by every HTTPS request of the transport, the file being read on the first HTTPS
 * request (NODE_EXTRA_CA_CERTS, deferred). Its state is module-level, so each scenario runs in a
 * fresh child `node` against the BUILT package (`npx tsc -b` first), as process-exit.test.ts
 * does. The child never inherits NODE_EXTRA_CA_CERTS: only the function under test can make it
 * trust the test server's self-signed certificate.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer as createHttpsServer, type Server as HttpsServer} from 'node:https'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {rootCertificates} from 'node:tls'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {runScript} from './run-script.js'
import {hasOpenssl, makeCertificate, type TestCertificate} from './tls-cert.js'
import {startWireServer, type WireServer} from './wire-server.js'

const INDEX_JS = fileURLToPath(new URL('../dist/index.js', import.meta.url))

/** What the child reports per request: the tags, or the error's code, network code and message. */
type Outcome = {ok: true; tags: string[]} | {ok: false; code: string; netCode?: string; message: string}

interface Run {
  code: number | null
  stdout: string
  stderr: string
  /** The script's JSON report (last stdout line). */
  report: {outcomes: Outcome[]; lateCall?: {threw: boolean; message?: string}; afterHttp?: {threw: boolean; message?: string}}
}

/** Run an ES module script in a fresh `node` without NODE_EXTRA_CA_CERTS; killed after 15 s. */
async function run(script: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = {...process.env}
  delete env['NODE_EXTRA_CA_CERTS']
  delete env['SIGIL_DEFERRED_CA_CERTS']
  delete env['NODE_OPTIONS']
  const {code, stdout, stderr} = await runScript(script, {env, timeoutMs: 15_000})
  const last = stdout.trim().split('\n').pop() ?? ''
  let report: Run['report']
  try {
    report = JSON.parse(last) as Run['report']
  } catch {
    throw new Error(`child printed no report (exit ${code}):\nstdout: ${stdout}\nstderr: ${stderr}`)
  }
  return {code, stdout, stderr, report}
}

interface ScriptOptions {
  /** useExtraCaCertificates(ca) first, when given. */
  readonly ca?: string
  /** Statements run right after that call (before any request). */
  readonly afterCall?: string
  /** HTTPS requests (listTags) to make. Default 1. */
  readonly requests?: number
  /** Call useExtraCaCertificates(this) after the requests and report whether it threw. */
  readonly lateCall?: string
  /** Before the HTTPS requests: a plain-HTTP request to `url`, then useExtraCaCertificates(`thenCall`) (reported as `afterHttp`). */
  readonly httpFirst?: {readonly url: string; readonly thenCall: string}
}

/** A child script: RegistryClient.listTags against `httpsUrl` (an endpoint override), N times. */
function script(httpsUrl: string, o: ScriptOptions = {}): string {
  const q = JSON.stringify
  return `
    import {RegistryClient, useExtraCaCertificates} from ${q(INDEX_JS)}
    import {writeFileSync} from 'node:fs'
    const report = {outcomes: []}
    const attempt = (fn) => { try { fn(); return {threw: false} } catch (err) { return {threw: true, message: err.message} } }
    ${o.ca === undefined ? '' : `useExtraCaCertificates(${q(o.ca)})`}
    ${o.afterCall ?? ''}
    const client = (url) => new RegistryClient({endpoint: () => url, credentials: async () => undefined, retry: {attempts: 0}})
    const list = async (url) => {
      try {
        report.outcomes.push({ok: true, tags: await client(url).listTags({registry: 'secure.sigil.test', repository: 'x/y'})})
      } catch (err) {
        report.outcomes.push({ok: false, code: err.code, netCode: err.details?.code, message: err.message})
      }
    }
    ${o.httpFirst === undefined ? '' : `await list(${q(o.httpFirst.url)}); report.afterHttp = attempt(() => useExtraCaCertificates(${q(o.httpFirst.thenCall)}))`}
    for (let i = 0; i < ${o.requests ?? 1}; i++) await list(${q(httpsUrl)})
    ${o.lateCall === undefined ? '' : `report.lateCall = attempt(() => useExtraCaCertificates(${q(o.lateCall)}))`}
    ${o.lateCall === undefined ? '' : `await list(${q(httpsUrl)})`}
    console.log(JSON.stringify(report))
  `
}

const TAGS = {name: 'x/y', tags: ['v1', 'v2']}
/** The failure a client that does not trust the self-signed certificate sees. */
const CERT_FAILURE = {
  ok: false,
  code: 'REGISTRY_UNREACHABLE',
  netCode: 'DEPTH_ZERO_SELF_SIGNED_CERT',
  message: expect.stringContaining('TLS error (DEPTH_ZERO_SELF_SIGNED_CERT)'),
}
const SUCCESS = {ok: true, tags: TAGS.tags}

const tlsAvailable = hasOpenssl()

describe.skipIf(!tlsAvailable)('useExtraCaCertificates (child processes)', () => {
  let cert: TestCertificate
  let other: TestCertificate
  let server: HttpsServer
  let url: string
  let http: WireServer
  let dir: string
  /** HTTP requests the HTTPS server answered (a failed handshake never gets here). */
  let answered = 0

  beforeAll(async () => {
    expect(existsSync(INDEX_JS), `${INDEX_JS} is missing: build the package first (npx tsc -b)`).toBe(true)
    cert = makeCertificate()
    other = makeCertificate()
    dir = mkdtempSync(join(tmpdir(), 'sigil-extra-ca-'))
    server = createHttpsServer({cert: cert.cert, key: cert.key}, (req, res) => {
      answered++
      const body = JSON.stringify(req.url === '/v2/x/y/tags/list' ? TAGS : {errors: [{code: 'NAME_UNKNOWN', message: req.url}]})
      res.writeHead(req.url === '/v2/x/y/tags/list' ? 200 : 404, {'content-type': 'application/json'}).end(body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
    http = await startWireServer((_req, res) => res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify(TAGS)))
  })
  afterAll(async () => {
    server?.closeAllConnections()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    await http?.close()
    cert?.remove()
    other?.remove()
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  test('a certificate trusted only through useExtraCaCertificates(certPath): the request succeeds', async () => {
    const before = answered
    const r = await run(script(url, {ca: cert.certPath, requests: 2}))
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.report.outcomes).toEqual([SUCCESS, SUCCESS])
    expect(answered - before).toBe(2)
  })

  test('control: without the call the same script fails with the certificate error (no request reaches the server)', async () => {
    const before = answered
    const r = await run(script(url))
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.report.outcomes).toEqual([CERT_FAILURE])
    expect(answered).toBe(before)
  })

  test('control: trusting another certificate does not help (the file content is what counts)', async () => {
    const r = await run(script(url, {ca: other.certPath}))
    expect(r.stderr).toBe('')
    expect(r.report.outcomes).toEqual([CERT_FAILURE])
  })

  test('the file is read on the first HTTPS request, not by the call: written after it, it is still used', async () => {
    const later = join(dir, 'written-after-the-call.pem')
    rmSync(later, {force: true})
    const r = await run(script(url, {ca: later, afterCall: `writeFileSync(${JSON.stringify(later)}, ${JSON.stringify(cert.cert)})`}))
    expect(r.stderr).toBe('')
    expect(r.report.outcomes).toEqual([SUCCESS])
  })

  test('a process that makes only plain-HTTP requests never reads the file (no warning for a missing one)', async () => {
    const r = await run(`
      import {RegistryClient, useExtraCaCertificates} from ${JSON.stringify(INDEX_JS)}
      useExtraCaCertificates('/nonexistent/ca.pem')
      const c = new RegistryClient({credentials: async () => undefined})
      console.log(JSON.stringify({outcomes: [{ok: true, tags: await c.listTags({registry: ${JSON.stringify(http.host)}, repository: 'x/y'})}]}))
    `)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.report.outcomes).toEqual([SUCCESS])
  })

  describe('a system-bundle-like file (many PEM blocks, comments)', () => {
    /** A few of Node's bundled roots as a distribution's ca-certificates.crt lists them. */
    const roots = (n: number, from = 0): string =>
      rootCertificates
        .slice(from, from + n)
        .map((pem, i) => `# Root ${from + i}\n# (copied from node:tls rootCertificates)\n${pem}\n`)
        .join('\n')

    test('the test certificate among bundled roots and an unrelated certificate is trusted', async () => {
      const bundle = join(dir, 'bundle.pem')
      writeFileSync(bundle, `${roots(5)}\n# unrelated\n${other.cert}\n# the test server\n${cert.cert}\n${roots(5, 20)}`)
      const r = await run(script(url, {ca: bundle}))
      expect(r.stderr).toBe('')
      expect(r.report.outcomes).toEqual([SUCCESS])
    })

    test('as the last block, without a trailing newline, with CRLF line ends', async () => {
      const bundle = join(dir, 'bundle-crlf.pem')
      writeFileSync(bundle, `${roots(3)}${cert.cert.trimEnd()}`.replace(/\n/g, '\r\n'))
      const r = await run(script(url, {ca: bundle}))
      expect(r.stderr).toBe('')
      expect(r.report.outcomes).toEqual([SUCCESS])
    })

    test('control: the same bundle without the test certificate does not trust the server', async () => {
      const bundle = join(dir, 'bundle-without.pem')
      writeFileSync(bundle, `${roots(5)}\n# unrelated\n${other.cert}\n${roots(5, 20)}`)
      const r = await run(script(url, {ca: bundle}))
      expect(r.stderr).toBe('')
      expect(r.report.outcomes).toEqual([CERT_FAILURE])
    })

    test('a block that does not parse ends the list there with one warning, as Node does: certificates after it are not trusted', async () => {
      const bundle = join(dir, 'bundle-broken-block.pem')
      writeFileSync(bundle, `${roots(2)}-----BEGIN CERTIFICATE-----\nMIIBrokenBrokenBroken\n-----END CERTIFICATE-----\n${cert.cert}`)
      const r = await run(script(url, {ca: bundle}))
      expect(r.stderr).toMatch(/^Warning: Ignoring extra certs from `.*bundle-broken-block\.pem`, load failed: certificate 3 is not a valid PEM certificate\n$/)
      expect(r.report.outcomes).toEqual([CERT_FAILURE])
      // Node itself, given the same file at start-up, says so too and does not trust the server either.
      const node = spawnSync(process.execPath, ['-e', '0'], {env: {...process.env, NODE_EXTRA_CA_CERTS: bundle}, encoding: 'utf8'})
      expect(node.stderr).toContain('Ignoring extra certs from')
    })

    test('a block that is DER but not a certificate (an empty SEQUENCE) ends the list too, as Node does', async () => {
      const bundle = join(dir, 'bundle-not-a-certificate.pem')
      writeFileSync(bundle, `${roots(2)}-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n${cert.cert}`)
      const r = await run(script(url, {ca: bundle}))
      expect(r.stderr).toContain('load failed: certificate 3 is not a valid PEM certificate')
      expect(r.report.outcomes).toEqual([CERT_FAILURE])
      const node = spawnSync(process.execPath, ['-e', '0'], {env: {...process.env, NODE_EXTRA_CA_CERTS: bundle}, encoding: 'utf8'})
      expect(node.stderr).toContain('Ignoring extra certs from')
    })

    test('a certificate whose outer length is not minimally encoded (BER) is trusted, as Node (OpenSSL) does', async () => {
      const der = Buffer.from(cert.cert.replace(/-----[^-]*-----|\s/g, ''), 'base64')
      expect(der[1]).toBe(0x82)
      const ber = Buffer.concat([Buffer.from([0x30, 0x83, 0x00]), der.subarray(2)])
      const bundle = join(dir, 'bundle-ber.pem')
      writeFileSync(bundle, `-----BEGIN CERTIFICATE-----\n${ber.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`)
      const r = await run(script(url, {ca: bundle}))
      expect(r.stderr).toBe('')
      expect(r.report.outcomes).toEqual([SUCCESS])
      const node = spawnSync(process.execPath, ['-e', '0'], {env: {...process.env, NODE_EXTRA_CA_CERTS: bundle}, encoding: 'utf8'})
      expect(node.stderr).toBe('')
    })

    test('certificates before a broken block are kept', async () => {
      const bundle = join(dir, 'bundle-broken-after.pem')
      writeFileSync(bundle, `${roots(1)}${cert.cert}-----BEGIN CERTIFICATE-----\nMIIBrokenBrokenBroken\n-----END CERTIFICATE-----\n`)
      const r = await run(script(url, {ca: bundle}))
      expect(r.stderr).toContain('load failed: certificate 3 is not a valid PEM certificate')
      expect(r.report.outcomes).toEqual([SUCCESS])
    })
  })

  describe('an unreadable file', () => {
    const warning = (path: string): RegExp => new RegExp(`^Warning: Ignoring extra certs from \`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\`, load failed: .+$`)

    test('missing: exactly one warning line on stderr, and every request fails with the certificate error (no crash)', async () => {
      const r = await run(script(url, {ca: '/nonexistent/ca.pem', requests: 3}))
      expect(r.code).toBe(0)
      const lines = r.stderr.split('\n').filter((l) => l !== '')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(warning('/nonexistent/ca.pem'))
      expect(lines[0]).toContain('ENOENT')
      expect(r.report.outcomes).toEqual([CERT_FAILURE, CERT_FAILURE, CERT_FAILURE])
    })

    test('a directory: the same single warning (EISDIR)', async () => {
      const sub = join(dir, 'a-directory.pem')
      mkdirSync(sub, {recursive: true})
      const r = await run(script(url, {ca: sub, requests: 2}))
      expect(r.code).toBe(0)
      const lines = r.stderr.split('\n').filter((l) => l !== '')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(warning(sub))
      expect(lines[0]).toContain('EISDIR')
      expect(r.report.outcomes).toEqual([CERT_FAILURE, CERT_FAILURE])
    })
  })

  describe('calling it after an HTTPS connection was made', () => {
    test('throws, and the trust already set up stays as it was', async () => {
      const r = await run(script(url, {ca: cert.certPath, lateCall: other.certPath}))
      expect(r.stderr).toBe('')
      expect(r.report.lateCall).toEqual({threw: true, message: expect.stringMatching(/HTTPS connection was already made/)})
      expect(r.report.outcomes).toEqual([SUCCESS, SUCCESS])
    })

    test('also after an HTTPS request that failed the handshake; the late file is not used', async () => {
      const r = await run(script(url, {lateCall: cert.certPath}))
      expect(r.report.lateCall).toEqual({threw: true, message: expect.stringMatching(/HTTPS connection was already made/)})
      expect(r.report.outcomes).toEqual([CERT_FAILURE, CERT_FAILURE])
    })

    test('control: plain-HTTP requests do not count; a call after them still takes effect', async () => {
      // First call: a missing file (never read: only HTTP so far); the one after the HTTP request wins.
      const r = await run(script(url, {ca: '/nonexistent/ca.pem', httpFirst: {url: http.url, thenCall: cert.certPath}}))
      expect(r.report.afterHttp).toEqual({threw: false})
      expect(r.stderr).toBe('')
      expect(r.report.outcomes).toEqual([SUCCESS, SUCCESS])
    })
  })
})
