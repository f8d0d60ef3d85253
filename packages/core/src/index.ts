/**
 * @sigil/core: contracts, errors, byte-exact cosign formats (references, payloads, digests, PEM
 * and SPKI public keys; cosign 3's DSSE envelopes, in-toto statements, sigstore bundles and
 * OCI 1.1 referrers), and the host rules every package shares. No runtime dependencies, no I/O.
 */
export type {
  AddAttachmentOptions,
  AddAttachmentResult,
  AttachmentKind,
  AttachmentStore,
  AttachmentSubject,
  GeneratedKey,
  GenerateKeyOptions,
  HashAlgorithm,
  KeyCache,
  KeyContext,
  KeyProvider,
  MessageVerification,
  NewAttachment,
  PublicKeyInfo,
  RegistryAdapter,
  RegistryCapabilities,
  RegistryCredential,
  RegistryEndpoint,
  SigilPlugin,
  SigilPluginHookOptions,
  SignatureAlgorithm,
  Signer,
  StoredAttachment,
  Verifier,
  VerifyOptions,
} from './contracts.js'

export {SigilError, isSigilError, wrap} from './errors.js'
export type {SigilErrorCode} from './errors.js'

export {
  DIGEST_ALGORITHMS,
  DIGEST_HEX_LENGTH,
  computeDigest,
  digestMatches,
  isDigest,
  isDigestAlgorithm,
  isDigestSyntax,
  parseDigest,
  sha256Digest,
} from './digest.js'
export {createLocalVerifier} from './local-verifier.js'
export {HASH_BYTES, checkDigestArgs, checkDigestLength, defaultSignatureAlgorithm, sha256DigestInfo, signatureHash} from './signature-hash.js'
export type {VerificationScheme} from './local-verifier.js'
export type {DigestAlgorithm, ParsedDigest} from './digest.js'

export {decodeStdBase64, encodeStdBase64} from './base64.js'
export {readDerElement, readDerUnsignedInteger} from './der.js'
export type {DerElement} from './der.js'
export {decodePem, encodePem, isPrivateKeyPemType, isPublicKeyPemType} from './pem.js'
export type {PemBlock} from './pem.js'
export {EC_COORDINATE_BYTES, EC_CURVE_OIDS, canonicalSpki, ecSpki, encodePublicKeyPem, isCanonicalSpki, uncompressedEcPoint} from './spki.js'
export type {EcCurve} from './spki.js'
export {parsePublicKeyPem, publicKeyFromPkcs8, publicKeyInfoFromKey} from './public-key.js'
export type {ParsePublicKeyOptions} from './public-key.js'
export {MAX_RSA_BITS, MIN_RSA_BITS, describeSupportedKey} from './key-types.js'
export {formatSshPublicKey, parseSshPublicKey, parseSshsig, signSshsig, sshPublicKeyBlob, sshSignatureAlgorithm} from './sshsig.js'
export type {SshPublicKey, Sshsig, SshsigHash} from './sshsig.js'
export type {KeyDescription} from './key-types.js'

export {
  DOCKER_HUB_CONFIG_KEY,
  DOCKER_HUB_HOSTS,
  DOCKER_HUB_REGISTRY,
  canonicalRegistryHost,
  dockerConfigKey,
  isDockerHubHost,
  isLoopbackHost,
  isRegistryHost,
} from './hosts.js'

export {crc32c} from './crc32c.js'
export {lazyModule} from './lazy-module.js'
export {readCacheEntry, writeCacheEntry} from './key-cache.js'
export type {LazyModuleOptions} from './lazy-module.js'

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
  ATTACHMENT_KINDS,
  ATTACHMENT_TAG_SUFFIX,
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

export {DSSE_ENVELOPE_MEDIA_TYPE, IN_TOTO_PAYLOAD_TYPE, MAX_DSSE_ENVELOPE_BYTES, MAX_DSSE_SIGNATURES, buildDsseEnvelope, dssePae, parseDsseEnvelope} from './dsse.js'
export type {DsseEnvelope, DsseEnvelopeStyle, DsseSignature, ParseDsseEnvelopeOptions} from './dsse.js'

export {
  COSIGN_PREDICATE_TYPES,
  COSIGN_SIGN_PREDICATE_TYPE,
  IN_TOTO_STATEMENT_V01,
  IN_TOTO_STATEMENT_V1,
  MAX_STATEMENT_BYTES,
  MAX_STATEMENT_SUBJECTS,
  MAX_SUBJECT_DIGESTS,
  buildAttestationStatement,
  buildCosignSignStatement,
  parseInTotoStatement,
  predicateTypeForFlag,
} from './in-toto.js'
export type {
  AttestationStatementOptions,
  AttestationSubject,
  CosignSignStatementOptions,
  InTotoStatement,
  InTotoStatementVersion,
  InTotoSubject,
  ParseStatementOptions,
} from './in-toto.js'

export {
  MAX_BUNDLE_BYTES,
  MAX_BUNDLE_TIMESTAMPS,
  MAX_BUNDLE_TLOG_ENTRIES,
  SIGSTORE_BUNDLE_MEDIA_TYPES,
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  buildDsseBundle,
  buildMessageSignatureBundle,
  parseSigstoreBundle,
  publicKeyHint,
} from './sigstore-bundle.js'
export type {
  BuildDsseBundleOptions,
  BuildMessageSignatureBundleOptions,
  BundleMessageSignature,
  BundleVerificationMaterial,
  ParseSigstoreBundleOptions,
  SigstoreBundle,
  SigstoreBundleVersion,
} from './sigstore-bundle.js'

export {
  BUNDLE_CONTENT_ANNOTATION,
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
  MAX_REFERRER_MANIFEST_BYTES,
  MAX_REFERRERS_INDEX_ENTRIES,
  OCI_CREATED_ANNOTATION,
  OCI_EMPTY_DIGEST,
  OCI_EMPTY_JSON,
  OCI_EMPTY_MEDIA_TYPE,
  addToReferrersIndex,
  buildBundleReferrerManifest,
  buildReferrersIndex,
  formatRfc3339Seconds,
  parseReferrerManifest,
  parseReferrersIndex,
  referrersIndexEntry,
  referrersTag,
  removeFromReferrersIndex,
  sigstoreBundleLayer,
} from './referrers.js'
export type {
  AddToReferrersIndexResult,
  BundleReferrerManifestOptions,
  IndexDescriptor,
  ParseReferrerOptions,
  ParseReferrersIndexOptions,
  ReferrerManifest,
  ReferrersIndex,
  RemoveFromReferrersIndexResult,
} from './referrers.js'

export {
  MESSAGE_DIGEST_ALGORITHMS,
  bundleStatement,
  checkImageSignatureStatement,
  checkMessageSignatureDigest,
  cosignVerifyOutputEntry,
  isBundleForOtherKey,
  checkAttestationStatement,
  envelopeStatement,
} from './bundle-claims.js'
export {MAX_PREDICATE_BYTES, attestationPredicate} from './attestation-predicate.js'
export type {AttestationPredicate, AttestationPredicateOptions} from './attestation-predicate.js'
export type {BundleStatement, CosignVerifyOutputOptions, ImageSignatureCheckOptions} from './bundle-claims.js'

export * as formats from './formats.js'

export {
  LAYOUT_KIND_ANNOTATION,
  LAYOUT_KINDS,
  LAYOUT_REF_NAME_ANNOTATION,
  MAX_LAYOUT_INDEX_BYTES,
  OCI_LAYOUT_FILE,
  OCI_LAYOUT_VERSION,
  buildLayoutIndex,
  buildLayoutMarker,
  checkLayoutMarker,
  parseLayoutIndex,
} from './oci-layout.js'
export type {LayoutIndex} from './oci-layout.js'
export {buildLegacyBlobBundle, parseBlobBundle} from './blob-bundle.js'
export type {BlobBundle, LegacyBlobBundle} from './blob-bundle.js'
