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
