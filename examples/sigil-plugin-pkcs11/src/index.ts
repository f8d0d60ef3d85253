/**
 * sigil-plugin-pkcs11: a `pkcs11:` (RFC 7512) key provider for sigil, for HSMs and smart cards.
 */
export {pkcs11Provider} from './provider.js'
export type {Pkcs11ProviderOptions} from './provider.js'
export {
  MODULE_ENV_VARS,
  PIN_ENV_VAR,
  isPkcs11Uri,
  parsePkcs11Uri,
  percentDecode,
  redactPkcs11Uri,
  resolveModulePath,
  resolvePin,
} from './uri.js'
export type {Pkcs11ObjectType, Pkcs11Uri} from './uri.js'
export {derToRaw, rawToDer} from './ecdsa.js'
export {default as sigilPlugin} from './plugin.js'
