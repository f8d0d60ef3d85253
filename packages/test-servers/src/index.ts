/**
 * @sigil/test-servers (private): sigil's own tests' peers on loopback — a real distribution
 * registry (`startRegistry`), random images (`pushRandomImage`), a fault proxy, a proxy adding the
 * OCI 1.1 referrers API (`startReferrersProxy`), a token server, AWS KMS/ECR and Cloud KMS servers
 * doing real crypto, and the real cosign 2 and 3. The conformance
 * suites third parties install are in `@sigil/testkit`.
 */
export {REGISTRY_SKIP_REASON, registryAvailable, registryBinary, requireRegistry, startRegistry} from './registry.js'
export type {StartRegistryOptions, TestRegistry} from './registry.js'
export {libtrustKeyId, startTokenServer} from './token-server.js'
export {installCredentialHelper} from './credential-helper.js'
export type {TestCredentialHelper} from './credential-helper.js'
export type {StartTokenServerOptions, TokenAccess, TokenRequest, TokenServer} from './token-server.js'
export {DEFAULT_PLATFORMS, OCI_LAYER_GZIP_MEDIA_TYPE, pushIndex, pushMultiPlatformImage, pushRandomImage, tarWithFile} from './image.js'
export type {
  ImageFormat,
  ImagePlatform,
  IndexEntry,
  MultiPlatformImage,
  PushedImage,
  PushedManifest,
  PushMultiPlatformImageOptions,
  PushRandomImageOptions,
} from './image.js'
export {bcryptHash} from './bcrypt.js'
export {
  COSIGN3_NO_SERVICES_SIGNING_CONFIG,
  COSIGN3_VERIFY_KEY_ARGS,
  DEAD_PROXY,
  cosign3SignArgs,
  cosign3SigningConfig,
  findCosign,
  findCosign3,
  requireCosign,
  requireCosign3,
  requireSkopeoSigstore,
  runCosign,
  type CosignResult,
  type RunCosignOptions,
} from './cosign.js'
export {startFaultProxy} from './fault-proxy.js'
export {startReferrersProxy} from './referrers-proxy.js'
export type {ProxyExchange, RecordedReferrer, ReferrerDescriptor, ReferrersProxy, ReferrersProxyOptions} from './referrers-proxy.js'
export type {Fault, FaultProxy} from './fault-proxy.js'
export {startAwsKmsServer} from './aws-kms-server.js'
export type {
  AwsKmsKeySpec,
  AwsKmsKeyState,
  AwsKmsKeyUsage,
  AwsKmsRequest,
  AwsKmsServerOptions,
  AwsKmsTestKey,
  AwsKmsTestServer,
  CreateTestKeyOptions,
} from './aws-kms-server.js'
export {startEcrServer} from './ecr-server.js'
export type {EcrRequest, EcrServerOptions, EcrTestServer} from './ecr-server.js'
export {GCP_KMS_SIGN_ALGORITHMS, startGcpKmsServer} from './gcp-kms-server.js'
export type {
  GcpKmsCall,
  GcpKmsCorruption,
  GcpKmsFault,
  GcpKmsFaultCode,
  GcpKmsMethod,
  GcpKmsPurpose,
  GcpKmsServer,
  GcpKmsSignAlgorithm,
  GcpKmsVersionState,
  SeedKeyOptions,
  SeededKeyVersion,
  StartGcpKmsServerOptions,
} from './gcp-kms-server.js'
export {AWS_OFFLINE_ENV, GCP_OFFLINE_ENV} from './offline-env.js'
export {ephemeralKeys} from './ephemeral-keys.js'
export {runWithBlockedModules} from './module-guard.js'
export type {BlockedModulesOptions, BlockedModulesRun} from './module-guard.js'
export {seededRandom} from './seeded-random.js'
