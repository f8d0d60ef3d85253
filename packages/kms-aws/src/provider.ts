/**
 * The AWS KMS key provider (`awskms://…`), as cosign's `sigstore/pkg/signature/kms/aws`:
 * DescribeKey + GetPublicKey once per key (cached for the process), then one `Sign` per
 * signature with the locally computed digest (`MessageType: DIGEST`). The AWS SDK is imported
 * only when a method needs it, so loading the plugin stays cheap.
 */
import {createHash} from 'node:crypto'
import {checkDigestArgs, lazyModule, readCacheEntry, writeCacheEntry} from '@sigil/core'
import type {GeneratedKey, HashAlgorithm, GenerateKeyOptions, KeyContext, KeyProvider, PublicKeyInfo, Signer, Verifier} from '@sigil/core'
import type {KMSClient, KMSClientConfig, KeyMetadata} from '@aws-sdk/client-kms'
import {AwsKmsError, toAwsKmsError} from './error.js'
import {createKmsVerifier, publicKeyInfoFromSpki, signingScheme} from './key-spec.js'
import type {AwsSigningScheme} from './key-spec.js'
import {AWS_KMS_URI_PREFIX, parseAwsKmsUri} from './uri.js'
import type {AwsKmsKeyRef} from './uri.js'

/** Options of `awsKmsProvider`. */
export interface AwsKmsProviderOptions {
  /**
   * Region for key ids and aliases. Default: the SDK's chain (`AWS_REGION`, the profile's
   * region). A key ARN's region always wins; an explicit region that contradicts it is an
   * error (KMS_REGION_MISMATCH).
   */
  readonly region?: string
  /**
   * KMS endpoint URL. Default: the endpoint host in the URI (`https://host`, `http://` for
   * loopback), else the SDK's own resolution, which honours `AWS_ENDPOINT_URL_KMS` and
   * `AWS_ENDPOINT_URL`.
   */
  readonly endpoint?: string
  /** Attempts per KMS call, including the first; throttling and transient errors are retried with the SDK's backoff. Default 5. */
  readonly maxAttempts?: number
}

/** Dependencies of `awsKmsProvider` (for tests and hosts that bring their own client). */
export interface AwsKmsProviderDeps {
  /** Build a KMS client for a configuration. Default `new KMSClient(config)`. */
  readonly createClient?: (config: KMSClientConfig) => KMSClient | Promise<KMSClient>
}

/** The AWS KMS KeyProvider; `generate` is always present. */
export interface AwsKmsProvider extends KeyProvider {
  generate(keyRef: string, ctx: KeyContext, options?: GenerateKeyOptions): Promise<GeneratedKey>
}

interface LoadedKey {
  readonly keyId: string
  /** The key's ARN as GetPublicKey named it (from the cache only for an alias's entry). */
  readonly arn?: string
  readonly publicKey: PublicKeyInfo
  readonly scheme: AwsSigningScheme
  readonly verifier: Verifier
}

type Sdk = typeof import('@aws-sdk/client-kms')

const loadSdk = lazyModule((): Promise<Sdk> => import('@aws-sdk/client-kms'), {
  name: '@aws-sdk/client-kms',
  neededFor: 'awskms:// keys',
  error: (message, cause) => new AwsKmsError('KMS_ERROR', message, {cause}),
})

const DEFAULT_MAX_ATTEMPTS = 5

/**
 * How long a public key fetched by key id or ARN is reused by later runs (verify, public-key).
 * The key material behind a key id never changes; the limit bounds how long a key that was
 * disabled or scheduled for deletion since keeps verifying through the cache.
 */
const PUBLIC_KEY_CACHE_MS = 60 * 60 * 1000
const fresherThanLimit = (at: number): boolean => Date.now() - at < PUBLIC_KEY_CACHE_MS

/** What the host's cache keeps for a key (public material only). */
interface CachedKey {
  readonly spki: string
  /** For an alias (kept only for signing with every signature checked): the key ARN it named. */
  readonly arn?: string
  readonly keySpec?: string
  readonly signingAlgorithms?: readonly string[]
}

const isAlias = (ref: AwsKmsKeyRef): boolean => ref.kind === 'alias' || ref.kind === 'alias-arn'

/**
 * Create the AWS KMS key provider. Credentials come from the AWS SDK default chain only.
 */
export function awsKmsProvider(options: AwsKmsProviderOptions = {}, deps: AwsKmsProviderDeps = {}): AwsKmsProvider {
  const clients = new Map<string, Promise<KMSClient>>()
  const loaded = new Map<string, Promise<LoadedKey>>()
  /**
   * Keys read from a host's cache, parsed once per cache object; apart from `loaded` so that only
   * calls that may use that cache (see loadKey's `persistent`) see them.
   */
  const fromCache = new WeakMap<object, Map<string, {key: LoadedKey; at: number}>>()

  function clientConfig(ref: AwsKmsKeyRef): KMSClientConfig {
    if (options.region && ref.region && options.region !== ref.region) {
      throw new AwsKmsError(
        'KMS_REGION_MISMATCH',
        `AWS KMS key ${ref.uri} is in region ${ref.region} but the provider is configured for ${options.region}; drop the region option or use a key in ${options.region}`,
      )
    }
    const region = ref.region ?? options.region
    const endpoint = ref.endpoint ?? options.endpoint
    return {
      ...(region ? {region} : {}),
      ...(endpoint ? {endpoint} : {}),
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    }
  }

  function client(config: KMSClientConfig): Promise<KMSClient> {
    const id = `${String(config.region ?? '')}|${String(config.endpoint ?? '')}`
    let entry = clients.get(id)
    if (!entry) {
      entry = (async () => (deps.createClient ? deps.createClient(config) : new (await loadSdk()).KMSClient(config)))()
      clients.set(id, entry)
      entry.catch(() => clients.delete(id))
    }
    return entry
  }

  /** Run one KMS command, translating failures. */
  async function call<T>(ref: AwsKmsKeyRef, operation: string, run: (sdk: Sdk, kms: KMSClient) => Promise<T>): Promise<T> {
    try {
      const config = clientConfig(ref)
      const [sdk, kms] = await Promise.all([loadSdk(), client(config)])
      return await run(sdk, kms)
    } catch (err) {
      throw toAwsKmsError(err, ref.uri, operation)
    }
  }

  function checkMetadata(ref: AwsKmsKeyRef, metadata: KeyMetadata | undefined): KeyMetadata {
    if (!metadata) throw new AwsKmsError('KMS_ERROR', `AWS KMS DescribeKey for ${ref.uri} returned no key metadata`)
    const state = metadata.KeyState
    if (state !== 'Enabled') {
      const what = state === 'PendingDeletion' || state === 'PendingReplicaDeletion' ? 'is pending deletion; cancel the deletion to use it' : `is in state ${state ?? 'unknown'}, not Enabled`
      throw new AwsKmsError('KEY_DISABLED', `AWS KMS key ${ref.uri} ${what}`, {details: {keyState: state}})
    }
    if (metadata.KeyUsage !== 'SIGN_VERIFY') {
      throw new AwsKmsError(
        'KEY_WRONG_USAGE',
        `AWS KMS key ${ref.uri} has key usage ${metadata.KeyUsage ?? 'unknown'}; signing needs an asymmetric SIGN_VERIFY key`,
        {details: {keyUsage: metadata.KeyUsage}},
      )
    }
    return metadata
  }

  function keyOf(ref: AwsKmsKeyRef, spki: Uint8Array, keySpec: string | undefined, scheme: LoadedKey['scheme']): LoadedKey {
    const publicKey = publicKeyInfoFromSpki(spki, keySpec as string, ref.uri)
    return {keyId: ref.keyId, publicKey, scheme, verifier: createKmsVerifier(publicKey, scheme)}
  }

  async function fetchKey(ref: AwsKmsKeyRef, ctx: KeyContext | undefined, signing = false): Promise<LoadedKey> {
    const described = await call(ref, 'DescribeKey', (sdk, kms) => kms.send(new sdk.DescribeKeyCommand({KeyId: ref.keyId})))
    const metadata = checkMetadata(ref, described.KeyMetadata)
    const keySpec = metadata.KeySpec ?? metadata.CustomerMasterKeySpec
    const scheme = signingScheme(keySpec, metadata.SigningAlgorithms, ref.uri)
    const response = await call(ref, 'GetPublicKey', (sdk, kms) => kms.send(new sdk.GetPublicKeyCommand({KeyId: ref.keyId})))
    if (!response.PublicKey) throw new AwsKmsError('KMS_ERROR', `AWS KMS GetPublicKey for ${ref.uri} returned no public key`)
    const key = {...keyOf(ref, response.PublicKey, keySpec, scheme), ...(response.KeyId && {arn: response.KeyId})}
    const cacheKey = persistentKey(ref, signing)
    // An alias's entry is only usable with the ARN that Sign's answer is checked against.
    if (cacheKey && ctx?.cache && (!isAlias(ref) || response.KeyId)) {
      const entry: CachedKey = {
        spki: Buffer.from(response.PublicKey).toString('base64'),
        ...(isAlias(ref) && {arn: response.KeyId}),
        keySpec,
        signingAlgorithms: metadata.SigningAlgorithms,
      }
      writeCacheEntry(ctx.cache, cacheKey, entry)
    }
    return key
  }

  /**
   * The cache entry name for a key named by key id or key ARN: those always name the same key
   * material. An alias can be pointed at another key at any time: its entry (with the key ARN
   * it named) is only for `signing` under `reuseCachedSigningKey`, where every signature is
   * checked against that ARN and public key; never for verifying.
   */
  function persistentKey(ref: AwsKmsKeyRef, signing = false): string | undefined {
    if (!isAlias(ref)) return `awskms|${ref.endpoint ?? options.endpoint ?? ''}|${ref.keyId}`
    if (!signing) return undefined
    const config = clientConfig(ref)
    return `awskms-alias|${String(config.endpoint ?? '')}|${String(config.region ?? '')}|${ref.keyId}`
  }

  /** A public key kept from an earlier run, still fresh. */
  function cachedKey(ref: AwsKmsKeyRef, ctx: KeyContext | undefined, signing: boolean): {key: LoadedKey; at: number} | undefined {
    const cacheKey = persistentKey(ref, signing)
    const entry = cacheKey === undefined || ctx?.cache === undefined ? undefined : readCacheEntry<CachedKey>(ctx.cache, cacheKey, PUBLIC_KEY_CACHE_MS)
    if (entry === undefined) return undefined
    try {
      if (isAlias(ref) && typeof entry.arn !== 'string') return undefined
      const scheme = signingScheme(entry.keySpec, entry.signingAlgorithms, ref.uri)
      const key = {...keyOf(ref, Buffer.from(entry.spki, 'base64'), entry.keySpec, scheme), ...(entry.arn !== undefined && {arn: entry.arn})}
      ctx?.log?.('debug', `public key of ${ref.uri} from the cache (fetched ${new Date(entry.at).toISOString()})`)
      return {key, at: entry.at}
    } catch {
      return undefined
    }
  }

  /**
   * DescribeKey + GetPublicKey once per key and endpoint for the provider's lifetime; with
   * `persistent`, a key named by id or ARN is also taken from (and kept in) the host's cache;
   * with `'signing'`, an alias too (see {@link persistentKey}); `fresh` asks KMS again.
   */
  function loadKey(keyRef: string, ctx?: KeyContext, persistent: boolean | 'signing' = false, fresh = false): Promise<LoadedKey> {
    let ref: AwsKmsKeyRef
    let id: string
    try {
      ref = parseAwsKmsUri(keyRef)
      const config = clientConfig(ref)
      id = `${String(config.region ?? '')}|${String(config.endpoint ?? '')}|${ref.keyId}`
    } catch (err) {
      return Promise.reject(err)
    }
    const cacheId = `${id}|${persistent === 'signing' ? 'signing' : 'verifying'}`
    let parsed = ctx?.cache && fromCache.get(ctx.cache)
    if (ctx?.cache && !parsed) fromCache.set(ctx.cache, (parsed = new Map()))
    if (fresh) {
      loaded.delete(id)
      parsed?.delete(`${id}|signing`)
      parsed?.delete(`${id}|verifying`)
    }
    let entry = loaded.get(id)
    if (!entry && persistent && !fresh) {
      const memo = parsed?.get(cacheId)
      const cached = memo && fresherThanLimit(memo.at) ? memo : cachedKey(ref, ctx, persistent === 'signing')
      if (cached) {
        parsed?.set(cacheId, cached)
        return Promise.resolve(cached.key)
      }
      parsed?.delete(cacheId)
    }
    if (!entry) {
      entry = fetchKey(ref, ctx, persistent === 'signing')
      loaded.set(id, entry)
      // Failures are not cached: the next attempt asks KMS again.
      entry.catch(() => loaded.delete(id))
    }
    return entry
  }

  return {
    name: 'awskms',
    schemes: ['awskms'],
    handles: (keyRef: string) => keyRef.startsWith(AWS_KMS_URI_PREFIX),

    async signer(keyRef: string, ctx?: KeyContext): Promise<Signer> {
      const ref = parseAwsKmsUri(keyRef)
      // Under reuseCachedSigningKey an alias comes from the cache too: every signature is then
      // checked (the ARN Sign used, and the signature against the public key), and a key found
      // re-pointed is looked up again once.
      const reuse = ctx?.reuseCachedSigningKey === true
      let key = await loadKey(keyRef, ctx, reuse ? 'signing' : false)
      let lookedUpAgain = false
      const kmsSign = async (digest: Uint8Array): Promise<{signature: Uint8Array; keyId?: string}> => {
        const out = await call(ref, 'Sign', (sdk, kms) =>
          kms.send(new sdk.SignCommand({KeyId: key.keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: key.scheme.awsAlgorithm as never})),
        )
        const signature = out.Signature
        if (!signature || signature.length === 0) throw new AwsKmsError('KMS_ERROR', `AWS KMS Sign for ${keyRef} returned no signature`)
        return {signature, ...(out.KeyId !== undefined && {keyId: out.KeyId})}
      }
      /**
       * Sign and check; `message` absent (a caller's digest): only the ARN is checked. A cached
       * alias entry must name the ARN Sign used; a key fetched now tolerates an answer without one.
       */
      const signChecked = async (digestOf: () => Uint8Array, message: Uint8Array | undefined): Promise<Uint8Array> => {
        for (;;) {
          const {signature, keyId} = await kmsSign(digestOf())
          // Sign names the key it used: an alias re-pointed since the public key was read shows here.
          const arnMismatch = key.arn !== undefined && (keyId !== undefined ? keyId !== key.arn : reuse && isAlias(ref) && !lookedUpAgain)
          const verifies = arnMismatch || message === undefined || key.verifier.verify(message, signature)
          if (!arnMismatch && verifies) return signature
          if (reuse && isAlias(ref) && !lookedUpAgain) {
            ctx?.log?.('debug', `${keyRef} no longer names ${key.arn ?? 'the cached key'}; looking it up again`)
            lookedUpAgain = true
            key = await loadKey(keyRef, ctx, 'signing', true)
            continue
          }
          if (arnMismatch) {
            throw new AwsKmsError('KMS_INTEGRITY', `AWS KMS signed ${keyRef} with ${keyId ?? 'an unnamed key'}, not ${key.arn} whose public key sigil has (was the alias moved to another key?)`)
          }
          // Catches an alias re-pointed to another key since the public key was read.
          throw new AwsKmsError(
            'KMS_INTEGRITY',
            `the signature AWS KMS returned for ${keyRef} does not verify with the key's public key (was the alias moved to another key?)`,
          )
        }
      }
      return {
        get algorithm() {
          return key.scheme.algorithm
        },
        /** The key that signed last (after a re-pointed alias was looked up again, the new one). */
        publicKey: () => Promise.resolve(key.publicKey),
        sign(message: Uint8Array): Promise<Uint8Array> {
          return signChecked(() => new Uint8Array(createHash(key.scheme.hash).update(message).digest()), message)
        },
        /**
         * A digest computed by the caller (sign-blob streams the file into it). Without the
         * message the signature cannot be checked locally; the key ARN Sign answers with is.
         */
        signDigest(digest: Uint8Array, hash: HashAlgorithm): Promise<Uint8Array> {
          return signChecked(() => {
            checkDigestArgs(key.scheme.algorithm, digest, hash)
            return digest
          }, undefined)
        },
      }
    },

    async verifier(keyRef: string, ctx: KeyContext): Promise<Verifier> {
      return (await loadKey(keyRef, ctx, true)).verifier
    },

    async publicKey(keyRef: string, ctx: KeyContext): Promise<PublicKeyInfo> {
      return (await loadKey(keyRef, ctx, true)).publicKey
    },

    async generate(keyRef: string, ctx: KeyContext): Promise<GeneratedKey> {
      const ref = parseAwsKmsUri(keyRef)
      if (ref.kind !== 'alias') {
        throw new AwsKmsError(
          'INVALID_ARGUMENT',
          `must use alias key format: awskms://[endpoint]/alias/<name> (got ${keyRef}); sigil creates the key and points the alias at it`,
        )
      }
      const written = [{kind: 'remote-key' as const, location: keyRef}]
      try {
        return {publicKey: (await loadKey(keyRef)).publicKey, written}
      } catch (err) {
        if ((err as {code?: string}).code !== 'KEY_NOT_FOUND') throw err
      }
      const created = await call(ref, 'CreateKey', (sdk, kms) =>
        kms.send(new sdk.CreateKeyCommand({KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'Created by Sigstore'})),
      )
      const newKeyId = created.KeyMetadata?.KeyId
      if (!newKeyId) throw new AwsKmsError('KMS_ERROR', `AWS KMS CreateKey for ${keyRef} returned no key id`)
      ctx.log?.('info', `created AWS KMS key ${newKeyId} for ${keyRef}`)
      try {
        await call(ref, 'CreateAlias', (sdk, kms) => kms.send(new sdk.CreateAliasCommand({AliasName: ref.keyId, TargetKeyId: newKeyId})))
      } catch (err) {
        // Another process created the alias meanwhile: use its key; ours stays unused.
        if ((err as {details?: {awsError?: string}}).details?.awsError !== 'AlreadyExistsException') throw err
        ctx.log?.('warn', `${ref.keyId} was created concurrently; AWS KMS key ${newKeyId} is unused and can be scheduled for deletion`)
      }
      return {publicKey: (await loadKey(keyRef)).publicKey, written}
    },
  }
}
