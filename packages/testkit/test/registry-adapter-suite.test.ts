/**
 * registryAdapterSuite run against a trivial generic reference adapter: `registry.kit.test`
 * served by a real token-auth docker-registry on loopback (endpoint remapped by the adapter).
 * Also checks that the suite itself catches a broken adapter.
 */
import {describe, expect, test} from 'vitest'
import type {RegistryAdapter, RegistryCredential} from '@sigil/core'
import {RegistryClient} from '@sigil/oci'
import {REGISTRY_SKIP_REASON, requireRegistry, startRegistry} from '@sigil/test-servers'
import {registryAdapterSuite} from '../src/index.js'

const USER = {username: 'kit', password: 'kit-secret'}

/** The simplest adapter: one host, an endpoint, fixed Basic credentials. */
function referenceAdapter(endpoint = 'https://registry.kit.test', credential?: RegistryCredential): RegistryAdapter {
  const matches = (h: string): boolean => h.toLowerCase() === 'registry.kit.test'
  return {
    name: 'kit-reference',
    hosts: ['registry.kit.test'],
    matches,
    capabilities: {referrersApi: false, mutableTags: true, ociManifests: true},
    credentials: async (host) => (matches(host) ? credential : undefined),
    endpoint: (host) => (matches(host) ? {url: endpoint} : undefined),
  }
}

describe('registryAdapterSuite: static checks only', () => {
  registryAdapterSuite(test, () => referenceAdapter(), {
    matching: ['registry.kit.test', 'REGISTRY.kit.test'],
    notMatching: ['ghcr.io', 'kit.test', 'registry.kit.test.evil.example'],
    capabilities: {referrersApi: false},
  })
})

const available = requireRegistry()
describe.skipIf(!available)(`registryAdapterSuite: live, token auth${available ? '' : ` (${REGISTRY_SKIP_REASON})`}`, () => {
  let endpoint = ''
  registryAdapterSuite(test, () => referenceAdapter(endpoint, {kind: 'basic', ...USER}), {
    matching: ['registry.kit.test'],
    notMatching: ['index.docker.io'],
    live: async () => {
      const registry = await startRegistry({tokenAuth: {users: {[USER.username]: {password: USER.password, access: {'kit/app': ['pull', 'push']}}}}})
      endpoint = registry.url
      return {
        host: 'registry.kit.test',
        repository: 'kit/app',
        client: (adapter, onRequest) =>
          new RegistryClient({
            endpoint: (h) => adapter.endpoint?.(h)?.url,
            credentials: async (h, r) => adapter.credentials?.(h, r),
            onRequest,
          }),
        inspector: new RegistryClient({credentials: async () => ({kind: 'basic', ...USER})}),
        inspectorHost: registry.host,
        allowedOrigins: [registry.url, registry.tokenServer!.url],
        stop: () => registry.stop(),
      }
    },
  })
})

describe('the suite catches a broken adapter', () => {
  test('matches() disagreeing with hosts fails the check', async () => {
    const results: {name: string; error?: unknown}[] = []
    const fakeTest = ((name: string, fn: (ctx: {expect: typeof expect}) => Promise<void>) => {
      results.push({name})
      const entry = results[results.length - 1]!
      pending.push(fn({expect}).catch((error: unknown) => void (entry.error = error)))
    }) as unknown as Parameters<typeof registryAdapterSuite>[0]
    const pending: Promise<void>[] = []
    const broken: RegistryAdapter = {...referenceAdapter(), hosts: ['other.kit.test']}
    registryAdapterSuite(fakeTest, () => broken, {matching: ['registry.kit.test'], notMatching: []})
    await Promise.all(pending)
    expect(results.find((r) => r.name.startsWith('matches()'))?.error).toBeDefined()
    expect(results.find((r) => r.name.startsWith('the contract members'))?.error).toBeUndefined()
  })
})
