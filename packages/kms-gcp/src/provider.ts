/**
 * The Google Cloud KMS key provider (`gcpkms://…`), cosign-compatible (spec §5): signing hashes
 * locally and sends the digest to AsymmetricSign with CRC32C integrity checks; verification is
 * local with the fetched public key. The client (and with it the SDK) is made on the first call
 * that needs the service.
 */
import {createHash} from 'node:crypto'
import type {
  GeneratedKey,
  GenerateKeyOptions,
  KeyContext,
  KeyProvider,
  PublicKeyInfo,
  Signer,
  Verifier,
} from '@sigil/core'
import {checkDigestArgs, crc32c} from '@sigil/core'
import {gcpKmsAlgorithm} from './algorithms.js'
import type {GcpKmsAlgorithmInfo} from './algorithms.js'
import {createGcpKmsClient} from './client.js'
import type {GcpCryptoKeyVersion, GcpKmsClient, GcpKmsClientFactory} from './client.js'
import {Code, GcpKmsError, grpcCode, mapError} from './error.js'
import {createKmsVerifier, publicKeyFromPem} from './public-key.js'
import {readSigningKey, writeSigningKey} from './signing-key-cache.js'
import {GCP_KMS_SCHEME, isGcpKmsUri, parseGcpKmsUri} from './uri.js'
import type {GcpKmsKeyRef} from './uri.js'

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
  readonly createClient?: GcpKmsClientFactory
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
}

/** Create the GCP KMS provider. No SDK is loaded until a method needs the service. */
export function gcpKmsProvider(options: GcpKmsProviderOptions = {}, deps: GcpKmsProviderDeps = {}): GcpKmsProvider {
  const retry = {attempts: 5, baseDelayMs: 250, maxDelayMs: 4000, ...options.retry}
  let client: Promise<GcpKmsClient> | undefined
  const resolved = new Map<string, Promise<ResolvedKey>>()

  function getClient(): Promise<GcpKmsClient> {
    client ??= createGcpKmsClient(options.env ?? process.env, options.clientOptions, deps.createClient).catch((err: unknown) => {
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
    return {versionName, algorithm, publicKey: publicKeyFromPem(pem, algorithm, versionName)}
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

  /** AsymmetricSign with a digest computed locally (from the message, or streamed by sign-blob). */
  async function signDigest(keyRef: string, resolvedKey: ResolvedKey, digest: Uint8Array): Promise<Uint8Array> {
    const {versionName, algorithm} = resolvedKey
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
    async signer(keyRef: string, ctx?: KeyContext): Promise<Signer> {
      const ref = parseGcpKmsUri(keyRef)
      // A named version, or under reuseCachedSigningKey also a key name (its newest version):
      // taken from the cache, every signature then checked against that version's public key.
      const cache = ctx?.reuseCachedSigningKey === true ? ctx.cache : undefined
      const cacheName = ref.versionName ?? ref.keyName
      const cached = cache && readSigningKey(cache, cacheName)
      let key = cached ?? (await resolve(keyRef))
      if (cache && !cached) writeSigningKey(cache, key, cacheName)
      let verifier = cached ? createKmsVerifier(key.publicKey, key.algorithm) : undefined
      // A key name's cached version may since be disabled or destroyed (rotated away): look the
      // key up again once, sign with its newest version, and keep that instead.
      let mayLookUpAgain = cached !== undefined && ref.versionName === undefined
      const lookUpAgain = async (): Promise<void> => {
        ctx?.log?.('debug', `${keyRef}: the cached version ${key.versionName} no longer signs; looking the key up again`)
        mayLookUpAgain = false
        resolved.delete(ref.keyName)
        key = await resolve(keyRef)
        writeSigningKey(cache!, key, cacheName)
        verifier = createKmsVerifier(key.publicKey, key.algorithm)
      }
      const checked = async (digestOf: () => Uint8Array, message: Uint8Array | undefined): Promise<Uint8Array> => {
        for (;;) {
          let signature: Uint8Array
          try {
            signature = await signDigest(keyRef, key, digestOf())
          } catch (err) {
            const code = (err as GcpKmsError).code
            if (mayLookUpAgain && (code === 'KEY_DISABLED' || code === 'KEY_NOT_FOUND')) {
              await lookUpAgain()
              continue
            }
            throw err
          }
          // A key taken from the cache is checked against what KMS signed with.
          if (!verifier || message === undefined || verifier.verify(message, signature)) return signature
          if (mayLookUpAgain) {
            await lookUpAgain()
            continue
          }
          throw new GcpKmsError('KMS_INTEGRITY', `the signature Cloud KMS returned for ${keyRef} does not verify with the cached public key of ${key.versionName}`)
        }
      }
      return {
        get algorithm() {
          return key.algorithm.signatureAlgorithm
        },
        /** The version that signed last (after a key name was looked up again, its newest). */
        publicKey: async () => key.publicKey,
        sign: (message) => checked(() => new Uint8Array(createHash(key.algorithm.digest).update(message).digest()), message),
        signDigest: (digest, hash) =>
          checked(() => {
            checkDigestArgs(key.algorithm.signatureAlgorithm, digest, hash)
            return digest
          }, undefined),
      }
    },
    async verifier(keyRef: string): Promise<Verifier> {
      const key = await resolve(keyRef)
      return createKmsVerifier(key.publicKey, key.algorithm)
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

