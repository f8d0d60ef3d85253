/** `--timeout` (cosign's flag, default 3m) bounds the whole command, whatever it waits for. */
import {createServer} from 'node:net'
import type {Server, Socket} from 'node:net'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {AWS_OFFLINE_ENV} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

let silent: Server
let port: number
const sockets = new Set<Socket>()
let dir: string

beforeAll(async () => {
  // Accepts every connection and never answers: neither a registry nor a KMS ever replies.
  silent = createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
  })
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
  port = (silent.address() as {port: number}).port
  dir = mkdtempSync(join(tmpdir(), 'sigil-timeout-'))
  const g = await sigil(['generate-key-pair'], {cwd: dir, env: {COSIGN_PASSWORD: 'pw'}})
  expect(g.code, g.stderr).toBe(0)
})
afterAll(async () => {
  for (const s of sockets) s.destroy()
  await new Promise((r) => silent.close(r))
  rmSync(dir, {recursive: true, force: true})
})

describe('a peer that accepts and never answers', () => {
  test.each([
    ['verify', () => ['verify', '--key', 'cosign.pub', '--timeout', '2s', `127.0.0.1:${port}/silent/app:v1`]],
    ['sign', () => ['sign', '--key', 'cosign.key', '-t', '2s', `127.0.0.1:${port}/silent/app:v1`]],
    ['triangulate', () => ['triangulate', '--timeout=2s', `127.0.0.1:${port}/silent/app:v1`]],
    ['attest', () => ['attest', '--key', 'cosign.key', '--predicate', 'cosign.pub', '-t', '2s', `127.0.0.1:${port}/silent/app:v1`]],
    ['verify-attestation', () => ['verify-attestation', '--key', 'cosign.pub', '--timeout', '2s', `127.0.0.1:${port}/silent/app:v1`]],
  ])('%s ends within --timeout with one line naming the registry that stalled, exit 1', async (_name, args) => {
    const t0 = Date.now()
    const r = await sigil(args(), {cwd: dir, env: {COSIGN_PASSWORD: 'pw'}})
    const took = Date.now() - t0
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(new RegExp(`^Error: registry 127\\.0\\.0\\.1:${port} did not answer the request for the (manifest|digest) of silent/app:v1 within 1\\.\\d+s\n$`))
    expect(took).toBeGreaterThanOrEqual(1700)
    expect(took).toBeLessThan(8000)
  })

  test('an AWS KMS endpoint that never answers: public-key ends within --timeout', async () => {
    const t0 = Date.now()
    const r = await sigil(['public-key', '--key', 'awskms:///alias/silent', '--timeout', '2s'], {
      cwd: dir,
      env: {...AWS_OFFLINE_ENV, AWS_ENDPOINT_URL_KMS: `http://127.0.0.1:${port}`},
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^Error: sigil public-key did not finish within 2s/)
    expect(Date.now() - t0).toBeLessThan(8000)
  })

  test('--json reports the timeout with its code', async () => {
    const r = await sigil(['verify', '--json', '--key', 'cosign.pub', '--timeout', '1s', `127.0.0.1:${port}/silent/app:v1`], {cwd: dir})
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout)).toMatchObject({error: {code: 'REGISTRY_UNREACHABLE', details: {timeout: true}}})
  })

  test('a malformed --timeout is a usage error', async () => {
    const r = await sigil(['verify', '--key', 'cosign.pub', '--timeout', 'soon', 'img'], {cwd: dir})
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/invalid duration for --timeout: "soon"/)
  })
})
