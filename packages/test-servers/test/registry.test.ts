/**
 * startRegistry against the real docker-registry binary. Under CI=true a missing binary
 * fails this file; elsewhere the suite is skipped with the reason in its name.
 */
import {existsSync} from 'node:fs'
import {RegistryClient} from '@sigil/oci'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {REGISTRY_SKIP_REASON, pushRandomImage, requireRegistry, startRegistry, type TestRegistry} from '../src/index.js'

const available = requireRegistry()

describe.skipIf(!available)(`startRegistry${available ? '' : ` (${REGISTRY_SKIP_REASON})`}`, () => {
  let registry: TestRegistry
  beforeAll(async () => {
    registry = await startRegistry()
  })
  afterAll(async () => {
    await registry?.stop()
  })

  test('listens on 127.0.0.1, answers /v2/, logs requests', async () => {
    expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(registry.url).toBe(`http://${registry.host}`)
    const res = await fetch(`${registry.url}/v2/`)
    expect(res.status).toBe(200)
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
    await res.body?.cancel()
    expect(registry.logs()).toContain('listening on 127.0.0.1')
  })

  test('stores pushed images under storageDir', async () => {
    const client = new RegistryClient({credentials: async () => undefined})
    await pushRandomImage(client, {registry: registry.host, repository: 'kit/app'}, 'v1')
    expect(existsSync(`${registry.storageDir}/docker/registry/v2/repositories/kit/app`)).toBe(true)
  })

  test('stop() kills the registry and removes its temp dir; a second stop is a no-op', async () => {
    const other = await startRegistry()
    await other.stop()
    expect(existsSync(other.storageDir)).toBe(false)
    await expect(fetch(`${other.url}/v2/`)).rejects.toThrow()
    await other.stop()
  })

  test('two registries run side by side on different ports', async () => {
    const other = await startRegistry()
    try {
      expect(other.host).not.toBe(registry.host)
    } finally {
      await other.stop()
    }
  })
})

describe.skipIf(!available)(`startRegistry with htpasswd${available ? '' : ` (${REGISTRY_SKIP_REASON})`}`, () => {
  let registry: TestRegistry
  beforeAll(async () => {
    registry = await startRegistry({htpasswd: {username: 'kit', password: 'pässword with spaces'}})
  })
  afterAll(async () => {
    await registry?.stop()
  })

  test('anonymous /v2/ gets a Basic challenge; the bcrypt credentials are accepted', async () => {
    const anon = await fetch(`${registry.url}/v2/`)
    expect(anon.status).toBe(401)
    expect(anon.headers.get('www-authenticate')).toBe('Basic realm="sigil-test"')
    await anon.body?.cancel()
    const ok = await fetch(`${registry.url}/v2/`, {
      headers: {authorization: `Basic ${Buffer.from('kit:pässword with spaces').toString('base64')}`},
    })
    expect(ok.status).toBe(200)
    await ok.body?.cancel()
    expect(registry.htpasswd).toEqual({username: 'kit', password: 'pässword with spaces'})
  })
})
