/**
 * @sigil/oci — a generic OCI distribution client (manifests, blobs, auth, retries).
 * All HTTP goes through one transport (`http/`); nothing here prints.
 */
export {fileChallengeStore} from './auth/index.js'
export {RegistryClient} from './registry-client.js'
export type {
  FetchedManifest,
  GetBlobOptions,
  GetManifestOptions,
  ManifestDescriptor,
  ReferrersAnswer,
  RegistryClientOptions,
  RepositoryRef,
} from './registry-client.js'
export type {RateLimitInfo, RequestEvent, RetryOptions} from './http/index.js'
export {dockerConfigCredentials, dockerConfigFile, findAuthFile} from './docker-config.js'
export {DOCKER_HUB_CONFIG_KEY as DOCKER_HUB_AUTH_KEY, canonicalRegistryHost, isLoopbackHost} from '@sigil/core'
export type {CredentialSource, CredentialsFunction, DockerConfigCredentialsOptions} from './docker-config.js'
export {credentialHelperErase, credentialHelperGet, credentialHelperStore} from './credential-helper.js'
export type {CredentialHelperOptions} from './credential-helper.js'
export {eraseLogin, loginServer, storeLogin} from './docker-login.js'
export {writeCacheFileSync, writeFileAtomic} from './atomic-file.js'
export type {LoginStoreOptions, LoginStoreResult} from './docker-login.js'
export {checkRegistryLogin} from './login-check.js'
export type {CheckLoginOptions} from './login-check.js'
export {parseWwwAuthenticate} from './auth/index.js'
export type {AuthChallenge, ChallengeStore, KnownChallenge} from './auth/index.js'
export {registryBaseUrl, registryScheme} from './transport-policy.js'
export {useExtraCaCertificates} from './http/index.js'
export type {TransportPolicyOptions} from './transport-policy.js'
export {parseRegistryErrors} from './error.js'
export type {OciErrorCode, RegistryErrorEntry} from './error.js'
export {DEFAULT_MANIFEST_ACCEPT} from './media-types.js'
export {loadRegistryMirrors, parseRegistryMirrors, registryMirrorsFile} from './mirrors.js'
export type {RegistryMirror, RegistryMirrors} from './mirrors.js'
export {fetchUrlDocument} from './url-document.js'
export type {FetchUrlDocumentOptions} from './url-document.js'
export {createOciLayout, openOciLayout} from './oci-layout.js'
export type {CreateOciLayoutOptions, OciLayoutReader, OciLayoutWriter} from './oci-layout.js'
