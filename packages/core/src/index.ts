/**
 * @sigil/core: contracts, errors, and byte-exact cosign formats. No runtime dependencies, no I/O.
 */
export type {
  GeneratedKey,
  GenerateKeyOptions,
  HashAlgorithm,
  KeyContext,
  KeyProvider,
  PublicKeyInfo,
  RegistryAdapter,
  RegistryCapabilities,
  RegistryCredential,
  RegistryEndpoint,
  SigilPlugin,
  SigilPluginHookOptions,
  SignatureAlgorithm,
  Signer,
  Verifier,
  VerifyOptions,
} from './contracts.js'

export {SigilError, isSigilError, wrap} from './errors.js'
export type {SigilErrorCode} from './errors.js'

export {isDigest, parseDigest, sha256Digest} from './digest.js'
export {createLocalVerifier} from './local-verifier.js'
export type {VerificationScheme} from './local-verifier.js'
export type {DigestAlgorithm, ParsedDigest} from './digest.js'

export {goJsonString, goMarshal, sortedKeys} from './go-json.js'

export {DEFAULT_REGISTRY, DEFAULT_TAG, isValidTag, parseReference, parseRepository, withDigest, withTag} from './reference.js'
export type {ImageReference, RepositoryReference} from './reference.js'

export {
  COSIGN_SIGNATURE_TYPE,
  SIMPLE_SIGNING_MEDIA_TYPE,
  buildPayload,
  checkClaims,
  parseAnnotationFlags,
  parsePayload,
} from './simple-signing.js'
export type {BuildPayloadOptions, CheckClaimsOptions, ClaimCheckResult, SimpleSigningPayload} from './simple-signing.js'

export {
  BUNDLE_ANNOTATION,
  CERTIFICATE_ANNOTATION,
  CHAIN_ANNOTATION,
  DOCKER_CONFIG_MEDIA_TYPE,
  DOCKER_LIST_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  MAX_SIGNATURE_LAYERS,
  OCI_CONFIG_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  SIGNATURE_ANNOTATION,
  appendSignatureLayer,
  buildSignatureConfig,
  buildSignatureManifest,
  isDuplicateSignature,
  parseSignatureManifest,
  signatureTag,
} from './signature-manifest.js'
export type {
  BuildSignatureManifestOptions,
  Descriptor,
  Platform,
  SignatureLayers,
  SignatureManifest,
  VerifyExistingSignature,
} from './signature-manifest.js'

export * as formats from './formats.js'
