/**
 * @sigil/testkit — helpers for tests against real services: a local distribution registry
 * (`startRegistry`), random images (`pushRandomImage`) and the real cosign as a peer.
 */
export {REGISTRY_SKIP_REASON, registryAvailable, registryBinary, requireRegistry, startRegistry} from './registry.js'
export type {StartRegistryOptions, TestRegistry} from './registry.js'
export {OCI_LAYER_GZIP_MEDIA_TYPE, pushRandomImage, tarWithFile} from './image.js'
export type {ImagePlatform, PushedImage, PushRandomImageOptions} from './image.js'
export {bcryptHash} from './bcrypt.js'
export {DEAD_PROXY, findCosign, requireCosign, runCosign, type CosignResult, type RunCosignOptions} from './cosign.js'
export {startFaultProxy} from './fault-proxy.js'
export type {Fault, FaultProxy} from './fault-proxy.js'
