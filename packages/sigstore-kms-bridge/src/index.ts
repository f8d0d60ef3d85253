export {EXECUTABLE_PREFIX, sigstoreKmsProvider} from './provider.js'
export type {SigstoreKmsProviderOptions} from './provider.js'
export {invokePlugin, PROTOCOL_VERSION, GO_HASH} from './protocol.js'
export type {PluginCall, PluginMethod, PluginResponse} from './protocol.js'
