/**
 * Public keys as cosign.pub holds them: PKIX SubjectPublicKeyInfo DER in a PEM `PUBLIC KEY`
 * block, the way Go writes them (`x509.MarshalPKIXPublicKey`, `pem.EncodeToMemory`). Go writes
 * an EC key with its point uncompressed and reads no other form (a compressed point fails with
 * "x509: failed to unmarshal elliptic curve point"), so every EC key sigil shows or writes is
 * made canonical here first, whatever form a file, a KMS or an HSM gave it in.
 */
import {readDerElement} from './der.js'
import {SigilError} from './errors.js'
import {encodePem} from './pem.js'

/** Named curves sigil reads EC public keys on. */
export type EcCurve = 'P-256' | 'P-384' | 'P-521' | 'secp256k1'

interface CurveParams {
  /** The namedCurve OID, DER (tag and length included). */
  readonly oid: string
  /** Bytes of one coordinate. */
  readonly size: number
  readonly p: bigint
  /** `a` is -3 for the NIST curves, 0 for secp256k1. */
  readonly a: bigint
  readonly b: bigint
}

const CURVES: Readonly<Record<EcCurve, CurveParams>> = {
  'P-256': {
    oid: '06082a8648ce3d030107',
    size: 32,
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    a: -3n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  },
  'P-384': {
    oid: '06052b81040022',
    size: 48,
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    a: -3n,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  },
  'P-521': {
    oid: '06052b81040023',
    size: 66,
    p: (1n << 521n) - 1n,
    a: -3n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
  },
  secp256k1: {
    oid: '06052b8104000a',
    size: 32,
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn,
    a: 0n,
    b: 7n,
  },
}

/**
 * Each curve's namedCurve OID, DER-encoded (tag and length included) as hex: what an SPKI's
 * algorithm parameters and PKCS#11's `CKA_EC_PARAMS` hold.
 */
export const EC_CURVE_OIDS: Readonly<Record<EcCurve, string>> = Object.freeze(
  Object.fromEntries((Object.keys(CURVES) as EcCurve[]).map((c) => [c, CURVES[c].oid])) as Record<EcCurve, string>,
)

/** Bytes of one coordinate on each curve (and of r or s in a raw r‖s signature). */
export const EC_COORDINATE_BYTES: Readonly<Record<EcCurve, number>> = Object.freeze(
  Object.fromEntries((Object.keys(CURVES) as EcCurve[]).map((c) => [c, CURVES[c].size])) as Record<EcCurve, number>,
)

const EC_PUBLIC_KEY_OID = '06072a8648ce3d0201'
const ED25519_PREFIX = '302a300506032b6570032100'

function hex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}

function fromHex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16)
  return out
}

function derLength(length: number): string {
  if (length < 0x80) return length.toString(16).padStart(2, '0')
  const body = length.toString(16).padStart(length > 0xff ? 4 : 2, '0')
  return (0x80 + body.length / 2).toString(16) + body
}

function derSequence(content: string): string {
  return `30${derLength(content.length / 2)}${content}`
}

/** The canonical SPKI prefix of `curve`, up to and including the uncompressed-point tag 04. */
function canonicalPrefix(curve: EcCurve): string {
  const {oid, size} = CURVES[curve]
  const bitString = `03${derLength(2 + 2 * size)}0004`
  const algorithm = derSequence(EC_PUBLIC_KEY_OID + oid)
  const total = algorithm.length / 2 + bitString.length / 2 + 2 * size
  return `30${derLength(total)}${algorithm}${bitString}`
}

const PREFIXES: Readonly<Record<EcCurve, string>> = Object.fromEntries(
  (Object.keys(CURVES) as EcCurve[]).map((c) => [c, canonicalPrefix(c)]),
) as Record<EcCurve, string>

function mod(a: bigint, p: bigint): bigint {
  const r = a % p
  return r < 0n ? r + p : r
}

function modPow(base: bigint, exponent: bigint, p: bigint): bigint {
  let result = 1n
  let b = mod(base, p)
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % p
    b = (b * b) % p
  }
  return result
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${hex(bytes)}`)
}

function toBytes(n: bigint, size: number): Uint8Array {
  return fromHex(n.toString(16).padStart(2 * size, '0'))
}

function invalidPoint(curve: EcCurve, why: string): SigilError {
  return new SigilError('KEY_INVALID', `invalid ${curve} public key: ${why}`, {details: {curve}})
}

/**
 * The uncompressed form (`04‖X‖Y`) of an EC point given uncompressed (04), compressed (02/03,
 * Y recovered from X) or hybrid (06/07). Checks that the point is on `curve`.
 * @throws SigilError KEY_INVALID for a malformed point or one not on the curve
 */
export function uncompressedEcPoint(curve: EcCurve, point: Uint8Array): Uint8Array {
  const {size, p, a, b} = CURVES[curve]
  const form = point[0]
  const x = toBigInt(point.subarray(1, 1 + size))
  if (x >= p) throw invalidPoint(curve, 'X is not a field element')
  const rhs = mod(x * x * x + a * x + b, p)
  let y: bigint
  if ((form === 0x02 || form === 0x03) && point.length === 1 + size) {
    // Every supported p is 3 mod 4, so a square root is rhs^((p+1)/4) when one exists.
    y = modPow(rhs, (p + 1n) / 4n, p)
    if ((y * y) % p !== rhs) throw invalidPoint(curve, 'the compressed point is not on the curve')
    if ((y & 1n) !== BigInt(form & 1)) y = p - y
  } else if ((form === 0x04 || form === 0x06 || form === 0x07) && point.length === 1 + 2 * size) {
    y = toBigInt(point.subarray(1 + size))
    if (y >= p || mod(y * y, p) !== rhs) throw invalidPoint(curve, 'the point is not on the curve')
    if (form !== 0x04 && (y & 1n) !== BigInt(form & 1)) throw invalidPoint(curve, 'the hybrid point has the wrong Y parity')
  } else {
    throw invalidPoint(curve, `a ${point.length}-byte point of form 0x${(form ?? 0).toString(16).padStart(2, '0')} is neither compressed nor uncompressed`)
  }
  const out = new Uint8Array(1 + 2 * size)
  out[0] = 0x04
  out.set(toBytes(x, size), 1)
  out.set(toBytes(y, size), 1 + size)
  return out
}

/**
 * The canonical SPKI of an EC public key: namedCurve parameters and the uncompressed point,
 * byte for byte what Go's `x509.MarshalPKIXPublicKey` writes. `point` may be in any SEC 1 form.
 * @throws SigilError KEY_INVALID (see {@link uncompressedEcPoint})
 */
export function ecSpki(curve: EcCurve, point: Uint8Array): Uint8Array {
  const prefix = fromHex(PREFIXES[curve])
  const uncompressed = uncompressedEcPoint(curve, point)
  const out = new Uint8Array(prefix.length + uncompressed.length - 1)
  out.set(prefix)
  out.set(uncompressed.subarray(1), prefix.length)
  return out
}

/** The curve and point of an SPKI with id-ecPublicKey and a namedCurve sigil knows; undefined for anything else. */
function readEcSpki(spki: Uint8Array): {curve: EcCurve; point: Uint8Array} | undefined {
  const outer = readDerElement(spki, 0)
  if (!outer || outer.tag !== 0x30 || outer.end !== spki.length) return undefined
  const algorithm = readDerElement(spki, outer.start)
  if (!algorithm || algorithm.tag !== 0x30) return undefined
  const key = readDerElement(spki, algorithm.end)
  if (!key || key.tag !== 0x03 || key.end !== outer.end || key.end - key.start < 2 || spki[key.start] !== 0) return undefined
  const algorithmHex = hex(spki.subarray(algorithm.start, algorithm.end))
  if (!algorithmHex.startsWith(EC_PUBLIC_KEY_OID)) return undefined
  const curve = (Object.keys(CURVES) as EcCurve[]).find((c) => algorithmHex === EC_PUBLIC_KEY_OID + CURVES[c].oid)
  return curve === undefined ? undefined : {curve, point: spki.subarray(key.start + 1, key.end)}
}

/**
 * True when `spki` is already in the form Go writes for its key type, so it can be kept as
 * read: EC on a supported curve with an uncompressed point, or Ed25519. (RSA keys are not
 * judged here: their encoding has no alternative forms in well-formed DER.)
 */
export function isCanonicalSpki(spki: Uint8Array): boolean {
  const h = hex(spki.subarray(0, 40))
  if (h.startsWith(ED25519_PREFIX)) return spki.length === 44
  return (Object.keys(CURVES) as EcCurve[]).some((c) => {
    const prefix = PREFIXES[c]
    return spki.length === prefix.length / 2 + 2 * CURVES[c].size && hex(spki.subarray(0, prefix.length / 2)) === prefix
  })
}

/**
 * `spki` as Go writes it: an EC key on a supported curve gets its canonical encoding with the
 * uncompressed point (a compressed or hybrid point is converted); canonical bytes, and any
 * other key type, are returned as read (a copy). The point is checked to be on the curve only
 * when it has to be converted; parse the key with a crypto library to validate it.
 * @throws SigilError KEY_INVALID for an EC key whose point cannot be read
 */
export function canonicalSpki(spki: Uint8Array): Uint8Array {
  if (isCanonicalSpki(spki)) return new Uint8Array(spki)
  const ec = readEcSpki(spki)
  return ec === undefined ? new Uint8Array(spki) : ecSpki(ec.curve, ec.point)
}

/**
 * PEM `PUBLIC KEY` of `spki` made canonical ({@link canonicalSpki}): 64-character base64
 * lines and a trailing newline, byte for byte what Go's `pem.EncodeToMemory` writes.
 * @throws SigilError KEY_INVALID for an EC key whose point cannot be read
 */
export function encodePublicKeyPem(spki: Uint8Array): string {
  return encodePem('PUBLIC KEY', canonicalSpki(spki))
}
