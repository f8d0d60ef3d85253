/**
 * A loopback AWS KMS: a node:http server speaking the KMS JSON 1.1 protocol (`POST /`,
 * `X-Amz-Target: TrentService.<Operation>`, `application/x-amz-json-1.1`, base64 blobs) with
 * real keys and real signatures, so the real `@aws-sdk/client-kms` can be tested offline.
 *
 * Implemented: CreateKey, CreateAlias, UpdateAlias, DescribeKey, GetPublicKey, Sign (DIGEST and RAW),
 * ListAliases. Errors use AWS's shape (`400 {"__type": "NotFoundException", "message": …}`).
 */
import {
  constants,
  createHash,
  generateKeyPairSync,
  privateEncrypt,
  randomBytes,
  randomUUID,
  sign as nodeSign,
} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {AwsFault, startAwsJsonService} from './aws-json-server.js'
import type {AwsJsonRequest} from './aws-json-server.js'

/** Asymmetric key specs the server can create. */
export type AwsKmsKeySpec =
  | 'ECC_NIST_P256'
  | 'ECC_NIST_P384'
  | 'ECC_NIST_P521'
  | 'ECC_SECG_P256K1'
  | 'RSA_2048'
  | 'RSA_3072'
  | 'RSA_4096'
  | 'ECC_NIST_EDWARDS25519'
  | 'SYMMETRIC_DEFAULT'

/** KMS key states the server models. */
export type AwsKmsKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion'

/** KMS key usages the server models. */
export type AwsKmsKeyUsage = 'SIGN_VERIFY' | 'ENCRYPT_DECRYPT'

/** One key held by the server. */
export interface AwsKmsTestKey {
  readonly keyId: string
  readonly arn: string
  readonly spec: AwsKmsKeySpec
  usage: AwsKmsKeyUsage
  state: AwsKmsKeyState
  description: string
  /** Signing algorithms in the order DescribeKey/GetPublicKey list them (SigningAlgorithms[0] first). */
  signingAlgorithms: string[]
  readonly multiRegion: boolean
  readonly creationDate: Date
  /** Undefined for SYMMETRIC_DEFAULT. */
  readonly privateKey?: KeyObject
  readonly publicKey?: KeyObject
  /** DER SubjectPublicKeyInfo, as GetPublicKey returns it. */
  readonly publicKeyDer?: Uint8Array
}

/** Options of `AwsKmsTestServer.createKey`. */
export interface CreateTestKeyOptions {
  /** Default `SIGN_VERIFY` (`ENCRYPT_DECRYPT` for SYMMETRIC_DEFAULT). */
  readonly usage?: AwsKmsKeyUsage
  /** Default `Enabled`. */
  readonly state?: AwsKmsKeyState
  /** Default `''`. */
  readonly description?: string
  /** Multi-region key (`mrk-` id). Default false. */
  readonly multiRegion?: boolean
  /** Override the algorithm list (e.g. PSS first for an RSA key). Default: AWS's list for the spec. */
  readonly signingAlgorithms?: readonly string[]
  /** Also create this alias (`alias/<name>`) for the key. */
  readonly alias?: string
}

/** One request the server received. */
export type AwsKmsRequest = AwsJsonRequest

/** Options of `startAwsKmsServer`. */
export interface AwsKmsServerOptions {
  /** The region the server pretends to be in; requests signed for another region fail. Default `us-east-1`. */
  readonly region?: string
  /** Account id used in ARNs. Default `111122223333`. */
  readonly accountId?: string
  /** Answer the first N requests with ThrottlingException. Default 0. */
  readonly throttleFirst?: number
  /** Operations (`Sign`, `CreateKey`…) answered with AccessDeniedException. Default none. */
  readonly deny?: Iterable<string>
}

/** A running loopback KMS. */
export interface AwsKmsTestServer {
  /** `http://127.0.0.1:PORT`: the SDK `endpoint`, or `AWS_ENDPOINT_URL_KMS`. */
  readonly endpoint: string
  /** `127.0.0.1:PORT`: the host for `awskms://HOST/…` URIs. */
  readonly host: string
  readonly region: string
  readonly accountId: string
  /** Every request, in order. */
  readonly requests: AwsKmsRequest[]
  /** Keys by key id. */
  readonly keys: Map<string, AwsKmsTestKey>
  /** Alias name (`alias/x`) → key id. */
  readonly aliases: Map<string, string>
  /** Operations refused with AccessDeniedException (mutable). */
  readonly deny: Set<string>
  /** Throttle the next `count` requests. */
  throttle(count: number): void
  /** Seed a key directly (no request recorded). */
  createKey(spec: AwsKmsKeySpec, options?: CreateTestKeyOptions): AwsKmsTestKey
  /** Number of requests for `target` (all requests when omitted). */
  count(target?: string): number
  close(): Promise<void>
}


const EC_CURVES: Partial<Record<AwsKmsKeySpec, string>> = {
  ECC_NIST_P256: 'prime256v1',
  ECC_NIST_P384: 'secp384r1',
  ECC_NIST_P521: 'secp521r1',
  ECC_SECG_P256K1: 'secp256k1',
}

const RSA_BITS: Partial<Record<AwsKmsKeySpec, number>> = {RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096}

const RSA_SIGNING = [
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
]

const DEFAULT_SIGNING: Record<AwsKmsKeySpec, readonly string[]> = {
  ECC_NIST_P256: ['ECDSA_SHA_256'],
  ECC_NIST_P384: ['ECDSA_SHA_384'],
  ECC_NIST_P521: ['ECDSA_SHA_512'],
  ECC_SECG_P256K1: ['ECDSA_SHA_256'],
  RSA_2048: RSA_SIGNING,
  RSA_3072: RSA_SIGNING,
  RSA_4096: RSA_SIGNING,
  ECC_NIST_EDWARDS25519: ['ED25519_SHA_512'],
  SYMMETRIC_DEFAULT: [],
}

const ALGORITHM_HASH: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  ECDSA_SHA_256: 'sha256',
  ECDSA_SHA_384: 'sha384',
  ECDSA_SHA_512: 'sha512',
  RSASSA_PKCS1_V1_5_SHA_256: 'sha256',
  RSASSA_PKCS1_V1_5_SHA_384: 'sha384',
  RSASSA_PKCS1_V1_5_SHA_512: 'sha512',
  RSASSA_PSS_SHA_256: 'sha256',
  RSASSA_PSS_SHA_384: 'sha384',
  RSASSA_PSS_SHA_512: 'sha512',
}

// Group orders (n) of the curves: ECDSA's s is computed mod n.
const CURVE_ORDER: Record<string, bigint> = {
  prime256v1: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  secp384r1:
    0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  secp521r1:
    0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  secp256k1: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
}

// DER DigestInfo prefixes (RFC 8017 §9.2 note 1) for PKCS#1 v1.5 over a precomputed digest.
const DIGEST_INFO: Record<'sha256' | 'sha384' | 'sha512', string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
}

const MAX_BODY = 1024 * 1024

/**
 * Start a loopback KMS on 127.0.0.1 (random port). Requests must carry a SigV4
 * `Authorization` header for service `kms` and the server's region.
 */
export async function startAwsKmsServer(options: AwsKmsServerOptions = {}): Promise<AwsKmsTestServer> {
  const region = options.region ?? 'us-east-1'
  const accountId = options.accountId ?? '111122223333'
  const keys = new Map<string, AwsKmsTestKey>()
  const aliases = new Map<string, string>()
  const aliasCreated = new Map<string, Date>()
  const deny = new Set(options.deny ?? [])
  let throttleRemaining = options.throttleFirst ?? 0

  const arnPrefix = `arn:aws:kms:${region}:${accountId}:`

  function createKey(spec: AwsKmsKeySpec, keyOptions: CreateTestKeyOptions = {}): AwsKmsTestKey {
    if (!(spec in DEFAULT_SIGNING)) throw new AwsFault('ValidationException', `KeySpec ${String(spec)} is not supported`)
    const multiRegion = keyOptions.multiRegion ?? false
    const keyId = multiRegion ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID()
    let privateKey: KeyObject | undefined
    let publicKey: KeyObject | undefined
    const curve = EC_CURVES[spec]
    const bits = RSA_BITS[spec]
    if (curve) ({privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: curve}))
    else if (bits) ({privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: bits}))
    else if (spec === 'ECC_NIST_EDWARDS25519') ({privateKey, publicKey} = generateKeyPairSync('ed25519'))
    const usage = keyOptions.usage ?? (spec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : 'SIGN_VERIFY')
    const key: AwsKmsTestKey = {
      keyId,
      arn: `${arnPrefix}key/${keyId}`,
      spec,
      usage,
      state: keyOptions.state ?? 'Enabled',
      description: keyOptions.description ?? '',
      signingAlgorithms: usage === 'SIGN_VERIFY' ? [...(keyOptions.signingAlgorithms ?? DEFAULT_SIGNING[spec])] : [],
      multiRegion,
      creationDate: new Date(),
      privateKey,
      publicKey,
      publicKeyDer: publicKey ? new Uint8Array(publicKey.export({format: 'der', type: 'spki'})) : undefined,
    }
    keys.set(keyId, key)
    if (keyOptions.alias) addAlias(keyOptions.alias, keyId)
    return key
  }

  function addAlias(name: string, keyId: string): void {
    if (!/^alias\/[A-Za-z0-9/_-]{1,250}$/.test(name) || name.startsWith('alias/aws/')) {
      throw new AwsFault('ValidationException', `1 validation error detected: Value '${name}' at 'aliasName' failed to satisfy constraint`)
    }
    if (aliases.has(name)) throw new AwsFault('AlreadyExistsException', `An alias with the name ${arnPrefix}${name} already exists`)
    aliases.set(name, keyId)
    aliasCreated.set(name, new Date())
  }

  /** Resolve any KeyId form: key id, key ARN, alias name, alias ARN. */
  function findKey(keyIdInput: unknown): AwsKmsTestKey {
    if (typeof keyIdInput !== 'string' || keyIdInput === '') {
      throw new AwsFault('ValidationException', "1 validation error detected: Value null at 'keyId' failed to satisfy constraint")
    }
    let id = keyIdInput
    if (id.startsWith('arn:')) {
      if (!id.startsWith(arnPrefix)) throw new AwsFault('NotFoundException', `Invalid arn ${region}`)
      id = id.slice(arnPrefix.length)
      if (id.startsWith('key/')) id = id.slice(4)
    }
    if (id.startsWith('alias/')) {
      const target = aliases.get(id)
      if (!target) throw new AwsFault('NotFoundException', `Alias ${arnPrefix}${id} is not found.`)
      id = target
    }
    const key = keys.get(id)
    if (!key) throw new AwsFault('NotFoundException', `Key '${arnPrefix}key/${id}' does not exist`)
    return key
  }

  function requireUsable(key: AwsKmsTestKey): void {
    if (key.state === 'Disabled') throw new AwsFault('DisabledException', `${key.arn} is disabled.`)
    if (key.state === 'PendingDeletion') throw new AwsFault('KMSInvalidStateException', `${key.arn} is pending deletion.`)
  }

  function metadata(key: AwsKmsTestKey): Record<string, unknown> {
    return {
      AWSAccountId: accountId,
      KeyId: key.keyId,
      Arn: key.arn,
      CreationDate: key.creationDate.getTime() / 1000,
      Enabled: key.state === 'Enabled',
      Description: key.description,
      KeyUsage: key.usage,
      KeyState: key.state,
      ...(key.state === 'PendingDeletion' ? {DeletionDate: key.creationDate.getTime() / 1000 + 7 * 86400, PendingDeletionWindowInDays: 7} : {}),
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: key.spec,
      KeySpec: key.spec,
      ...(key.usage === 'SIGN_VERIFY' ? {SigningAlgorithms: key.signingAlgorithms} : {}),
      ...(key.usage === 'ENCRYPT_DECRYPT'
        ? {EncryptionAlgorithms: key.spec === 'SYMMETRIC_DEFAULT' ? ['SYMMETRIC_DEFAULT'] : ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256']}
        : {}),
      MultiRegion: key.multiRegion,
    }
  }

  function blob(value: unknown, field: string): Buffer {
    if (typeof value !== 'string') throw new AwsFault('ValidationException', `1 validation error detected: Value null at '${field}' failed to satisfy constraint`)
    return Buffer.from(value, 'base64')
  }

  const handlers: Record<string, (body: Record<string, unknown>) => Record<string, unknown>> = {
    CreateKey(body) {
      const spec = (body.KeySpec ?? body.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT') as AwsKmsKeySpec
      if (!(spec in DEFAULT_SIGNING)) throw new AwsFault('ValidationException', `KeySpec ${String(spec)} is not supported`)
      const usage = (body.KeyUsage ?? 'ENCRYPT_DECRYPT') as AwsKmsKeyUsage
      const key = createKey(spec, {usage, description: typeof body.Description === 'string' ? body.Description : '', multiRegion: body.MultiRegion === true})
      return {KeyMetadata: metadata(key)}
    },
    CreateAlias(body) {
      const key = findKey(body.TargetKeyId)
      if (typeof body.AliasName !== 'string') throw new AwsFault('ValidationException', 'AliasName is required')
      addAlias(body.AliasName, key.keyId)
      return {}
    },
    UpdateAlias(body) {
      const key = findKey(body.TargetKeyId)
      const name = body.AliasName
      if (typeof name !== 'string' || !aliases.has(name)) throw new AwsFault('NotFoundException', `Alias ${arnPrefix}${String(name)} is not found.`)
      aliases.set(name, key.keyId)
      return {}
    },
    DescribeKey(body) {
      return {KeyMetadata: metadata(findKey(body.KeyId))}
    },
    GetPublicKey(body) {
      const key = findKey(body.KeyId)
      requireUsable(key)
      if (!key.publicKeyDer) throw new AwsFault('UnsupportedOperationException', `${key.arn} key usage is ENCRYPT_DECRYPT; symmetric keys have no public key`)
      return {
        KeyId: key.arn,
        PublicKey: Buffer.from(key.publicKeyDer).toString('base64'),
        CustomerMasterKeySpec: key.spec,
        KeySpec: key.spec,
        KeyUsage: key.usage,
        ...(key.usage === 'SIGN_VERIFY' ? {SigningAlgorithms: key.signingAlgorithms} : {}),
      }
    },
    Sign(body) {
      const key = findKey(body.KeyId)
      requireUsable(key)
      const algorithm = body.SigningAlgorithm
      if (key.usage !== 'SIGN_VERIFY') throw new AwsFault('InvalidKeyUsageException', `${key.arn} key usage is ${key.usage} which is not valid for Sign.`)
      if (typeof algorithm !== 'string' || !key.signingAlgorithms.includes(algorithm)) {
        throw new AwsFault('InvalidKeyUsageException', `Algorithm ${String(algorithm)} is incompatible with key spec ${key.spec}.`)
      }
      const message = blob(body.Message, 'message')
      const messageType = body.MessageType ?? 'RAW'
      if (messageType !== 'RAW' && messageType !== 'DIGEST') throw new AwsFault('ValidationException', `MessageType ${String(messageType)} is invalid`)
      return {KeyId: key.arn, Signature: signWith(key, algorithm, message, messageType).toString('base64'), SigningAlgorithm: algorithm}
    },
    ListAliases(body) {
      const filter = body.KeyId === undefined ? undefined : findKey(body.KeyId).keyId
      const list = [...aliases]
        .filter(([, target]) => filter === undefined || target === filter)
        .map(([name, target]) => ({
          AliasName: name,
          AliasArn: `${arnPrefix}${name}`,
          TargetKeyId: target,
          CreationDate: (aliasCreated.get(name) ?? new Date()).getTime() / 1000,
        }))
      return {Aliases: list, Truncated: false}
    },
  }

  const service = await startAwsJsonService<AwsKmsRequest>({
    service: 'kms',
    targetPrefix: 'TrentService.',
    region,
    internalErrorType: 'KMSInternalException',
    maxBody: MAX_BODY,
    operations: handlers,
    gate(target) {
      if (throttleRemaining > 0) {
        throttleRemaining--
        throw new AwsFault('ThrottlingException', 'Rate exceeded')
      }
      if (deny.has(target)) {
        throw new AwsFault(
          'AccessDeniedException',
          `User: arn:aws:iam::${accountId}:user/test is not authorized to perform: kms:${target} because no identity-based policy allows the kms:${target} action`,
        )
      }
    },
  })
  const requests = service.requests
  return {
    endpoint: service.endpoint,
    host: service.host,
    region,
    accountId,
    requests,
    keys,
    aliases,
    deny,
    throttle(count: number) {
      throttleRemaining = count
    },
    createKey,
    count: (target?: string) => requests.filter((r) => target === undefined || r.target === target).length,
    close: () => service.close(),
  }
}

/** A real signature as KMS makes it: ECDSA DER, PKCS#1 v1.5, PSS (salt = digest length), Ed25519. */
function signWith(key: AwsKmsTestKey, algorithm: string, message: Buffer, messageType: unknown): Buffer {
  const privateKey = key.privateKey as KeyObject
  if (algorithm === 'ED25519_SHA_512') {
    if (messageType !== 'RAW') throw new AwsFault('ValidationException', 'ED25519_SHA_512 requires MessageType RAW')
    return nodeSign(null, message, privateKey)
  }
  const hash = ALGORITHM_HASH[algorithm] as 'sha256' | 'sha384' | 'sha512'
  const hashLength = createHash(hash).digest().length
  let digest: Buffer
  if (messageType === 'DIGEST') {
    if (message.length !== hashLength) {
      throw new AwsFault('ValidationException', `Digest is invalid length for algorithm ${algorithm}.`)
    }
    digest = message
  } else {
    if (message.length > 4096) throw new AwsFault('ValidationException', 'Message is longer than 4096 bytes; use MessageType DIGEST')
    digest = createHash(hash).update(message).digest()
  }
  if (algorithm.startsWith('ECDSA_')) return ecdsaSignDigest(privateKey, digest)
  if (algorithm.startsWith('RSASSA_PKCS1_V1_5_')) {
    return privateEncrypt({key: privateKey, padding: constants.RSA_PKCS1_PADDING}, Buffer.concat([Buffer.from(DIGEST_INFO[hash], 'hex'), digest]))
  }
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0
  const encoded = emsaPssEncode(digest, bits - 1, hash)
  const k = Math.ceil(bits / 8)
  const block = Buffer.concat([Buffer.alloc(k - encoded.length), encoded])
  return privateEncrypt({key: privateKey, padding: constants.RSA_NO_PADDING}, block)
}

/**
 * ECDSA over a precomputed digest with node's own primitives (node:crypto always hashes the
 * message itself): the nonce k and R = k·G come from a fresh key pair on the same curve, so
 * r = x(R) mod n and s = k⁻¹(z + r·d) mod n need only bigint arithmetic.
 */
function ecdsaSignDigest(privateKey: KeyObject, digest: Buffer): Buffer {
  const curve = privateKey.asymmetricKeyDetails?.namedCurve ?? ''
  const n = CURVE_ORDER[curve]
  if (n === undefined) throw new AwsFault('KMSInternalException', `no curve order for ${curve}`, 500)
  const d = jwkInt(privateKey, 'd')
  const nBits = n.toString(2).length
  let z = BigInt(`0x${digest.toString('hex')}`)
  if (digest.length * 8 > nBits) z >>= BigInt(digest.length * 8 - nBits)
  for (;;) {
    const ephemeral = generateKeyPairSync('ec', {namedCurve: curve}).privateKey
    const k = jwkInt(ephemeral, 'd')
    const r = jwkInt(ephemeral, 'x') % n
    if (r === 0n) continue
    const s = (modPow(k, n - 2n, n) * ((z + r * d) % n)) % n
    if (s === 0n) continue
    return derSignature(r, s)
  }
}

function jwkInt(key: KeyObject, field: 'd' | 'x'): bigint {
  const jwk = key.export({format: 'jwk'}) as Record<string, string>
  return BigInt(`0x${Buffer.from(jwk[field] as string, 'base64url').toString('hex')}`)
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n
  let b = base % modulus
  let e = exponent
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus
    b = (b * b) % modulus
    e >>= 1n
  }
  return result
}

function derSignature(r: bigint, s: bigint): Buffer {
  const integer = (value: bigint): Buffer => {
    let hex = value.toString(16)
    if (hex.length % 2) hex = `0${hex}`
    let bytes = Buffer.from(hex, 'hex')
    if ((bytes[0] as number) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes])
    return Buffer.concat([Buffer.from([0x02]), derLength(bytes.length), bytes])
  }
  const content = Buffer.concat([integer(r), integer(s)])
  return Buffer.concat([Buffer.from([0x30]), derLength(content.length), content])
}

function derLength(length: number): Buffer {
  return length < 0x80 ? Buffer.from([length]) : Buffer.from([0x81, length])
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with MGF1 and salt length = digest length, as AWS KMS signs. */
function emsaPssEncode(mHash: Buffer, emBits: number, hash: string): Buffer {
  const hLen = mHash.length
  const emLen = Math.ceil(emBits / 8)
  const salt = randomBytes(hLen)
  const h = createHash(hash).update(Buffer.concat([Buffer.alloc(8), mHash, salt])).digest()
  const db = Buffer.concat([Buffer.alloc(emLen - 2 * hLen - 2), Buffer.from([1]), salt])
  const mask = mgf1(h, emLen - hLen - 1, hash)
  for (let i = 0; i < db.length; i++) db[i] = (db[i] as number) ^ (mask[i] as number)
  db[0] = (db[0] as number) & (0xff >> (8 * emLen - emBits))
  return Buffer.concat([db, h, Buffer.from([0xbc])])
}

function mgf1(seed: Buffer, length: number, hash: string): Buffer {
  const parts: Buffer[] = []
  for (let counter = 0, total = 0; total < length; counter++) {
    const c = Buffer.alloc(4)
    c.writeUInt32BE(counter)
    const part = createHash(hash).update(Buffer.concat([seed, c])).digest()
    parts.push(part)
    total += part.length
  }
  return Buffer.concat(parts).subarray(0, length)
}
