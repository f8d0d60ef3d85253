/**
 * @sigil/key-file: cosign-compatible key files (encrypted `cosign.key`, `cosign.pub`,
 * `env://` keys), signers and verifiers for them, and the file KeyProvider.
 */
export {KeyFileError} from './error.js'
export type {KeyFileErrorCode} from './error.js'

export {
  ACCEPTED_SCRYPT_N,
  DEFAULT_KEY_ENCRYPTION,
  decryptCosignKey,
  encryptCosignKey,
  inspectCosignKey,
} from './encrypted-key.js'
export type {
  CosignKeyInfo,
  CosignKeyLabel,
  DecryptCosignKeyOptions,
  EncryptCosignKeyOptions,
  ScryptN,
} from './encrypted-key.js'

/** Core's public-key codec, re-exported where users of this package have always found it. */
export {encodePublicKeyPem, parsePublicKeyPem, publicKeyFromPkcs8} from '@sigil/core'
export type {ParsePublicKeyOptions} from '@sigil/core'

export {createSigner} from './signer.js'
export type {CreateSignerOptions, FileSignerAlgorithm} from './signer.js'
export {createVerifier} from './verifier.js'

export {generatePrivateKey, importPrivateKeyPem} from './import-key.js'
export type {ImportPrivateKeyOptions} from './import-key.js'

export {MAX_RSA_BITS, MIN_RSA_BITS} from '@sigil/core'

export {fileKeyProvider} from './provider.js'
export type {FileKeyProvider, FileKeyProviderDeps, FileKeyProviderOptions, ImportKeyPairOptions} from './provider.js'
export type {KeyFileHandle, KeyFileSystem} from './atomic-write.js'
