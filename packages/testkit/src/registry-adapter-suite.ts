/**
 * The conformance suite every registry adapter passes, ours and third parties' alike:
 *
 *   import {test} from 'vitest'
 *   import {registryAdapterSuite} from '@sigil/testkit'
 *   registryAdapterSuite(test, () => myAdapter(), {matching: ['my.registry'], notMatching: ['ghcr.io'], live: …})
 *
 * The caller supplies the test function (vitest's `test`); assertions use the test context's
 * `expect`. With `live`, a blob and a manifest are pushed through a client configured with the
 * adapter (its endpoint or a mirror mapping, its credentials) and read back through an
 * independent inspector client pointed straight at the backing registry: exactly those bytes
 * must have landed, and every request must have gone to the allowed origins only.
 */
import {createHash, randomBytes} from 'node:crypto'
import type {RegistryAdapter, RegistryCapabilities} from '@sigil/core'
import type {AdapterRegistryClient, RegistryInspector, RegistryRepository, RegistryRequest} from './registry-client.js'
import type {TestAPI} from 'vitest'

/** A live registry reachable through the adapter, set up by the caller. */
export interface RegistryAdapterLiveSetup {
  /** Registry host as references name it (`index.docker.io`, `ghcr.io`); the adapter must match it. */
  readonly host: string
  /** Repository to push to (`library/kit`). */
  readonly repository: string
  /**
   * A client configured with the adapter (endpoint/mirror, credentials) that reports every
   * request to `onRequest`; e.g. `@sigil/oci`'s `RegistryClient`.
   */
  readonly client: (adapter: RegistryAdapter, onRequest: (event: RegistryRequest) => void) => AdapterRegistryClient
  /** An independent client pointed straight at the backing registry (its own credentials). */
  readonly inspector: RegistryInspector
  /** The backing registry's host for the inspector (`127.0.0.1:PORT`). */
  readonly inspectorHost: string
  /** Origins the adapter-configured client may contact (the backing registry, its token server). */
  readonly allowedOrigins: readonly string[]
  /** Cleanup. */
  readonly stop?: () => Promise<void>
}

/** What differs between adapters. */
export interface RegistryAdapterSuiteOptions {
  /** Hosts the adapter must match. At least one. */
  readonly matching: readonly string[]
  /** Hosts it must not match. */
  readonly notMatching: readonly string[]
  /** Capabilities the adapter must declare (each given field compared). Default: only types checked. */
  readonly capabilities?: RegistryCapabilities
  /** A live registry; omit to run the static checks only. */
  readonly live?: () => Promise<RegistryAdapterLiveSetup>
}

const sha256 = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

/** Glob match of a `hosts` pattern: `*` stands for one or more characters other than `/`. */
function patternMatches(pattern: string, host: string): boolean {
  const re = new RegExp(`^${pattern.toLowerCase().split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}$`)
  return re.test(host.toLowerCase())
}

/** Register the registry-adapter conformance tests with `test`. */
export function registryAdapterSuite(
  test: TestAPI,
  makeAdapter: () => RegistryAdapter | Promise<RegistryAdapter>,
  options: RegistryAdapterSuiteOptions,
): void {
  test('the contract members exist and capabilities are declared', async ({expect}) => {
    const a = await makeAdapter()
    expect(typeof a.name).toBe('string')
    expect(a.name.length).toBeGreaterThan(0)
    expect(typeof a.matches).toBe('function')
    expect(typeof a.capabilities).toBe('object')
    expect(a.capabilities).not.toBeNull()
    for (const k of ['referrersApi', 'mutableTags', 'ociManifests'] as const) {
      const v = a.capabilities[k]
      expect(v === undefined || typeof v === 'boolean', `capabilities.${k}`).toBe(true)
    }
    if (options.capabilities !== undefined) expect(a.capabilities).toMatchObject(options.capabilities)
    if (a.hosts !== undefined) {
      expect(Array.isArray(a.hosts)).toBe(true)
      for (const h of a.hosts) expect(typeof h).toBe('string')
    }
    for (const m of ['credentials', 'endpoint'] as const) expect(['undefined', 'function']).toContain(typeof a[m])
  })

  test('matches() agrees with hosts on the samples', async ({expect}) => {
    const a = await makeAdapter()
    expect(options.matching.length).toBeGreaterThan(0)
    for (const h of options.matching) {
      expect(a.matches(h), `matches(${h})`).toBe(true)
      if (a.hosts !== undefined) expect(a.hosts.some((p) => patternMatches(p, h)), `hosts cover ${h}`).toBe(true)
    }
    for (const h of options.notMatching) {
      expect(a.matches(h), `matches(${h})`).toBe(false)
      if (a.hosts !== undefined) expect(a.hosts.some((p) => patternMatches(p, h)), `hosts exclude ${h}`).toBe(false)
    }
  })

  test('no credentials or endpoint for hosts it does not serve', async ({expect}) => {
    const a = await makeAdapter()
    for (const h of options.notMatching) {
      if (a.credentials) expect(await a.credentials(h, 'kit/other')).toBeUndefined()
      if (a.endpoint) expect(a.endpoint(h)).toBeUndefined()
    }
  })

  const live = options.live
  if (live === undefined) return

  test('a blob and a manifest pushed through the adapter land byte for byte; requests stay on the registry', async ({expect}) => {
    const setup = await live()
    try {
      const adapter = await makeAdapter()
      expect(adapter.matches(setup.host)).toBe(true)
      const events: RegistryRequest[] = []
      const client = setup.client(adapter, (e) => events.push(e))
      const repo: RegistryRepository = {registry: setup.host, repository: setup.repository}
      const direct: RegistryRepository = {registry: setup.inspectorHost, repository: setup.repository}

      const layer = new Uint8Array(randomBytes(1024 + Math.floor(Math.random() * 1024)))
      const config = new TextEncoder().encode(JSON.stringify({architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: [sha256(layer)]}}))
      const manifest = new TextEncoder().encode(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length},
          layers: [{mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length}],
        }),
      )
      const tag = `kit-${randomBytes(4).toString('hex')}`
      await client.uploadBlob(repo, sha256(layer), layer)
      await client.uploadBlob(repo, sha256(config), config)
      const {digest} = await client.putManifest(repo, tag, manifest, 'application/vnd.oci.image.manifest.v1+json')
      expect(digest).toBe(sha256(manifest))

      const seen = await setup.inspector.getManifest(direct, tag)
      expect(seen.digest).toBe(sha256(manifest))
      expect(Buffer.from(seen.bytes).equals(Buffer.from(manifest))).toBe(true)
      expect(Buffer.from(await setup.inspector.getBlob(direct, sha256(layer))).equals(Buffer.from(layer))).toBe(true)
      expect(Buffer.from(await setup.inspector.getBlob(direct, sha256(config))).equals(Buffer.from(config))).toBe(true)
      expect(await setup.inspector.listTags(direct)).toContain(tag)

      // Read back through the adapter too.
      expect((await client.getManifest(repo, tag)).digest).toBe(sha256(manifest))

      expect(events.length).toBeGreaterThan(0)
      const origins = new Set(events.map((e) => new URL(e.url).origin))
      for (const o of origins) expect(setup.allowedOrigins, `request to ${o}`).toContain(o)
    } finally {
      await setup.stop?.()
    }
  })
}
