/**
 * A loopback Google Cloud KMS: a real `@grpc/grpc-js` server for
 * `google.cloud.kms.v1.KeyManagementService`, built from the protos `@google-cloud/kms` ships,
 * so the real client (and anything built on it) can be tested offline over real gRPC.
 *
 * Implemented: GetKeyRing, CreateKeyRing, GetCryptoKey, CreateCryptoKey, GetCryptoKeyVersion,
 * ListCryptoKeyVersions (filter `state=X`, orderBy `name [asc|desc]`, paging), GetPublicKey
 * (PEM + pemCrc32c) and AsymmetricSign (real signatures over the given digest, CRC32C fields
 * checked and returned). Other methods answer UNIMPLEMENTED. Faults are injected per method.
 * The server binds 127.0.0.1 only, with insecure (plaintext) credentials.
 */
import {
  constants,
  createHash,
  createPublicKey,
  generateKeyPair,
  privateEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {promisify} from 'node:util'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import {crc32c} from '@sigil/core'

/** Signing algorithms the fake KMS can create keys for (the `CryptoKeyVersionAlgorithm` names). */
export type GcpKmsSignAlgorithm =
  | 'EC_SIGN_P256_SHA256'
  | 'EC_SIGN_P384_SHA384'
  | 'EC_SIGN_SECP256K1_SHA256'
  | 'RSA_SIGN_PKCS1_2048_SHA256'
  | 'RSA_SIGN_PKCS1_3072_SHA256'
  | 'RSA_SIGN_PKCS1_4096_SHA256'
  | 'RSA_SIGN_PKCS1_4096_SHA512'
  | 'RSA_SIGN_PSS_2048_SHA256'
  | 'RSA_SIGN_PSS_3072_SHA256'
  | 'RSA_SIGN_PSS_4096_SHA256'
  | 'RSA_SIGN_PSS_4096_SHA512'

/** Every signing algorithm the fake KMS supports. */
export const GCP_KMS_SIGN_ALGORITHMS: readonly GcpKmsSignAlgorithm[] = [
  'EC_SIGN_P256_SHA256',
  'EC_SIGN_P384_SHA384',
  'EC_SIGN_SECP256K1_SHA256',
  'RSA_SIGN_PKCS1_2048_SHA256',
  'RSA_SIGN_PKCS1_3072_SHA256',
  'RSA_SIGN_PKCS1_4096_SHA256',
  'RSA_SIGN_PKCS1_4096_SHA512',
  'RSA_SIGN_PSS_2048_SHA256',
  'RSA_SIGN_PSS_3072_SHA256',
  'RSA_SIGN_PSS_4096_SHA256',
  'RSA_SIGN_PSS_4096_SHA512',
]

/** `CryptoKeyVersionState` values a seeded version can take. */
export type GcpKmsVersionState = 'ENABLED' | 'DISABLED' | 'DESTROYED' | 'DESTROY_SCHEDULED' | 'PENDING_GENERATION'

/** `CryptoKeyPurpose` values a seeded key can take. */
export type GcpKmsPurpose = 'ASYMMETRIC_SIGN' | 'ASYMMETRIC_DECRYPT' | 'ENCRYPT_DECRYPT' | 'MAC'

/** The RPCs this server implements (names as in the proto). */
export type GcpKmsMethod =
  | 'GetKeyRing'
  | 'CreateKeyRing'
  | 'GetCryptoKey'
  | 'CreateCryptoKey'
  | 'GetCryptoKeyVersion'
  | 'ListCryptoKeyVersions'
  | 'GetPublicKey'
  | 'AsymmetricSign'

/** gRPC status names a fault can answer with. */
export type GcpKmsFaultCode =
  | 'NOT_FOUND'
  | 'PERMISSION_DENIED'
  | 'FAILED_PRECONDITION'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAUTHENTICATED'
  | 'INVALID_ARGUMENT'
  | 'UNAVAILABLE'
  | 'INTERNAL'

/** One RPC received (after decoding with the shipped protos; bytes fields are Buffers). */
export interface GcpKmsCall {
  readonly method: GcpKmsMethod
  readonly request: Record<string, unknown>
}

/** An injected failure. */
export interface GcpKmsFault {
  readonly code: GcpKmsFaultCode
  /** Status details; default a message naming the method. */
  readonly message?: string
  /** How many calls fail before the method works again. Default 1. */
  readonly times?: number
}

/** A response field `corruptNext` can falsify. */
export type GcpKmsCorruption =
  /** AsymmetricSign: `signatureCrc32c` off by one. */
  | 'signatureCrc32c'
  /** AsymmetricSign: `verifiedDigestCrc32c` false although the request had `digestCrc32c`. */
  | 'verifiedDigestCrc32c'
  /** AsymmetricSign: `name` of another version. */
  | 'signatureName'
  /** GetPublicKey: `pemCrc32c` off by one. */
  | 'pemCrc32c'

/** Options of `seedKey`. */
export interface SeedKeyOptions {
  /** State of the new version. Default `ENABLED`. */
  readonly state?: GcpKmsVersionState
  /** Purpose of the key when it is created. Default `ASYMMETRIC_SIGN`. */
  readonly purpose?: GcpKmsPurpose
}

/** What `seedKey` created. */
export interface SeededKeyVersion {
  /** `projects/P/locations/L/keyRings/R/cryptoKeys/K`. */
  readonly keyName: string
  /** `…/cryptoKeyVersions/N`. */
  readonly versionName: string
  /** PEM `PUBLIC KEY` of the new version. */
  readonly publicKeyPem: string
}

/** Options of `startGcpKmsServer`. */
export interface StartGcpKmsServerOptions {
  /** Resource name prefixes every call on which answers PERMISSION_DENIED. Default none. */
  readonly deny?: readonly string[]
  /** The first N AsymmetricSign calls answer RESOURCE_EXHAUSTED. Default 0. */
  readonly throttleFirst?: number
}

/** A running loopback KMS. */
export interface GcpKmsServer {
  /** `http://127.0.0.1:PORT` (plaintext gRPC), e.g. for `CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS`. */
  readonly endpoint: string
  readonly port: number
  /** Every RPC received, in order. */
  readonly calls: GcpKmsCall[]
  /**
   * Add a key version (creating the key ring and key as needed) with a fresh key pair.
   * `name` is a crypto key name (`projects/…/cryptoKeys/K`); each call adds version N+1.
   */
  seedKey(name: string, algorithm: GcpKmsSignAlgorithm, options?: SeedKeyOptions): Promise<SeededKeyVersion>
  /** Change a version's state (e.g. disable it after use). */
  setVersionState(versionName: string, state: GcpKmsVersionState): void
  /** Make the next `fault.times` calls of `method` (or of any method: `*`) fail. */
  failNext(method: GcpKmsMethod | '*', fault: GcpKmsFault): void
  /** Answer PERMISSION_DENIED for every resource under `prefix` from now on. */
  denyAccess(prefix: string): void
  /** Falsify `field` in the next `times` (default 1) matching responses. */
  corruptNext(field: GcpKmsCorruption, times?: number): void
  /** Number of calls of `method` so far (all methods when omitted). */
  count(method?: GcpKmsMethod): number
  close(): Promise<void>
}

const KEY_RE = /^(projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+)\/cryptoKeys\/([^/]+)$/
const VERSION_RE = /^(projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+)\/cryptoKeyVersions\/([^/]+)$/
const KEY_RING_RE = /^(projects\/[^/]+\/locations\/[^/]+)\/keyRings\/([^/]+)$/
const LOCATION_RE = /^projects\/[^/]+\/locations\/[^/]+$/
const ID_RE = /^[a-zA-Z0-9_-]{1,63}$/

type DigestName = 'sha256' | 'sha384' | 'sha512'

interface AlgorithmSpec {
  readonly hash: DigestName
  readonly key: {type: 'ec'; curve: EcCurveName} | {type: 'rsa'; bits: number; padding: 'pkcs1' | 'pss'}
}

function algorithmSpec(algorithm: string): AlgorithmSpec | undefined {
  switch (algorithm) {
    case 'EC_SIGN_P256_SHA256':
      return {hash: 'sha256', key: {type: 'ec', curve: 'P-256'}}
    case 'EC_SIGN_P384_SHA384':
      return {hash: 'sha384', key: {type: 'ec', curve: 'P-384'}}
    case 'EC_SIGN_SECP256K1_SHA256':
      return {hash: 'sha256', key: {type: 'ec', curve: 'secp256k1'}}
  }
  const rsa = /^RSA_SIGN_(PKCS1|PSS)_(2048|3072|4096)_(SHA256|SHA512)$/.exec(algorithm)
  if (!rsa) return undefined
  return {
    hash: rsa[3]!.toLowerCase() as DigestName,
    key: {type: 'rsa', bits: Number(rsa[2]), padding: rsa[1] === 'PSS' ? 'pss' : 'pkcs1'},
  }
}

interface Version {
  readonly name: string
  readonly id: number
  state: GcpKmsVersionState
  readonly algorithm: string
  readonly spec: AlgorithmSpec
  readonly privateKey: KeyObject
  readonly pem: string
  readonly createTime: {seconds: number; nanos: number}
}

interface CryptoKey {
  readonly name: string
  readonly purpose: string
  readonly templateAlgorithm: string
  readonly createTime: {seconds: number; nanos: number}
  readonly versions: Version[]
}

class Status extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message)
  }
}

const PERMISSIONS: Record<GcpKmsMethod, string> = {
  GetKeyRing: 'cloudkms.keyRings.get',
  CreateKeyRing: 'cloudkms.keyRings.create',
  GetCryptoKey: 'cloudkms.cryptoKeys.get',
  CreateCryptoKey: 'cloudkms.cryptoKeys.create',
  GetCryptoKeyVersion: 'cloudkms.cryptoKeyVersions.get',
  ListCryptoKeyVersions: 'cloudkms.cryptoKeyVersions.list',
  GetPublicKey: 'cloudkms.cryptoKeyVersions.viewPublicKey',
  AsymmetricSign: 'cloudkms.cryptoKeyVersions.useToSign',
}

function now(): {seconds: number; nanos: number} {
  const ms = Date.now()
  return {seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6}
}

/** Start a loopback KMS on 127.0.0.1 (random port). Call `close()` when done. */
export async function startGcpKmsServer(options: StartGcpKmsServerOptions = {}): Promise<GcpKmsServer> {
  const require = createRequire(import.meta.url)
  const protosPath = require.resolve('@google-cloud/kms/build/protos/protos.json')
  const definition = protoLoader.fromJSON(JSON.parse(readFileSync(protosPath, 'utf8')), {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  })
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    google: {cloud: {kms: {v1: {KeyManagementService: grpc.ServiceClientConstructor}}}}
  }
  const service = loaded.google.cloud.kms.v1.KeyManagementService.service

  const keyRings = new Map<string, {name: string; createTime: {seconds: number; nanos: number}}>()
  const keys = new Map<string, CryptoKey>()
  const calls: GcpKmsCall[] = []
  const faults = new Map<string, Array<{code: grpc.status; message?: string; remaining: number}>>()
  const denied = [...(options.deny ?? [])]
  const corruptions = new Map<GcpKmsCorruption, number>()
  let throttle = options.throttleFirst ?? 0

  function takeCorruption(field: GcpKmsCorruption): boolean {
    const left = corruptions.get(field) ?? 0
    if (left <= 0) return false
    corruptions.set(field, left - 1)
    return true
  }

  function takeFault(method: GcpKmsMethod): Status | undefined {
    for (const bucket of [method, '*']) {
      const list = faults.get(bucket)
      const fault = list?.[0]
      if (!list || !fault) continue
      fault.remaining--
      if (fault.remaining <= 0) list.shift()
      return new Status(fault.code, fault.message ?? `injected fault in ${method}`)
    }
    return undefined
  }

  function checkAccess(method: GcpKmsMethod, resource: string): void {
    if (denied.some((prefix) => resource === prefix || resource.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`))) {
      throw new Status(
        grpc.status.PERMISSION_DENIED,
        `Permission '${PERMISSIONS[method]}' denied on resource '${resource}' (or it may not exist).`,
      )
    }
  }

  function getKey(name: string): CryptoKey {
    if (!KEY_RE.test(name)) throw new Status(grpc.status.INVALID_ARGUMENT, `invalid CryptoKey name: ${name}`)
    const key = keys.get(name)
    if (!key) throw new Status(grpc.status.NOT_FOUND, `${name} not found.`)
    return key
  }

  function getVersion(name: string): Version {
    const match = VERSION_RE.exec(name)
    if (!match) throw new Status(grpc.status.INVALID_ARGUMENT, `invalid CryptoKeyVersion name: ${name}`)
    const version = keys.get(match[1]!)?.versions.find((v) => v.name === name)
    if (!version) throw new Status(grpc.status.NOT_FOUND, `${name} not found.`)
    return version
  }

  function requireEnabled(version: Version): void {
    if (version.state !== 'ENABLED') {
      throw new Status(
        grpc.status.FAILED_PRECONDITION,
        `The request cannot be fulfilled. Resource ${version.name} has value ${version.state} in field crypto_key_version.state.`,
      )
    }
  }

  function versionMessage(version: Version): Record<string, unknown> {
    return {
      name: version.name,
      state: version.state,
      protectionLevel: 'SOFTWARE',
      algorithm: version.algorithm,
      createTime: version.createTime,
      ...(version.state === 'ENABLED' ? {generateTime: version.createTime} : {}),
    }
  }

  function keyMessage(key: CryptoKey): Record<string, unknown> {
    return {
      name: key.name,
      purpose: key.purpose,
      createTime: key.createTime,
      versionTemplate: {protectionLevel: 'SOFTWARE', algorithm: key.templateAlgorithm},
    }
  }

  async function addVersion(key: CryptoKey, algorithm: string, state: GcpKmsVersionState): Promise<Version> {
    const spec = algorithmSpec(algorithm)
    if (!spec) throw new Status(grpc.status.INVALID_ARGUMENT, `unsupported algorithm for this fake KMS: ${algorithm}`)
    const privateKey = await generatePrivateKey(spec)
    const id = key.versions.reduce((max, v) => Math.max(max, v.id), 0) + 1
    const pem = createPublicKey(privateKey).export({format: 'pem', type: 'spki'}).toString()
    const version: Version = {
      name: `${key.name}/cryptoKeyVersions/${id}`,
      id,
      state,
      algorithm,
      spec,
      privateKey,
      pem,
      createTime: now(),
    }
    key.versions.push(version)
    return version
  }

  type Handler = (request: Record<string, unknown>) => Promise<Record<string, unknown>> | Record<string, unknown>

  const handlers: Record<GcpKmsMethod, Handler> = {
    GetKeyRing(request) {
      const name = String(request.name ?? '')
      checkAccess('GetKeyRing', name)
      if (!KEY_RING_RE.test(name)) throw new Status(grpc.status.INVALID_ARGUMENT, `invalid KeyRing name: ${name}`)
      const ring = keyRings.get(name)
      if (!ring) throw new Status(grpc.status.NOT_FOUND, `${name} not found.`)
      return {...ring}
    },
    CreateKeyRing(request) {
      const parent = String(request.parent ?? '')
      const id = String(request.keyRingId ?? '')
      checkAccess('CreateKeyRing', parent)
      if (!LOCATION_RE.test(parent)) throw new Status(grpc.status.INVALID_ARGUMENT, `invalid parent: ${parent}`)
      if (!ID_RE.test(id)) throw new Status(grpc.status.INVALID_ARGUMENT, `invalid key_ring_id: ${id}`)
      const name = `${parent}/keyRings/${id}`
      if (keyRings.has(name)) throw new Status(grpc.status.ALREADY_EXISTS, `KeyRing ${name} already exists.`)
      const ring = {name, createTime: now()}
      keyRings.set(name, ring)
      return {...ring}
    },
    GetCryptoKey(request) {
      const name = String(request.name ?? '')
      checkAccess('GetCryptoKey', name)
      const key = getKey(name)
      const primary = key.purpose === 'ENCRYPT_DECRYPT' ? key.versions.find((v) => v.state === 'ENABLED') : undefined
      return {...keyMessage(key), ...(primary ? {primary: versionMessage(primary)} : {})}
    },
    async CreateCryptoKey(request) {
      const parent = String(request.parent ?? '')
      const id = String(request.cryptoKeyId ?? '')
      checkAccess('CreateCryptoKey', parent)
      if (!KEY_RING_RE.test(parent)) throw new Status(grpc.status.INVALID_ARGUMENT, `invalid parent: ${parent}`)
      if (!ID_RE.test(id)) throw new Status(grpc.status.INVALID_ARGUMENT, `invalid crypto_key_id: ${id}`)
      if (!keyRings.has(parent)) throw new Status(grpc.status.NOT_FOUND, `${parent} not found.`)
      const name = `${parent}/cryptoKeys/${id}`
      if (keys.has(name)) throw new Status(grpc.status.ALREADY_EXISTS, `CryptoKey ${name} already exists.`)
      const body = (request.cryptoKey ?? {}) as {purpose?: string; versionTemplate?: {algorithm?: string}}
      const purpose = body.purpose ?? 'CRYPTO_KEY_PURPOSE_UNSPECIFIED'
      if (purpose !== 'ASYMMETRIC_SIGN') {
        throw new Status(grpc.status.INVALID_ARGUMENT, `this fake KMS only creates ASYMMETRIC_SIGN keys, not ${purpose}`)
      }
      const algorithm = body.versionTemplate?.algorithm
      if (!algorithm || !algorithmSpec(algorithm)) {
        throw new Status(grpc.status.INVALID_ARGUMENT, `invalid version_template.algorithm: ${String(algorithm)}`)
      }
      const key: CryptoKey = {name, purpose, templateAlgorithm: algorithm, createTime: now(), versions: []}
      if (request.skipInitialVersionCreation !== true) await addVersion(key, algorithm, 'ENABLED')
      keys.set(name, key)
      return keyMessage(key)
    },
    GetCryptoKeyVersion(request) {
      const name = String(request.name ?? '')
      checkAccess('GetCryptoKeyVersion', name)
      return versionMessage(getVersion(name))
    },
    ListCryptoKeyVersions(request) {
      const parent = String(request.parent ?? '')
      checkAccess('ListCryptoKeyVersions', parent)
      let versions = [...getKey(parent).versions]
      const filter = String(request.filter ?? '').trim()
      if (filter) {
        const match = /^state\s*[=:]\s*"?([A-Z_]+)"?$/.exec(filter)
        if (!match) throw new Status(grpc.status.INVALID_ARGUMENT, `unsupported filter: ${filter}`)
        versions = versions.filter((v) => v.state === match[1])
      }
      const orderBy = String(request.orderBy ?? '').trim()
      if (orderBy) {
        const match = /^name(?:\s+(asc|desc))?$/.exec(orderBy)
        if (!match) throw new Status(grpc.status.INVALID_ARGUMENT, `unsupported order_by: ${orderBy}`)
        versions.sort((a, b) => (match[1] === 'desc' ? b.id - a.id : a.id - b.id))
      }
      const offset = request.pageToken ? Number(request.pageToken) : 0
      const pageSize = Number(request.pageSize ?? 0) || versions.length || 1
      const page = versions.slice(offset, offset + pageSize)
      const next = offset + pageSize < versions.length ? String(offset + pageSize) : ''
      return {cryptoKeyVersions: page.map(versionMessage), nextPageToken: next, totalSize: versions.length}
    },
    GetPublicKey(request) {
      const name = String(request.name ?? '')
      checkAccess('GetPublicKey', name)
      const version = getVersion(name)
      requireEnabled(version)
      let crc = crc32c(Buffer.from(version.pem))
      if (takeCorruption('pemCrc32c')) crc = (crc + 1) >>> 0
      return {
        pem: version.pem,
        algorithm: version.algorithm,
        pemCrc32c: {value: String(crc)},
        name: version.name,
        protectionLevel: 'SOFTWARE',
      }
    },
    AsymmetricSign(request) {
      const name = String(request.name ?? '')
      checkAccess('AsymmetricSign', name)
      if (throttle > 0) {
        throttle--
        throw new Status(grpc.status.RESOURCE_EXHAUSTED, `Quota exceeded for quota metric 'Cryptographic requests'.`)
      }
      const version = getVersion(name)
      requireEnabled(version)
      const digestField = (request.digest ?? {}) as Partial<Record<DigestName, Buffer>>
      const digest = digestField[version.spec.hash]
      const given = (['sha256', 'sha384', 'sha512'] as const).filter((h) => digestField[h] !== undefined)
      if (!digest || given.length !== 1) {
        throw new Status(
          grpc.status.INVALID_ARGUMENT,
          `The request digest must be a ${version.spec.hash.toUpperCase()} digest for algorithm ${version.algorithm}.`,
        )
      }
      const digestCrc = request.digestCrc32c as {value?: string | number} | undefined
      if (digestCrc !== undefined && Number(digestCrc.value ?? 0) !== crc32c(digest)) {
        throw new Status(
          grpc.status.INVALID_ARGUMENT,
          'The checksum in field digest_crc32c did not match the data in field digest.',
        )
      }
      const signature = signDigest(version.privateKey, version.spec, digest)
      let signatureCrc = crc32c(signature)
      if (takeCorruption('signatureCrc32c')) signatureCrc = (signatureCrc + 1) >>> 0
      return {
        signature,
        signatureCrc32c: {value: String(signatureCrc)},
        verifiedDigestCrc32c: digestCrc !== undefined && !takeCorruption('verifiedDigestCrc32c'),
        name: takeCorruption('signatureName') ? `${name}0` : version.name,
        protectionLevel: 'SOFTWARE',
      }
    },
  }

  const implementation: grpc.UntypedServiceImplementation = {}
  for (const method of Object.keys(handlers) as GcpKmsMethod[]) {
    // proto-loader's service definition is keyed by the RPC name (originalName is camelCase).
    implementation[method] = (
      call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      const request = call.request
      calls.push({method, request})
      const fault = takeFault(method)
      if (fault) {
        callback({code: fault.code, details: fault.message})
        return
      }
      Promise.resolve()
        .then(() => handlers[method](request))
        .then(
          (response) => callback(null, response),
          (err: unknown) => {
            if (err instanceof Status) callback({code: err.code, details: err.message})
            else callback({code: grpc.status.INTERNAL, details: String((err as Error)?.message ?? err)})
          },
        )
    }
  }

  const server = new grpc.Server()
  server.addService(service, implementation)
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    )
  })

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    calls,
    async seedKey(name, algorithm, seedOptions = {}) {
      const match = KEY_RE.exec(name)
      if (!match) throw new Error(`seedKey: not a CryptoKey name: ${name}`)
      const ringName = match[1]!
      if (!keyRings.has(ringName)) keyRings.set(ringName, {name: ringName, createTime: now()})
      let key = keys.get(name)
      if (!key) {
        key = {
          name,
          purpose: seedOptions.purpose ?? 'ASYMMETRIC_SIGN',
          templateAlgorithm: algorithm,
          createTime: now(),
          versions: [],
        }
        keys.set(name, key)
      }
      const version = await addVersion(key, algorithm, seedOptions.state ?? 'ENABLED')
      return {keyName: name, versionName: version.name, publicKeyPem: version.pem}
    },
    setVersionState(versionName, state) {
      getVersion(versionName).state = state
    },
    failNext(method, fault) {
      const list = faults.get(method) ?? []
      list.push({code: grpc.status[fault.code], message: fault.message, remaining: fault.times ?? 1})
      faults.set(method, list)
    },
    denyAccess(prefix) {
      denied.push(prefix)
    },
    corruptNext(field, times = 1) {
      corruptions.set(field, (corruptions.get(field) ?? 0) + times)
    },
    count(method) {
      return method === undefined ? calls.length : calls.filter((c) => c.method === method).length
    },
    close() {
      return new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve())
        // Clients holding a channel open would delay a graceful shutdown.
        setTimeout(() => {
          server.forceShutdown()
          resolve()
        }, 500).unref()
      })
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Keys and signatures over a precomputed digest. node:crypto's sign() always hashes its input,
// so PKCS#1 v1.5 and PSS are encoded here and applied with the raw RSA primitive, and ECDSA is
// computed directly (BigInt arithmetic; test keys only, not constant time).

const generateKeyPairAsync = promisify(generateKeyPair)

async function generatePrivateKey(spec: AlgorithmSpec): Promise<KeyObject> {
  if (spec.key.type === 'rsa') {
    const pair = await generateKeyPairAsync('rsa', {modulusLength: spec.key.bits, publicExponent: 65537})
    return pair.privateKey
  }
  const namedCurve = {'P-256': 'prime256v1', 'P-384': 'secp384r1', secp256k1: 'secp256k1'}[spec.key.curve]
  const pair = await generateKeyPairAsync('ec', {namedCurve})
  return pair.privateKey
}

const DIGEST_INFO_PREFIX: Record<DigestName, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
}

function signDigest(privateKey: KeyObject, spec: AlgorithmSpec, digest: Buffer): Buffer {
  if (spec.key.type === 'ec') return ecdsaSignDigest(privateKey, spec.key.curve, digest)
  if (spec.key.padding === 'pkcs1') {
    const digestInfo = Buffer.concat([Buffer.from(DIGEST_INFO_PREFIX[spec.hash], 'hex'), digest])
    return privateEncrypt({key: privateKey, padding: constants.RSA_PKCS1_PADDING}, digestInfo)
  }
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? spec.key.bits
  const em = emsaPssEncode(digest, bits - 1, spec.hash)
  const k = Math.ceil(bits / 8)
  const block = Buffer.concat([Buffer.alloc(k - em.length), em])
  return privateEncrypt({key: privateKey, padding: constants.RSA_NO_PADDING}, block)
}

/** RFC 8017 §9.1.1 with MGF1 over the same hash and salt length = digest length (as Cloud KMS). */
function emsaPssEncode(mHash: Buffer, emBits: number, hash: DigestName): Buffer {
  const hLen = mHash.length
  const sLen = hLen
  const emLen = Math.ceil(emBits / 8)
  const salt = randomBytes(sLen)
  const h = createHash(hash)
    .update(Buffer.concat([Buffer.alloc(8), mHash, salt]))
    .digest()
  const db = Buffer.concat([Buffer.alloc(emLen - sLen - hLen - 2), Buffer.from([1]), salt])
  const mask = mgf1(h, emLen - hLen - 1, hash)
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!
  db[0]! &= 0xff >>> (8 * emLen - emBits)
  return Buffer.concat([db, h, Buffer.from([0xbc])])
}

function mgf1(seed: Buffer, length: number, hash: DigestName): Buffer {
  const parts: Buffer[] = []
  let total = 0
  for (let counter = 0; total < length; counter++) {
    const c = Buffer.alloc(4)
    c.writeUInt32BE(counter)
    const block = createHash(hash).update(seed).update(c).digest()
    parts.push(block)
    total += block.length
  }
  return Buffer.concat(parts).subarray(0, length)
}

type EcCurveName = 'P-256' | 'P-384' | 'secp256k1'

interface Curve {
  p: bigint
  a: bigint
  n: bigint
  gx: bigint
  gy: bigint
  size: number
}

const CURVES: Record<EcCurveName, Curve> = {
  'P-256': {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
    size: 32,
  },
  'P-384': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffcn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
    size: 48,
  },
  secp256k1: {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn,
    a: 0n,
    n: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
    gx: 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n,
    gy: 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n,
    size: 32,
  },
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m
  return r < 0n ? r + m : r
}

function invert(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m]
  let [oldS, s] = [1n, 0n]
  while (r !== 0n) {
    const q = oldR / r
    ;[oldR, r] = [r, oldR - q * r]
    ;[oldS, s] = [s, oldS - q * s]
  }
  return mod(oldS, m)
}

type Point = {x: bigint; y: bigint} | undefined

function pointAdd(c: Curve, P: Point, Q: Point): Point {
  if (!P) return Q
  if (!Q) return P
  let lambda: bigint
  if (P.x === Q.x) {
    if (mod(P.y + Q.y, c.p) === 0n) return undefined
    lambda = mod((3n * P.x * P.x + c.a) * invert(2n * P.y, c.p), c.p)
  } else {
    lambda = mod((Q.y - P.y) * invert(Q.x - P.x, c.p), c.p)
  }
  const x = mod(lambda * lambda - P.x - Q.x, c.p)
  return {x, y: mod(lambda * (P.x - x) - P.y, c.p)}
}

function pointMultiply(c: Curve, k: bigint, P: Point): Point {
  let result: Point
  let addend = P
  for (let e = k; e > 0n; e >>= 1n) {
    if (e & 1n) result = pointAdd(c, result, addend)
    addend = pointAdd(c, addend, addend)
  }
  return result
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`)
}

function ecdsaSignDigest(privateKey: KeyObject, curveName: EcCurveName, digest: Buffer): Buffer {
  const c = CURVES[curveName]
  const d = bytesToBigInt(Buffer.from(privateKey.export({format: 'jwk'}).d!, 'base64url'))
  const nBits = c.n.toString(2).length
  let e = bytesToBigInt(digest)
  if (digest.length * 8 > nBits) e >>= BigInt(digest.length * 8 - nBits)
  for (;;) {
    const k = mod(bytesToBigInt(randomBytes(c.size + 8)), c.n - 1n) + 1n
    const R = pointMultiply(c, k, {x: c.gx, y: c.gy})
    if (!R) continue
    const r = mod(R.x, c.n)
    if (r === 0n) continue
    const s = mod(invert(k, c.n) * (e + r * d), c.n)
    if (s === 0n) continue
    return derSignature(r, s)
  }
}

function derInteger(v: bigint): Buffer {
  let hex = v.toString(16)
  if (hex.length % 2) hex = `0${hex}`
  let bytes = Buffer.from(hex, 'hex')
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes])
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes])
}

function derSignature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)])
  // P-384 signatures stay under 128 bytes, so a one-byte length suffices.
  return Buffer.concat([Buffer.from([0x30, body.length]), body])
}
