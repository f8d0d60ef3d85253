export {cliPluginProvider, EXECUTABLE_PREFIX} from './provider.js'
export type {CliPluginProviderOptions} from './provider.js'
export {invokePlugin, PROTOCOL_VERSION, GO_HASH} from './protocol.js'
export type {PluginCall, PluginMethod, PluginResponse} from './protocol.js'
