/**
 * The Cloud KMS client: the subset of `KeyManagementServiceClient` the provider calls, and how
 * it is made for an endpoint. `@google-cloud/kms` and `@grpc/grpc-js` are loaded on the first
 * client, never when the plugin loads.
 */
import {lazyModule} from '@sigil/core'
import {gcpKmsEndpoint} from './endpoint.js'
import {CREDENTIALS_HELP, GcpKmsError, statusDetails} from './error.js'

/** An `Int64Value` as the client returns it (`longs: String`) or accepts it. */
export interface GcpInt64Value {
  value?: string | number | {toString(): string} | null
}

/** The parts of `google.cloud.kms.v1` messages this provider reads. */
export interface GcpCryptoKey {
  name?: string | null
  purpose?: string | number | null
}
export interface GcpCryptoKeyVersion {
  name?: string | null
  state?: string | number | null
  algorithm?: string | number | null
}
export interface GcpPublicKey {
  pem?: string | null
  algorithm?: string | number | null
  pemCrc32c?: GcpInt64Value | null
  name?: string | null
}
export interface GcpAsymmetricSignResponse {
  signature?: Uint8Array | string | null
  signatureCrc32c?: GcpInt64Value | null
  verifiedDigestCrc32c?: boolean | null
  name?: string | null
}

/**
 * The subset of `KeyManagementServiceClient` (from `@google-cloud/kms`) the provider calls;
 * the real client satisfies it. Each method resolves to `[response, ...]` as the SDK does.
 */
export interface GcpKmsClient {
  getCryptoKey(request: {name: string}): Promise<[GcpCryptoKey, ...unknown[]]>
  getCryptoKeyVersion(request: {name: string}): Promise<[GcpCryptoKeyVersion, ...unknown[]]>
  listCryptoKeyVersions(
    request: {parent: string; filter: string; orderBy: string},
    options: {autoPaginate: false},
  ): Promise<[GcpCryptoKeyVersion[], ...unknown[]]>
  getPublicKey(request: {name: string}): Promise<[GcpPublicKey, ...unknown[]]>
  asymmetricSign(request: {
    name: string
    digest: Partial<Record<'sha256' | 'sha384' | 'sha512', Uint8Array>>
    digestCrc32c: {value: number}
  }): Promise<[GcpAsymmetricSignResponse, ...unknown[]]>
  getKeyRing(request: {name: string}): Promise<[{name?: string | null}, ...unknown[]]>
  createKeyRing(request: {parent: string; keyRingId: string; keyRing: object}): Promise<[{name?: string | null}, ...unknown[]]>
  createCryptoKey(request: {
    parent: string
    cryptoKeyId: string
    cryptoKey: {purpose: string; versionTemplate: {algorithm: string}}
  }): Promise<[GcpCryptoKey, ...unknown[]]>
  close?(): Promise<void>
}

/** Builds a client from the derived options (tests, or callers bringing their own client). */
export type GcpKmsClientFactory = (clientOptions: Record<string, unknown>) => GcpKmsClient | Promise<GcpKmsClient>

const sdkError = (message: string, cause: unknown) => new GcpKmsError('KMS_ERROR', message, {cause})
const loadSdk = lazyModule(() => import('@google-cloud/kms'), {name: '@google-cloud/kms', neededFor: 'gcpkms:// keys', error: sdkError})
const loadGrpc = lazyModule(() => import('@grpc/grpc-js'), {name: '@grpc/grpc-js', neededFor: 'a plaintext Cloud KMS endpoint', error: sdkError})

/**
 * The client for the endpoint `env` names (`CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS`), with
 * `extraOptions` applied over the derived options; `factory` replaces the SDK's constructor.
 * @throws GcpKmsError INVALID_ARGUMENT (endpoint), KMS_ERROR (SDK missing), KMS_CREDENTIALS_MISSING
 */
export async function createGcpKmsClient(
  env: Readonly<Record<string, string | undefined>>,
  extraOptions: Readonly<Record<string, unknown>> | undefined,
  factory: GcpKmsClientFactory | undefined,
): Promise<GcpKmsClient> {
  const endpoint = gcpKmsEndpoint(env)
  const clientOptions: Record<string, unknown> = {}
  if (endpoint.kind !== 'default') {
    clientOptions.apiEndpoint = endpoint.host
    clientOptions.port = endpoint.port
  }
  if (endpoint.kind === 'plaintext') {
    const grpc = await loadGrpc()
    clientOptions.sslCreds = grpc.credentials.createInsecure()
    // Plaintext means a loopback emulator: no credentials, so the auth library has nothing to
    // discover, and a fixed universe keeps it from asking the metadata server.
    clientOptions.universeDomain = 'googleapis.com'
    // grpc-js would otherwise send even loopback traffic through HTTP(S)_PROXY.
    clientOptions['grpc.enable_http_proxy'] = 0
  }
  Object.assign(clientOptions, extraOptions)
  if (factory) return factory(clientOptions)
  const sdk = await loadSdk()
  const kms = new sdk.KeyManagementServiceClient(
    clientOptions as ConstructorParameters<typeof sdk.KeyManagementServiceClient>[0],
  )
  if (clientOptions.sslCreds === undefined) {
    // Find Application Default Credentials before the first RPC: when there are none, the SDK
    // would fail the call and also leave an unhandled rejection behind (which ends a CLI).
    try {
      await kms.auth.getClient()
    } catch (err) {
      await kms.close().catch(() => undefined)
      throw new GcpKmsError(
        'KMS_CREDENTIALS_MISSING',
        `no Google Application Default Credentials for Cloud KMS: ${statusDetails(err)}. ${CREDENTIALS_HELP}`,
        {cause: err},
      )
    }
  }
  return kms as unknown as GcpKmsClient
}
