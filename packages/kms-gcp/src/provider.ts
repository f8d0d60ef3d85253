/**
 * The Google Cloud KMS key provider (`gcpkms://…`), cosign-compatible (spec §5): signing hashes
 * locally and sends the digest to AsymmetricSign with CRC32C integrity checks; verification is
 * local with the fetched public key. The SDK (`@google-cloud/kms`, gRPC) is imported lazily, on
 * the first call that needs it, so loading this module costs nothing.
 */
import {createHash, createPublicKey} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import type {
  GeneratedKey,
  GenerateKeyOptions,
  KeyContext,
  KeyProvider,
  PublicKeyInfo,
  Signer,
  Verifier,
} from '@sigil/core'
import {crc32c, createLocalVerifier} from '@sigil/core'
import {gcpKmsAlgorithm} from './algorithms.js'
import type {GcpKmsAlgorithmInfo} from './algorithms.js'
import {GCP_KMS_ENDPOINT_VARIABLE, gcpKmsEndpoint} from './endpoint.js'
import {GcpKmsError} from './error.js'
import {GCP_KMS_SCHEME, isGcpKmsUri, parseGcpKmsUri} from './uri.js'
import type {GcpKmsKeyRef} from './uri.js'

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

/** Retry policy for throttled (RESOURCE_EXHAUSTED) calls. */
export interface GcpKmsRetryOptions {
  /** Total attempts per call, first included. Default 5. */
  readonly attempts?: number
  /** First backoff delay; doubles each retry, with jitter. Default 250 ms. */
  readonly baseDelayMs?: number
  /** Cap on one delay. Default 4000 ms. */
  readonly maxDelayMs?: number
}

/** Options of `gcpKmsProvider`. */
export interface GcpKmsProviderOptions {
  /**
   * Environment read (when the client is first needed) for
   * `CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS`. Default `process.env`.
   */
  readonly env?: Readonly<Record<string, string | undefined>>
  /**
   * Extra `KeyManagementServiceClient` options, applied over the derived ones (e.g. `projectId`
   * or `keyFilename`). Default none: Application Default Credentials and the public endpoint.
   */
  readonly clientOptions?: Readonly<Record<string, unknown>>
  /** Retries of throttled calls. Defaults as in `GcpKmsRetryOptions`. */
  readonly retry?: GcpKmsRetryOptions
  /** How long `generate` waits for a new key's first version to become ENABLED. Default 60000 ms. */
  readonly generateTimeoutMs?: number
}

/** Injected dependencies (tests, or callers bringing their own client). */
export interface GcpKmsProviderDeps {
  /**
   * Build the client from the derived options. Default: `new KeyManagementServiceClient(options)`
   * from a lazily imported `@google-cloud/kms`.
   */
  readonly createClient?: (clientOptions: Record<string, unknown>) => GcpKmsClient | Promise<GcpKmsClient>
}

/** The GCP KMS KeyProvider, plus `close()` to release the gRPC channel. */
export interface GcpKmsProvider extends KeyProvider {
  readonly name: 'gcpkms'
  readonly schemes: readonly ['gcpkms']
  generate(keyRef: string, ctx: KeyContext, options?: GenerateKeyOptions): Promise<GeneratedKey>
  /** Close the client (if one was created). The provider can be used again afterwards. */
  close(): Promise<void>
}

/** What the metadata calls established for one key reference; cached for the process. */
interface ResolvedKey {
  readonly versionName: string
  readonly algorithm: GcpKmsAlgorithmInfo
  readonly publicKey: PublicKeyInfo
  readonly key: KeyObject
}

// gRPC status codes (numeric, as the SDK's errors carry them).
const Code = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const

const CREDENTIALS_HELP =
  'Sign in with `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a credentials file'

/** Create the GCP KMS provider. No SDK is loaded until a method needs the service. */
export function gcpKmsProvider(options: GcpKmsProviderOptions = {}, deps: GcpKmsProviderDeps = {}): GcpKmsProvider {
  const retry = {attempts: 5, baseDelayMs: 250, maxDelayMs: 4000, ...options.retry}
  let client: Promise<GcpKmsClient> | undefined
  const resolved = new Map<string, Promise<ResolvedKey>>()

  function getClient(): Promise<GcpKmsClient> {
    client ??= createClient(options, deps).catch((err: unknown) => {
      client = undefined
      throw err
    })
    return client
  }

  /** One RPC, retried while throttled; failures become GcpKmsErrors that name `subject`. */
  async function rpc<T>(
    operation: string,
    subject: string,
    call: (c: GcpKmsClient) => Promise<T>,
  ): Promise<T> {
    const c = await getClient()
    for (let attempt = 1; ; attempt++) {
      try {
        return await call(c)
      } catch (err) {
        if (grpcCode(err) === Code.RESOURCE_EXHAUSTED && attempt < retry.attempts) {
          const delay = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1))
          await sleep(delay / 2 + Math.random() * (delay / 2))
          continue
        }
        throw mapError(err, operation, subject, attempt)
      }
    }
  }

  async function resolveKey(ref: GcpKmsKeyRef): Promise<ResolvedKey> {
    const [cryptoKey] = await rpc('GetCryptoKey', ref.uri, (c) => c.getCryptoKey({name: ref.keyName}))
    if (String(cryptoKey.purpose) !== 'ASYMMETRIC_SIGN') {
      throw new GcpKmsError(
        'KEY_WRONG_USAGE',
        `GCP KMS key ${ref.uri} has purpose ${String(cryptoKey.purpose)}; signing needs a key with purpose ASYMMETRIC_SIGN`,
        {details: {key: ref.keyName, purpose: String(cryptoKey.purpose)}},
      )
    }
    let version: GcpCryptoKeyVersion
    if (ref.versionName !== undefined) {
      const versionName = ref.versionName
      ;[version] = await rpc('GetCryptoKeyVersion', ref.uri, (c) => c.getCryptoKeyVersion({name: versionName}))
      if (String(version.state) !== 'ENABLED') {
        throw new GcpKmsError(
          'KEY_DISABLED',
          `GCP KMS key version ${ref.uri} is ${String(version.state)}, not ENABLED; enable it or use another version`,
          {details: {version: versionName, state: String(version.state)}},
        )
      }
    } else {
      const [versions] = await rpc('ListCryptoKeyVersions', ref.uri, (c) =>
        c.listCryptoKeyVersions(
          {parent: ref.keyName, filter: 'state=ENABLED', orderBy: 'name desc'},
          {autoPaginate: false},
        ),
      )
      const newest = versions[0]
      if (!newest) {
        throw new GcpKmsError(
          'KEY_DISABLED',
          `GCP KMS key ${ref.uri} has no ENABLED version; enable or create a version, or name one in the URI (…/cryptoKeyVersions/N)`,
          {details: {key: ref.keyName}},
        )
      }
      version = newest
    }
    const versionName = version.name ?? ref.versionName ?? ''
    const algorithm = gcpKmsAlgorithm(String(version.algorithm))
    if (!algorithm) {
      throw new GcpKmsError(
        'KEY_UNSUPPORTED',
        `GCP KMS key version ${versionName} uses ${String(version.algorithm)}, which sigil cannot sign with; use an EC_SIGN_P256_SHA256, EC_SIGN_P384_SHA384, EC_SIGN_SECP256K1_SHA256, RSA_SIGN_PKCS1_* or RSA_SIGN_PSS_* key`,
        {details: {version: versionName, algorithm: String(version.algorithm)}},
      )
    }
    const [publicKey] = await rpc('GetPublicKey', ref.uri, (c) => c.getPublicKey({name: versionName}))
    const pem = publicKey.pem ?? ''
    if (publicKey.pemCrc32c?.value != null && Number(String(publicKey.pemCrc32c.value)) !== crc32c(Buffer.from(pem))) {
      throw new GcpKmsError(
        'KMS_INTEGRITY',
        `GetPublicKey for ${versionName}: the PEM does not match its CRC32C (corrupted in transit); retry`,
      )
    }
    if (publicKey.name && publicKey.name !== versionName) {
      throw new GcpKmsError('KMS_INTEGRITY', `GetPublicKey for ${versionName} answered for ${publicKey.name}`)
    }
    const {key, info} = publicKeyFromPem(pem, algorithm, versionName)
    return {versionName, algorithm, publicKey: info, key}
  }

  function resolve(keyRef: string): Promise<ResolvedKey> {
    const ref = parseGcpKmsUri(keyRef)
    // Both URI spellings of a version share one cache entry.
    const cacheKey = ref.versionName ?? ref.keyName
    let entry = resolved.get(cacheKey)
    if (!entry) {
      entry = resolveKey(ref)
      resolved.set(cacheKey, entry)
      // Failures are not cached: the next call asks again.
      entry.catch(() => resolved.delete(cacheKey))
    }
    return entry
  }

  async function sign(keyRef: string, resolvedKey: ResolvedKey, message: Uint8Array): Promise<Uint8Array> {
    const {versionName, algorithm} = resolvedKey
    const digest = new Uint8Array(createHash(algorithm.digest).update(message).digest())
    const [response] = await rpc('AsymmetricSign', keyRef, (c) =>
      c.asymmetricSign({
        name: versionName,
        digest: {[algorithm.digest]: digest},
        digestCrc32c: {value: crc32c(digest)},
      }),
    )
    if (response.verifiedDigestCrc32c !== true) {
      throw new GcpKmsError(
        'KMS_INTEGRITY',
        `AsymmetricSign with ${versionName}: Cloud KMS did not verify the digest CRC32C (request corrupted in transit); retry`,
      )
    }
    if (response.name && response.name !== versionName) {
      throw new GcpKmsError('KMS_INTEGRITY', `AsymmetricSign with ${versionName} answered for ${response.name}`)
    }
    const signature =
      typeof response.signature === 'string'
        ? new Uint8Array(Buffer.from(response.signature, 'base64'))
        : new Uint8Array(response.signature ?? [])
    const expected = response.signatureCrc32c?.value
    if (expected == null || Number(String(expected)) !== crc32c(signature)) {
      throw new GcpKmsError(
        'KMS_INTEGRITY',
        `AsymmetricSign with ${versionName}: the signature does not match its CRC32C (response corrupted in transit); retry`,
      )
    }
    return signature
  }

  async function generate(keyRef: string, ctx: KeyContext): Promise<GeneratedKey> {
    const ref = parseGcpKmsUri(keyRef)
    if (ref.version !== undefined) {
      throw new GcpKmsError(
        'INVALID_ARGUMENT',
        `generate-key-pair --kms needs a key URI without a version (gcpkms://${ref.keyName}), not ${keyRef}`,
      )
    }
    try {
      await rpc('GetKeyRing', keyRef, (c) => c.getKeyRing({name: ref.keyRingName}))
    } catch (err) {
      if ((err as GcpKmsError).code !== 'KEY_NOT_FOUND') throw err
      ctx.log?.('info', `creating GCP KMS key ring ${ref.keyRingName}`)
      await tolerateExisting(() =>
        rpc('CreateKeyRing', keyRef, (c) =>
          c.createKeyRing({parent: ref.locationName, keyRingId: ref.keyRing, keyRing: {}}),
        ),
      )
    }
    let created = false
    try {
      await rpc('GetCryptoKey', keyRef, (c) => c.getCryptoKey({name: ref.keyName}))
      ctx.log?.('info', `GCP KMS key ${ref.keyName} exists; using it`)
    } catch (err) {
      if ((err as GcpKmsError).code !== 'KEY_NOT_FOUND') throw err
      ctx.log?.('info', `creating GCP KMS key ${ref.keyName} (ASYMMETRIC_SIGN, EC_SIGN_P256_SHA256)`)
      created = await tolerateExisting(() =>
        rpc('CreateCryptoKey', keyRef, (c) =>
          c.createCryptoKey({
            parent: ref.keyRingName,
            cryptoKeyId: ref.cryptoKey,
            cryptoKey: {purpose: 'ASYMMETRIC_SIGN', versionTemplate: {algorithm: 'EC_SIGN_P256_SHA256'}},
          }),
        ),
      )
    }
    resolved.delete(ref.keyName)
    // A new key's first version may still be PENDING_GENERATION for a moment.
    const deadline = Date.now() + (options.generateTimeoutMs ?? 60_000)
    for (let delay = 200; ; delay = Math.min(delay * 2, 2000)) {
      try {
        const key = await resolve(keyRef)
        return {publicKey: key.publicKey, written: [{kind: 'remote-key', location: keyRef}]}
      } catch (err) {
        if (!created || (err as GcpKmsError).code !== 'KEY_DISABLED' || Date.now() + delay > deadline) throw err
        await sleep(delay)
      }
    }
  }

  return {
    name: 'gcpkms',
    schemes: [GCP_KMS_SCHEME],
    handles: isGcpKmsUri,
    async signer(keyRef: string): Promise<Signer> {
      const key = await resolve(keyRef)
      return {
        algorithm: key.algorithm.signatureAlgorithm,
        publicKey: async () => key.publicKey,
        sign: (message) => sign(keyRef, key, message),
      }
    },
    async verifier(keyRef: string): Promise<Verifier> {
      const key = await resolve(keyRef)
      return localVerifier(key)
    },
    async publicKey(keyRef: string): Promise<PublicKeyInfo> {
      return (await resolve(keyRef)).publicKey
    },
    generate: (keyRef: string, ctx: KeyContext) => generate(keyRef, ctx),
    async close(): Promise<void> {
      const current = client
      client = undefined
      const closing = current ? await current.catch(() => undefined) : undefined
      // The SDK's close() rejects with the stub's creation error (e.g. no credentials): nothing to release then.
      await closing?.close?.().catch(() => undefined)
    },
  }
}

async function createClient(options: GcpKmsProviderOptions, deps: GcpKmsProviderDeps): Promise<GcpKmsClient> {
  const endpoint = gcpKmsEndpoint(options.env ?? process.env)
  const clientOptions: Record<string, unknown> = {}
  if (endpoint.kind !== 'default') {
    clientOptions.apiEndpoint = endpoint.host
    clientOptions.port = endpoint.port
  }
  if (endpoint.kind === 'plaintext') {
    const grpc = await import('@grpc/grpc-js')
    clientOptions.sslCreds = grpc.credentials.createInsecure()
    // Plaintext means a loopback emulator: no credentials, so the auth library has nothing to
    // discover, and a fixed universe keeps it from asking the metadata server.
    clientOptions.universeDomain = 'googleapis.com'
    // grpc-js would otherwise send even loopback traffic through HTTP(S)_PROXY.
    clientOptions['grpc.enable_http_proxy'] = 0
  }
  Object.assign(clientOptions, options.clientOptions)
  if (deps.createClient) return deps.createClient(clientOptions)
  let sdk: typeof import('@google-cloud/kms')
  try {
    sdk = await import('@google-cloud/kms')
  } catch (err) {
    throw new GcpKmsError('KMS_ERROR', `cannot load @google-cloud/kms: ${(err as Error).message}`, {cause: err})
  }
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

async function tolerateExisting(create: () => Promise<unknown>): Promise<boolean> {
  try {
    await create()
    return true
  } catch (err) {
    // Someone else created it between our check and our create: fine, it exists.
    if ((err as GcpKmsError).details?.grpcCode === Code.ALREADY_EXISTS) return false
    throw err
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function grpcCode(err: unknown): number | undefined {
  const code = (err as {code?: unknown} | null)?.code
  return typeof code === 'number' ? code : undefined
}

/** The server's status message without the SDK's `N CODE: ` prefix. */
function statusDetails(err: unknown): string {
  const e = err as {details?: unknown; message?: unknown} | null
  const text = typeof e?.details === 'string' && e.details ? e.details : String(e?.message ?? err)
  return text.replace(/^\d+ [A-Z_]+: /, '').replace(/\.$/, '')
}

/** Map an SDK/gRPC failure to a GcpKmsError with a stable code and a message naming the key. */
export function mapError(err: unknown, operation: string, subject: string, attempts = 1): GcpKmsError {
  if (err instanceof GcpKmsError) return err
  const code = grpcCode(err)
  const details = statusDetails(err)
  const facts = {operation, key: subject, ...(code === undefined ? {} : {grpcCode: code})}
  const options = {cause: err, details: facts}
  if (/Could not load the default credentials|Unable to detect a Project Id|invalid_grant|Could not refresh access token/i.test(details)) {
    return new GcpKmsError(
      'KMS_CREDENTIALS_MISSING',
      `no usable Google credentials for ${operation} on ${subject}: ${details}. ${CREDENTIALS_HELP}`,
      options,
    )
  }
  switch (code) {
    case Code.NOT_FOUND:
      return new GcpKmsError('KEY_NOT_FOUND', `GCP KMS ${operation}: ${subject} not found (${details})`, options)
    case Code.PERMISSION_DENIED:
      return new GcpKmsError(
        'KEY_ACCESS_DENIED',
        `GCP KMS ${operation} denied for ${subject}: ${details}. Signing needs roles/cloudkms.signerVerifier, reading the public key roles/cloudkms.publicKeyViewer, generating roles/cloudkms.admin`,
        options,
      )
    case Code.FAILED_PRECONDITION:
      return new GcpKmsError(
        'KEY_DISABLED',
        `GCP KMS ${operation} refused for ${subject}: ${details}. The key version must be ENABLED (not disabled, destroyed or scheduled for destruction)`,
        options,
      )
    case Code.RESOURCE_EXHAUSTED:
      return new GcpKmsError(
        'KMS_THROTTLED',
        `GCP KMS ${operation} for ${subject} is throttled (quota exceeded) after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${details}. Retry later or raise the Cloud KMS quota`,
        options,
      )
    case Code.UNAUTHENTICATED:
      return new GcpKmsError(
        'KMS_CREDENTIALS_MISSING',
        `GCP KMS ${operation} for ${subject}: the request was not authenticated (${details}). ${CREDENTIALS_HELP}`,
        options,
      )
    case Code.UNAVAILABLE:
    case Code.DEADLINE_EXCEEDED: {
      // gax folds every retry's error into the message: keep the first cause only.
      const cause = /Last error: (.*?)(?:\.\s|$)/.exec(details)?.[1] ?? details.split(' : Previous errors')[0]
      return new GcpKmsError(
        'KMS_ERROR',
        `GCP KMS ${operation} for ${subject}: the service is unreachable (${cause}); check the network or ${GCP_KMS_ENDPOINT_VARIABLE}`,
        options,
      )
    }
    default:
      return new GcpKmsError('KMS_ERROR', `GCP KMS ${operation} for ${subject} failed: ${details}`, options)
  }
}

const CURVES: Record<string, 'P-256' | 'P-384' | 'secp256k1'> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp256k1: 'secp256k1',
}

function publicKeyFromPem(
  pem: string,
  algorithm: GcpKmsAlgorithmInfo,
  versionName: string,
): {key: KeyObject; info: PublicKeyInfo} {
  let key: KeyObject
  try {
    key = createPublicKey({key: pem, format: 'pem'})
  } catch (err) {
    throw new GcpKmsError('KMS_ERROR', `GetPublicKey for ${versionName} returned an unreadable PEM`, {cause: err})
  }
  const details = key.asymmetricKeyDetails ?? {}
  const spki = new Uint8Array(key.export({format: 'der', type: 'spki'}))
  const expected = algorithm.key
  const mismatch = () =>
    new GcpKmsError('KMS_ERROR', `GetPublicKey for ${versionName} returned a key that does not match ${algorithm.name}`)
  if (expected.kind === 'ecdsa') {
    const curve = key.asymmetricKeyType === 'ec' ? CURVES[details.namedCurve ?? ''] : undefined
    if (curve !== expected.curve) throw mismatch()
    return {key, info: {kind: 'ecdsa', curve, spki, pem: goPem(spki)}}
  }
  if (key.asymmetricKeyType !== 'rsa' || details.modulusLength !== expected.bits) throw mismatch()
  return {key, info: {kind: 'rsa', bits: expected.bits, spki, pem: goPem(spki)}}
}

/** PEM `PUBLIC KEY` as Go's pem.EncodeToMemory writes it: 64-char lines, trailing newline. */
function goPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64')
  const lines = b64.match(/.{1,64}/g) ?? []
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`
}

/** Local verification with the version's algorithm (its hash and padding are fixed by the key). */
function localVerifier({algorithm, publicKey}: ResolvedKey): Verifier {
  const spec = algorithm.key
  return createLocalVerifier(publicKey, {padding: spec.kind === 'rsa' && spec.padding === 'pss' ? 'pss' : 'pkcs1v15', hash: algorithm.digest})
}
