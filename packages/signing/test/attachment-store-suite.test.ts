/**
 * The attachment-store conformance suite on both registry stores: the legacy tags and the
 * referrers store, through its tag-schema fallback on the real registry and through the OCI 1.1
 * referrers API (the referrers proxy in front of it). Writers: ./attachment-writers.ts.
 */
import {RegistryClient} from '@sigil/oci'
import {REGISTRY_SKIP_REASON, requireRegistry, startReferrersProxy, startRegistry} from '@sigil/test-servers'
import type {ReferrersProxy, TestRegistry} from '@sigil/test-servers'
import {attachmentStoreSuite} from '@sigil/testkit'
import {afterAll, beforeAll, describe, test} from 'vitest'
import {legacyTagStore, referrersStore} from '../src/index.js'
import {legacyTagWriter, referrersWriter, registrySubjects} from './attachment-writers.js'

const available = requireRegistry()
const BUNDLES = {signature: 'sigstore-bundle', attestation: 'sigstore-bundle'} as const
const client = new RegistryClient()
let registry: TestRegistry
let proxy: ReferrersProxy
beforeAll(async () => {
  if (!available) return
  registry = await startRegistry()
  proxy = await startReferrersProxy(registry)
})
afterAll(async () => {
  await proxy?.close()
  await registry?.stop()
})

describe.skipIf(!available)(`attachment stores pass the conformance suite${available ? '' : ` (${REGISTRY_SKIP_REASON})`}`, () => {
  describe('legacyTagStore', () => {
    attachmentStoreSuite(test, {
      store: () => legacyTagStore({client: new RegistryClient()}),
      subject: (sibling) => registrySubjects(client, registry.host)(sibling),
      ...legacyTagWriter(client),
      order: 'seeded',
    })
  })

  describe('referrersStore: the sha256-<hex> tag schema on a registry without the referrers API', () => {
    attachmentStoreSuite(test, {
      store: () => referrersStore({client: new RegistryClient()}),
      subject: (sibling) => registrySubjects(client, registry.host)(sibling),
      ...referrersWriter(client, {index: 'tag-schema'}),
      formats: BUNDLES,
    })
  })

  describe('referrersStore: the OCI 1.1 referrers API', () => {
    attachmentStoreSuite(test, {
      store: () => referrersStore({client: new RegistryClient(), referrersApi: true}),
      subject: (sibling) => registrySubjects(client, proxy.host)(sibling),
      ...referrersWriter(client, {index: 'api'}),
      formats: BUNDLES,
    })
  })
})
