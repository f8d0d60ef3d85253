/** @sigil/registry-ghcr — the GitHub Container Registry adapter (a sigil plugin). */
export {GHCR_CAPABILITIES, GHCR_DEFAULT_USERNAME, GHCR_HOST, ghcrAdapter, ghcrAmbientCredential} from './adapter.js'
export type {GhcrAdapter, GhcrAdapterOptions} from './adapter.js'
