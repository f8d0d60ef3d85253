/**
 * @sigil/kms-gcp: Google Cloud KMS keys (`gcpkms://projects/P/locations/L/keyRings/R/cryptoKeys/K[/cryptoKeyVersions/V]`)
 * for sigil, as cosign uses them. The CLI picks the provider up through the `sigil:plugin` hook
 * (`@sigil/kms-gcp/plugin`); `@google-cloud/kms` is loaded only when a key is used.
 */
export {gcpKmsProvider} from './provider.js'
export type {GcpKmsProvider, GcpKmsProviderDeps, GcpKmsProviderOptions, GcpKmsRetryOptions} from './provider.js'
export type {
  GcpAsymmetricSignResponse,
  GcpCryptoKey,
  GcpCryptoKeyVersion,
  GcpInt64Value,
  GcpKmsClient,
  GcpKmsClientFactory,
  GcpPublicKey,
} from './client.js'
export {GCP_KMS_SCHEME, isGcpKmsUri, parseGcpKmsUri} from './uri.js'
export type {GcpKmsKeyRef} from './uri.js'
export {GCP_KMS_SIGNING_ALGORITHMS, gcpKmsAlgorithm} from './algorithms.js'
export type {GcpKmsAlgorithmInfo, GcpKmsDigest} from './algorithms.js'
export {GCP_KMS_ENDPOINT_VARIABLE, gcpKmsEndpoint} from './endpoint.js'
export type {GcpKmsEndpoint} from './endpoint.js'
/** Core's CRC32C, re-exported where users of this package have always found it. */
export {crc32c} from '@sigil/core'
export {GcpKmsError, mapError as mapGcpKmsError} from './error.js'
export type {GcpKmsErrorCode} from './error.js'
