import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {pushRandomImage, requireRegistry, startFaultProxy, startRegistry} from '@sigil/test-servers'
import type {FaultProxy, TestRegistry} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

// A real registry behind a fault-injecting proxy: every fault must surface as a clear
// registry error (exit 1), never as "no signatures found", never as a stack trace, and a
// failed sign must leave the .sig tag as it was.
let registry: TestRegistry
let proxy: FaultProxy
let client: RegistryClient
let dir: string
const env = {COSIGN_PASSWORD: 'pw', SIGIL_PASSWORD: undefined}

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  proxy = await startFaultProxy(registry.host)
  client = new RegistryClient()
  dir = mkdtempSync(join(tmpdir(), 'sigil-faults-'))
  expect((await sigil(['generate-key-pair'], {cwd: dir, env})).code).toBe(0)
})
afterAll(async () => {
  await proxy?.close()
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

let n = 0
async function signedImage() {
  const repository = `faults/app${++n}`
  const pushed = await pushRandomImage(client, {registry: registry.host, repository}, 'v1')
  proxy.setRule(() => ({kind: 'pass'}))
  const ref = `${proxy.host}/${repository}:v1`
  const s = await sigil(['sign', '--key', 'cosign.key', ref], {cwd: dir, env})
  expect(s.code, s.stderr).toBe(0)
  return {ref, repository, digest: pushed.digest, sigPath: `/v2/${repository}/manifests/sha256-${pushed.digest.slice(7)}.sig`}
}

function expectCleanFault(r: {code: number; stderr: string; stdout: string}, pattern: RegExp) {
  expect(r.code, r.stderr).toBe(1)
  expect(r.stderr).toMatch(/^Error: /m)
  expect(r.stderr).toMatch(pattern)
  expect(r.stderr).not.toMatch(/no signatures found|no matching signatures/)
  expect(r.stderr).not.toMatch(/\n\s+at /)
}

describe('verify against a faulty registry', () => {
  test('500 on the .sig manifest (after retries)', async () => {
    const {ref, sigPath} = await signedImage()
    proxy.setRule((_m, p) => (p === sigPath ? {kind: 'respond', status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"disk on fire"}]}'} : {kind: 'pass'}))
    const r = await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir})
    expectCleanFault(r, /500|disk on fire/)
  })

  test('401 that no credentials can satisfy', async () => {
    const {ref, sigPath} = await signedImage()
    proxy.setRule((_m, p) =>
      p === sigPath ? {kind: 'respond', status: 401, headers: {'www-authenticate': 'Basic realm="x"'}, body: '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'} : {kind: 'pass'},
    )
    const r = await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir})
    expectCleanFault(r, /auth|credential|401/i)
  })

  test('garbage instead of the .sig manifest', async () => {
    const {ref, sigPath} = await signedImage()
    proxy.setRule((m, p) => (p === sigPath && m === 'GET' ? {kind: 'replace-body', body: 'this is not json {'} : {kind: 'pass'}))
    const r = await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir})
    expectCleanFault(r, /digest|manifest|json/i)
  })

  test('garbage instead of the image tag\'s manifest is a registry fault naming the tag (exit 1), not "no signatures"', async () => {
    const {ref, repository} = await signedImage()
    proxy.setRule((m, p) =>
      p === `/v2/${repository}/manifests/v1` && m === 'GET'
        ? {kind: 'respond', status: 200, headers: {'content-type': 'application/vnd.oci.image.manifest.v1+json'}, body: 'this is not a manifest {'}
        : {kind: 'pass'},
    )
    const r = await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir})
    expectCleanFault(r, new RegExp(`^Error: the registry answered ${ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} with something that is not an image manifest \\(not JSON\\)$`, 'm'))
  })

  test('an image manifest whose bytes do not match its digest', async () => {
    const {ref, repository} = await signedImage()
    proxy.setRule((m, p) => (p === `/v2/${repository}/manifests/v1` && m === 'GET' ? {kind: 'replace-body', body: '{"schemaVersion":2}'} : {kind: 'pass'}))
    const r = await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir})
    expectCleanFault(r, /digest/i)
  })

  test('a payload blob that does not match its digest', async () => {
    const {ref} = await signedImage()
    proxy.setRule((m, p) => (p.includes('/blobs/sha256:') && m === 'GET' ? {kind: 'replace-body', body: '{"critical":{}}'} : {kind: 'pass'}))
    const r = await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir})
    expectCleanFault(r, /digest/i)
  })

  test('a payload blob longer than its descriptor is refused by its length, not read to the end', async () => {
    const {ref} = await signedImage()
    const long = Buffer.alloc(8 * 1024 * 1024, 0x20) // 8 MiB, under the 128 MiB payload limit
    proxy.setRule((m, p) => (p.includes('/blobs/sha256:') && m === 'GET' ? {kind: 'replace-body', body: long} : {kind: 'pass'}))
    const r = await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir})
    expectCleanFault(r, /too large: Content-Length 8388608 bytes \(limit \d{3,4} bytes\)/)
  })

  test('a connection dropped mid-request', async () => {
    const {ref, sigPath} = await signedImage()
    proxy.setRule((_m, p) => (p === sigPath ? {kind: 'reset'} : {kind: 'pass'}))
    const r = await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir})
    expectCleanFault(r, new RegExp(proxy.host.replace(/\./g, '\\.')))
  })
})

describe('sign against a faulty registry leaves nothing half-written', () => {
  test('the manifest PUT fails: the .sig tag still holds exactly the old signatures', async () => {
    const {ref, repository, sigPath, digest} = await signedImage()
    const before = await client.getManifest({registry: registry.host, repository}, `sha256-${digest.slice(7)}.sig`)
    proxy.setRule((m, p) => (p === sigPath && m === 'PUT' ? {kind: 'respond', status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"nope"}]}'} : {kind: 'pass'}))
    const r = await sigil(['sign', '--key', 'cosign.key', '-a', 'second=1', ref], {cwd: dir, env})
    expectCleanFault(r, /500|nope/)
    const after = await client.getManifest({registry: registry.host, repository}, `sha256-${digest.slice(7)}.sig`)
    expect(after.digest).toBe(before.digest)
  })

  test('a blob upload fails: no manifest is pushed at all', async () => {
    const repository = `faults/blobfail${++n}`
    await pushRandomImage(client, {registry: registry.host, repository}, 'v1')
    proxy.setRule((m, p) => (p.includes('/blobs/uploads/') && m === 'PUT' ? {kind: 'respond', status: 503, body: ''} : {kind: 'pass'}))
    proxy.requests.length = 0
    const r = await sigil(['sign', '--key', 'cosign.key', `${proxy.host}/${repository}:v1`], {cwd: dir, env})
    expectCleanFault(r, /503/)
    expect(proxy.requests.some((l) => l.startsWith('PUT') && l.includes('/manifests/'))).toBe(false)
  })
})
