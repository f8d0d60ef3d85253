/**
 * The `pkcs11:` key provider: keys in an HSM or smart card behind a PKCS#11 module.
 *
 * pkcs11js (a native addon) is imported inside the methods, never at module load, so the
 * `sigil:plugin` hook stays cheap. Every operation loads the module, opens one session, does
 * its work synchronously and finalizes again: nothing stays open between calls.
 */
import {createHash, createPublicKey, randomBytes} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {EC_COORDINATE_BYTES, EC_CURVE_OIDS, SigilError, checkDigestArgs, createLocalVerifier, defaultSignatureAlgorithm, ecSpki, encodePublicKeyPem, isSigilError, lazyModule, readDerElement, sha256DigestInfo} from '@sigil/core'
import type {GeneratedKey, HashAlgorithm, KeyContext, KeyProvider, PublicKeyInfo, SignatureAlgorithm, Signer, Verifier, VerifyOptions} from '@sigil/core'
import {rawToDer} from './ecdsa.js'
import {
  PIN_ENV_VAR,
  describeObject,
  describeToken,
  isPkcs11Uri,
  parsePkcs11Uri,
  redactPkcs11Uri,
  resolveModulePath,
  resolvePin,
} from './uri.js'
import type {Pkcs11Uri} from './uri.js'

type Pkcs11Lib = typeof import('pkcs11js')
type Module = InstanceType<Pkcs11Lib['PKCS11']>
type Handle = Buffer

/** Options of `pkcs11Provider`. */
export interface Pkcs11ProviderOptions {
  /**
   * Hash used with P-384 keys. Default `sha256`, what cosign does with PKCS#11 keys (so
   * `cosign verify --key hsm.pub` accepts the signatures); `sha384` gives `ecdsa-p384-sha384`.
   */
  readonly p384Hash?: 'sha256' | 'sha384'
  /**
   * RSA signing mechanism: `auto` (default) uses CKM_SHA256_RSA_PKCS when the token offers it,
   * else CKM_RSA_PKCS over a SHA-256 DigestInfo; `CKM_RSA_PKCS` always uses the latter.
   */
  readonly rsaMechanism?: 'auto' | 'CKM_RSA_PKCS'
  /** Environment to read `SIGIL_PKCS11_MODULE`, `COSIGN_PKCS11_MODULE_PATH`, `COSIGN_PKCS11_PIN` from. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv
}

type Curve = 'P-256' | 'P-384' | 'P-521'
const CURVES: readonly Curve[] = ['P-256', 'P-384', 'P-521']

const loadLib = lazyModule(
  (): Promise<Pkcs11Lib> => import('pkcs11js').then((m) => ((m as {default?: Pkcs11Lib}).default ?? m) as Pkcs11Lib),
  {name: 'pkcs11js', neededFor: 'pkcs11: keys', error: (message, cause) => new SigilError('KMS_ERROR', message, {cause})},
)

/** The CKR_* name in a pkcs11js error, if any. */
function ckrName(err: unknown): string | undefined {
  return /CKR_[A-Z0-9_]+/.exec(String((err as Error | undefined)?.message ?? err))?.[0]
}

/** A PKCS#11 failure as a SigilError with the CKR name. */
function failure(err: unknown, what: string): SigilError {
  if (isSigilError(err)) return err as SigilError
  const ckr = ckrName(err)
  return new SigilError('KMS_ERROR', `${what}: ${ckr ?? (err as Error).message}`, {cause: err, details: ckr ? {ckr} : undefined})
}

const trimPadded = (s: string) => s.replace(/[\s\0]+$/, '')
/** A CK_ULONG attribute value (native byte order: little-endian on the platforms pkcs11js supports). */
const ulong = (b: Buffer): number => Number(b.length >= 8 ? b.readBigUInt64LE(0) : b.readUInt32LE(0))

const slotNumber = (slot: Handle): number => ulong(slot)

/** What an operation sees: the library, the open session, the token's label. */
interface Session {
  readonly lib: Pkcs11Lib
  readonly mod: Module
  readonly slot: Handle
  readonly session: Handle
  readonly tokenLabel: string
}

/**
 * Load the module, find the token, open a session (logged in when `pin` is given), run `fn`,
 * and close everything again, whatever happens. Fully synchronous between load and finalize,
 * so concurrent callers never interleave inside the module.
 */
function withSession<T>(lib: Pkcs11Lib, modulePath: string, uri: Pkcs11Uri, opts: {pin?: string; rw?: boolean}, fn: (s: Session) => T): T {
  const mod = new lib.PKCS11()
  try {
    mod.load(modulePath)
  } catch (err) {
    throw new SigilError('INVALID_ARGUMENT', `cannot load the PKCS#11 module ${modulePath}: ${(err as Error).message}`, {cause: err})
  }
  let initialized = false
  try {
    try {
      mod.C_Initialize()
      initialized = true
    } catch (err) {
      if (ckrName(err) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw failure(err, `cannot initialize the PKCS#11 module ${modulePath}`)
    }
    const {slot, label} = findToken(lib, mod, uri, modulePath)
    let session: Handle
    try {
      session = mod.C_OpenSession(slot, lib.CKF_SERIAL_SESSION | (opts.rw ? lib.CKF_RW_SESSION : 0))
    } catch (err) {
      throw failure(err, `cannot open a session on token ${label}`)
    }
    let loggedIn = false
    try {
      if (opts.pin !== undefined) {
        try {
          mod.C_Login(session, lib.CKU_USER, opts.pin)
          loggedIn = true
        } catch (err) {
          const ckr = ckrName(err)
          if (ckr === 'CKR_USER_ALREADY_LOGGED_IN') {
            // another session of this process logged in: fine
          } else if (ckr === 'CKR_PIN_INCORRECT' || ckr === 'CKR_PIN_LEN_RANGE') {
            throw new SigilError('KEY_ACCESS_DENIED', `wrong PIN for token ${label}`, {cause: err, details: {ckr}})
          } else if (ckr === 'CKR_PIN_LOCKED') {
            throw new SigilError('KEY_ACCESS_DENIED', `the user PIN of token ${label} is locked`, {cause: err, details: {ckr}})
          } else {
            throw failure(err, `cannot log in to token ${label}`)
          }
        }
      }
      return fn({lib, mod, slot, session, tokenLabel: label})
    } finally {
      if (loggedIn) {
        try {
          mod.C_Logout(session)
        } catch {
          // closing the session logs out anyway
        }
      }
      try {
        mod.C_CloseSession(session)
      } catch {
        // nothing more to do
      }
    }
  } finally {
    if (initialized) {
      try {
        mod.C_Finalize()
      } catch {
        // already gone
      }
    }
    try {
      mod.close()
    } catch {
      // already closed
    }
  }
}

function findToken(lib: Pkcs11Lib, mod: Module, uri: Pkcs11Uri, modulePath: string): {slot: Handle; label: string} {
  let slots: Handle[]
  try {
    slots = mod.C_GetSlotList(true)
  } catch (err) {
    throw failure(err, `cannot list the slots of ${modulePath}`)
  }
  const seen: string[] = []
  const matches: Array<{slot: Handle; label: string}> = []
  for (const slot of slots) {
    let info: ReturnType<Module['C_GetTokenInfo']>
    try {
      info = mod.C_GetTokenInfo(slot)
    } catch {
      continue
    }
    if ((info.flags & lib.CKF_TOKEN_INITIALIZED) === 0) continue
    const label = trimPadded(info.label)
    seen.push(label)
    if (uri.token !== undefined && label !== uri.token) continue
    if (uri.serial !== undefined && trimPadded(info.serialNumber) !== uri.serial) continue
    if (uri.manufacturer !== undefined && trimPadded(info.manufacturerID) !== uri.manufacturer) continue
    if (uri.model !== undefined && trimPadded(info.model) !== uri.model) continue
    if (uri.slotId !== undefined && slotNumber(slot) !== uri.slotId) continue
    matches.push({slot, label})
  }
  if (matches.length === 0) {
    throw new SigilError(
      'KEY_NOT_FOUND',
      `no PKCS#11 token matches ${describeToken(uri)} in ${modulePath} (tokens present: ${seen.length ? seen.map((s) => `"${s}"`).join(', ') : 'none'})`,
    )
  }
  if (matches.length > 1) {
    throw new SigilError('INVALID_ARGUMENT', `${matches.length} PKCS#11 tokens match ${describeToken(uri)}: add token=, serial= or slot-id= to the URI`)
  }
  return matches[0]!
}

function findObjects(s: Session, cls: number, uri: Pkcs11Uri, id?: Uint8Array): Handle[] {
  const template: Array<{type: number; value?: number | boolean | string | Buffer}> = [{type: s.lib.CKA_CLASS, value: cls}]
  if (uri.object !== undefined) template.push({type: s.lib.CKA_LABEL, value: uri.object})
  const theId = id ?? uri.id
  if (theId !== undefined) template.push({type: s.lib.CKA_ID, value: Buffer.from(theId)})
  try {
    s.mod.C_FindObjectsInit(s.session, template)
    try {
      return s.mod.C_FindObjects(s.session, 16)
    } finally {
      s.mod.C_FindObjectsFinal(s.session)
    }
  } catch (err) {
    throw failure(err, `cannot search token ${s.tokenLabel}`)
  }
}

function attribute(s: Session, object: Handle, type: number): Buffer | undefined {
  try {
    const [a] = s.mod.C_GetAttributeValue(s.session, object, [{type}])
    return a?.value
  } catch (err) {
    const ckr = ckrName(err)
    if (ckr === 'CKR_ATTRIBUTE_TYPE_INVALID' || ckr === 'CKR_ATTRIBUTE_SENSITIVE') return undefined
    throw failure(err, `cannot read a key attribute on token ${s.tokenLabel}`)
  }
}

function one(s: Session, found: Handle[], what: string, uri: Pkcs11Uri): Handle | undefined {
  if (found.length > 1) {
    throw new SigilError('INVALID_ARGUMENT', `${found.length} ${what}s match ${describeObject(uri)} on token ${s.tokenLabel}: add id= or object= to the URI`)
  }
  return found[0]
}

function checkKeyUri(uri: Pkcs11Uri, keyRef: string): void {
  if (uri.object === undefined && uri.id === undefined) {
    throw new SigilError('INVALID_ARGUMENT', `the pkcs11 URI names no key: add object=<label> and/or id=<bytes> (${redactPkcs11Uri(keyRef)})`)
  }
  if (uri.type !== undefined && uri.type !== 'private' && uri.type !== 'public') {
    throw new SigilError('INVALID_ARGUMENT', `pkcs11 URI type=${uri.type} is not a signing key: use type=private or leave type out`)
  }
}

function findPrivateKey(s: Session, uri: Pkcs11Uri): Handle {
  const key = one(s, findObjects(s, s.lib.CKO_PRIVATE_KEY, uri), 'private key', uri)
  if (!key) throw new SigilError('KEY_NOT_FOUND', `no private key with ${describeObject(uri)} on PKCS#11 token ${s.tokenLabel}`)
  return key
}

const b64url = (b: Buffer) => b.toString('base64url')
const stripZeros = (b: Buffer) => {
  let i = 0
  while (i < b.length - 1 && b[i] === 0) i++
  return b.subarray(i)
}

/** The EC point in CKA_EC_POINT: a DER OCTET STRING (the standard) or the bare point (some tokens). */
function ecPoint(value: Buffer, size: number): Uint8Array {
  if (value.length === 2 * size + 1 && value[0] === 0x04) return value
  const octets = readDerElement(value, 0)
  return octets?.tag === 0x04 && octets.end === value.length ? value.subarray(octets.start, octets.end) : value
}

/** An RSA key's PublicKeyInfo; the SPKI is OpenSSL's (DER has one encoding of an RSA key). */
function rsaPublicKeyInfo(key: KeyObject): PublicKeyInfo {
  const spki = new Uint8Array(key.export({type: 'spki', format: 'der'}))
  const bits = key.asymmetricKeyDetails?.modulusLength
  return {kind: 'rsa', ...(bits ? {bits} : {}), spki, pem: encodePublicKeyPem(spki)}
}

/** The public key of `object` (a public key, or an RSA private key, which carries n and e). */
function readPublicKey(s: Session, object: Handle): PublicKeyInfo {
  const keyType = attribute(s, object, s.lib.CKA_KEY_TYPE)
  const kt = keyType ? ulong(keyType) : undefined
  if (kt === s.lib.CKK_EC) {
    const params = attribute(s, object, s.lib.CKA_EC_PARAMS)?.toString('hex')
    const curve = CURVES.find((c) => EC_CURVE_OIDS[c] === params)
    if (!curve) throw new SigilError('KEY_UNSUPPORTED', `the EC key on token ${s.tokenLabel} uses a curve sigil does not support (params ${params ?? 'missing'}); use P-256, P-384 or P-521`)
    const raw = attribute(s, object, s.lib.CKA_EC_POINT)
    if (!raw) throw new SigilError('KEY_NOT_FOUND', `the EC key on token ${s.tokenLabel} has no CKA_EC_POINT`)
    // Core builds the SPKI cosign reads (uncompressed point) from any SEC 1 form and checks the point.
    const spki = ecSpki(curve, ecPoint(raw, EC_COORDINATE_BYTES[curve]))
    return {kind: 'ecdsa', curve, spki, pem: encodePublicKeyPem(spki)}
  }
  if (kt === s.lib.CKK_RSA) {
    const n = attribute(s, object, s.lib.CKA_MODULUS)
    const e = attribute(s, object, s.lib.CKA_PUBLIC_EXPONENT)
    if (!n || !e) throw new SigilError('KEY_NOT_FOUND', `the RSA key on token ${s.tokenLabel} does not expose its modulus and exponent`)
    return rsaPublicKeyInfo(createPublicKey({key: {kty: 'RSA', n: b64url(stripZeros(n)), e: b64url(stripZeros(e))}, format: 'jwk'}))
  }
  throw new SigilError('KEY_UNSUPPORTED', `the key on token ${s.tokenLabel} is neither EC nor RSA (CKA_KEY_TYPE ${kt ?? 'missing'})`)
}

/** The public half of the key `uri` names: its public key object, or (RSA) the private key itself. */
function findPublicKey(s: Session, uri: Pkcs11Uri, privateKey?: Handle): PublicKeyInfo | undefined {
  const id = privateKey ? attribute(s, privateKey, s.lib.CKA_ID) : undefined
  const byId = id && id.length > 0 && uri.id === undefined ? findObjects(s, s.lib.CKO_PUBLIC_KEY, {id}) : []
  const pub = byId.length === 1 ? byId[0] : one(s, findObjects(s, s.lib.CKO_PUBLIC_KEY, uri), 'public key', uri)
  if (pub) return readPublicKey(s, pub)
  if (privateKey) {
    const kt = attribute(s, privateKey, s.lib.CKA_KEY_TYPE)
    if (kt && ulong(kt) === s.lib.CKK_RSA) return readPublicKey(s, privateKey)
  }
  return undefined
}

function hashFor(info: PublicKeyInfo, options: Pkcs11ProviderOptions): {hash: HashAlgorithm; algorithm: SignatureAlgorithm} {
  if (info.curve === 'P-384' && options.p384Hash === 'sha384') return {hash: 'sha384', algorithm: 'ecdsa-p384-sha384'}
  return {hash: 'sha256', algorithm: defaultSignatureAlgorithm(info)}
}

/** Core's shared local verification; the caller's hash option wins over the key's default. */
function localVerifier(info: PublicKeyInfo, defaultHash: HashAlgorithm): Verifier {
  const local = createLocalVerifier(info)
  const streaming = local.createVerification?.bind(local)
  return {
    publicKey: info,
    verify: (message, signature, options) => local.verify(message, signature, {hash: options?.hash ?? defaultHash}),
    ...(streaming && {createVerification: (options?: VerifyOptions) => streaming({hash: options?.hash ?? defaultHash})}),
  }
}

/**
 * A key provider for `pkcs11:` URIs (RFC 7512). See the package README for the URI attributes
 * and environment variables.
 */
export function pkcs11Provider(options: Pkcs11ProviderOptions = {}): KeyProvider {
  const env = () => options.env ?? process.env

  /** A PIN only when one is at hand without asking (URI or environment). */
  const quietPin = async (uri: Pkcs11Uri, keyRef: string): Promise<string | undefined> =>
    uri.pinValue !== undefined || uri.pinSource !== undefined || env()[PIN_ENV_VAR] ? resolvePin(uri, keyRef, {}, env()) : undefined

  const prepare = async (keyRef: string) => {
    const uri = parsePkcs11Uri(keyRef)
    checkKeyUri(uri, keyRef)
    const modulePath = resolveModulePath(uri, env())
    const lib = await loadLib()
    return {uri, modulePath, lib}
  }

  const publicKey = async (keyRef: string): Promise<PublicKeyInfo> => {
    const {uri, modulePath, lib} = await prepare(keyRef)
    // Public key objects are normally readable without logging in: try that first.
    const anonymous = withSession(lib, modulePath, uri, {}, (s) => findPublicKey(s, uri))
    if (anonymous) return anonymous
    const pin = await quietPin(uri, keyRef)
    const viaLogin = pin === undefined ? undefined : withSession(lib, modulePath, uri, {pin}, (s) => findPublicKey(s, uri))
    if (viaLogin) return viaLogin
    const token = uri.token ?? describeToken(uri)
    throw new SigilError('KEY_NOT_FOUND', `no public key with ${describeObject(uri)} on PKCS#11 token ${token}`)
  }

  return {
    name: 'pkcs11',
    schemes: ['pkcs11'],
    handles: (keyRef) => isPkcs11Uri(keyRef),

    publicKey: (keyRef) => publicKey(keyRef),

    async verifier(keyRef): Promise<Verifier> {
      const info = await publicKey(keyRef)
      return localVerifier(info, hashFor(info, options).hash)
    },

    async signer(keyRef, ctx: KeyContext): Promise<Signer> {
      const {uri, modulePath, lib} = await prepare(keyRef)
      const pin = await resolvePin(uri, keyRef, ctx, env())
      const info = withSession(lib, modulePath, uri, {pin}, (s) => {
        const key = findPrivateKey(s, uri)
        const found = findPublicKey(s, uri, key)
        if (!found) throw new SigilError('KEY_NOT_FOUND', `no public key object next to the private key ${describeObject(uri)} on PKCS#11 token ${s.tokenLabel}`)
        return found
      })
      const {hash, algorithm} = hashFor(info, options)
      /**
       * One C_Sign. ECDSA always signs the digest (CKM_ECDSA). RSA prefers CKM_SHA256_RSA_PKCS
       * over the message when there is one; with only a digest (sign-blob streaming), or when
       * told to, CKM_RSA_PKCS over the SHA-256 DigestInfo (the same signature).
       */
      const signOnToken = (digest: Buffer, message?: Uint8Array): Uint8Array =>
        withSession(lib, modulePath, uri, {pin}, (s) => {
          const key = findPrivateKey(s, uri)
          try {
            if (info.kind === 'ecdsa') {
              s.mod.C_SignInit(s.session, {mechanism: s.lib.CKM_ECDSA}, key)
              const raw = s.mod.C_Sign(s.session, digest, Buffer.alloc(2 * 66 + 8))
              return rawToDer(raw)
            }
            const mechanisms = s.mod.C_GetMechanismList(s.slot)
            const out = Buffer.alloc(2048)
            if (message !== undefined && options.rsaMechanism !== 'CKM_RSA_PKCS' && mechanisms.includes(s.lib.CKM_SHA256_RSA_PKCS)) {
              s.mod.C_SignInit(s.session, {mechanism: s.lib.CKM_SHA256_RSA_PKCS}, key)
              return new Uint8Array(s.mod.C_Sign(s.session, Buffer.from(message), out))
            }
            if (!mechanisms.includes(s.lib.CKM_RSA_PKCS)) {
              throw new SigilError('KEY_UNSUPPORTED', `token ${s.tokenLabel} offers ${message === undefined ? 'no CKM_RSA_PKCS (needed to sign a digest)' : 'neither CKM_SHA256_RSA_PKCS nor CKM_RSA_PKCS'}`)
            }
            s.mod.C_SignInit(s.session, {mechanism: s.lib.CKM_RSA_PKCS}, key)
            return new Uint8Array(s.mod.C_Sign(s.session, Buffer.from(sha256DigestInfo(digest)), out))
          } catch (err) {
            throw failure(err, `signing with ${describeObject(uri)} on token ${s.tokenLabel} failed`)
          }
        })
      return {
        algorithm,
        publicKey: async () => info,
        async sign(message) {
          return signOnToken(createHash(hash).update(message).digest(), message)
        },
        async signDigest(digest, digestHash) {
          checkDigestArgs(algorithm, digest, digestHash)
          return signOnToken(Buffer.from(digest))
        },
      }
    },

    async generate(keyRef, ctx: KeyContext): Promise<GeneratedKey> {
      const {uri, modulePath, lib} = await prepare(keyRef)
      const pin = await resolvePin(uri, keyRef, ctx, env())
      const info = withSession(lib, modulePath, uri, {pin, rw: true}, (s) => {
        const existing = one(s, findObjects(s, s.lib.CKO_PRIVATE_KEY, uri), 'private key', uri)
        if (existing) {
          const found = findPublicKey(s, uri, existing)
          if (!found) throw new SigilError('KEY_EXISTS', `a private key with ${describeObject(uri)} exists on token ${s.tokenLabel} but has no public key object`)
          return found
        }
        const id = Buffer.from(uri.id ?? randomBytes(16))
        const common = [
          {type: s.lib.CKA_TOKEN, value: true},
          {type: s.lib.CKA_KEY_TYPE, value: s.lib.CKK_EC},
          {type: s.lib.CKA_ID, value: id},
          ...(uri.object !== undefined ? [{type: s.lib.CKA_LABEL, value: uri.object}] : []),
        ]
        let pair: {publicKey: Handle; privateKey: Handle}
        try {
          pair = s.mod.C_GenerateKeyPair(
            s.session,
            {mechanism: s.lib.CKM_EC_KEY_PAIR_GEN},
            [
              ...common,
              {type: s.lib.CKA_CLASS, value: s.lib.CKO_PUBLIC_KEY},
              {type: s.lib.CKA_PRIVATE, value: false},
              {type: s.lib.CKA_VERIFY, value: true},
              {type: s.lib.CKA_EC_PARAMS, value: Buffer.from(EC_CURVE_OIDS['P-256'], 'hex')},
            ],
            [
              ...common,
              {type: s.lib.CKA_CLASS, value: s.lib.CKO_PRIVATE_KEY},
              {type: s.lib.CKA_PRIVATE, value: true},
              {type: s.lib.CKA_SENSITIVE, value: true},
              {type: s.lib.CKA_EXTRACTABLE, value: false},
              {type: s.lib.CKA_SIGN, value: true},
            ],
          )
        } catch (err) {
          throw failure(err, `cannot create a P-256 key pair on token ${s.tokenLabel}`)
        }
        return readPublicKey(s, pair.publicKey)
      })
      return {publicKey: info, written: [{kind: 'remote-key', location: redactPkcs11Uri(keyRef)}]}
    },
  }
}
