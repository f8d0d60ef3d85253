/**
 * @sigil/testkit: the conformance suites every sigil plugin passes, ours and third parties'
 * alike. The caller passes vitest's `test`; the kit depends on `@sigil/core` and vitest only.
 */
export {keyProviderSuite} from './key-provider-suite.js'
export type {KeyProviderSuiteOptions} from './key-provider-suite.js'
export {registryAdapterSuite} from './registry-adapter-suite.js'
export type {RegistryAdapterLiveSetup, RegistryAdapterSuiteOptions} from './registry-adapter-suite.js'
export type {
  AdapterRegistryClient,
  RegistryInspector,
  RegistryManifest,
  RegistryRepository,
  RegistryRequest,
} from './registry-client.js'
export {
  attachmentStoreBasicTests,
  attachmentStoreFaultTests,
  attachmentStoreAddTests,
  attachmentStoreDeleteTests,
  attachmentStoreIsolationTests,
  attachmentStoreListTests,
  attachmentStoreManyTests,
  attachmentStoreReadTests,
  attachmentStoreSuite,
} from './attachment-store-suite.js'
export type {AttachmentFormat, AttachmentItem, AttachmentStoreBackdoor, AttachmentStoreSuiteOptions} from './attachment-store-options.js'
export {memoryAttachmentStore} from './memory-attachment-store.js'
export type {MemoryAttachmentStore, MemoryAttachmentStoreOptions} from './memory-attachment-store.js'
