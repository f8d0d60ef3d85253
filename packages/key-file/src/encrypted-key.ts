/**
 * cosign.key: a PKCS#8 private key sealed with scrypt + NaCl secretbox, in the JSON
 * envelope of go-securesystemslib's `encrypted` package (spec §4.1).
 */
import {createPrivateKey, randomBytes, scrypt} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {xsalsa20poly1305} from '@noble/ciphers/salsa.js'
import {decodePem, decodeStdBase64, describeSupportedKey, encodePem, encodeStdBase64} from '@sigil/core'
import {classifyPrivateKeyDer} from './der.js'
import {KeyFileError} from './error.js'

/** scrypt cost parameters cosign reads (r=8, p=1 in every case). */
export type ScryptN = 32768 | 65536 | 131072

/** Which of cosign's two PEM labels a key carries: `ENCRYPTED <label> PRIVATE KEY`. */
export type CosignKeyLabel = 'COSIGN' | 'SIGSTORE'

/** Options of `encryptCosignKey`. */
export interface EncryptCosignKeyOptions {
  /** scrypt N (r=8, p=1). Default `DEFAULT_KEY_ENCRYPTION.scryptN` (32768). */
  readonly scryptN?: ScryptN
  /** PEM label. Default `DEFAULT_KEY_ENCRYPTION.label` (`COSIGN`). */
  readonly label?: CosignKeyLabel
}

/**
 * What sigil writes by default: `ENCRYPTED COSIGN PRIVATE KEY` with scrypt N=32768.
 * Why not current cosign's `SIGSTORE` + N=65536: cosign < 2.2 (go-tuf's `encrypted`) reads
 * only N=32768, and older readers (cosign < 2.0.2, containers/image tooling) only know the
 * `COSIGN` label; every cosign since 1.x and containers/image read this combination.
 */
export const DEFAULT_KEY_ENCRYPTION: Readonly<Required<EncryptCosignKeyOptions>> = Object.freeze({
  scryptN: 32768,
  label: 'COSIGN',
})

/** The scrypt parameter sets cosign accepts (go-securesystemslib legacy/standard/OWASP). */
export const ACCEPTED_SCRYPT_N: readonly ScryptN[] = [32768, 65536, 131072]

const SCRYPT_R = 8
const SCRYPT_P = 1
const KEY_BYTES = 32
const SALT_BYTES = 32
const NONCE_BYTES = 24
const TAG_BYTES = 16
const KDF_NAME = 'scrypt'
const CIPHER_NAME = 'nacl/secretbox'

/** What the envelope says, before any password is involved. */
export interface CosignKeyInfo {
  readonly label: CosignKeyLabel
  readonly scrypt: {readonly N: ScryptN; readonly r: 8; readonly p: 1}
}

interface Envelope extends CosignKeyInfo {
  readonly salt: Uint8Array
  readonly nonce: Uint8Array
  readonly ciphertext: Uint8Array
}

/** Options of `decryptCosignKey` / `inspectCosignKey`. */
export interface DecryptCosignKeyOptions {
  /** Names the key in error messages (a path, `env://VAR`). Default `the private key`. */
  readonly source?: string
}

/**
 * Check a cosign.key envelope without decrypting it (label, JSON, scrypt parameters,
 * nonce), e.g. to fail before prompting for a password.
 * @throws KeyFileError KEY_INVALID (not a cosign key, corrupt), KEY_UNSUPPORTED (kdf, cipher, scrypt parameters)
 */
export function inspectCosignKey(pem: string | Uint8Array, options: DecryptCosignKeyOptions = {}): CosignKeyInfo {
  const {label, scrypt: params} = parseEnvelope(pem, options.source ?? 'the private key')
  return {label, scrypt: params}
}

/**
 * Decrypt a cosign.key (either PEM label) to its PKCS#8 DER. scrypt runs on libuv's thread
 * pool, so the event loop stays free.
 * @throws KeyFileError KEY_DECRYPT_FAILED (wrong password), KEY_INVALID (corrupt, or the
 *   plaintext is not PKCS#8), KEY_UNSUPPORTED (parameters or key type)
 */
export async function decryptCosignKey(
  pem: string | Uint8Array,
  password: Uint8Array,
  options: DecryptCosignKeyOptions = {},
): Promise<Uint8Array> {
  const source = options.source ?? 'the private key'
  // Everything is validated before scrypt runs: tampered parameters must not cost CPU/RAM.
  const envelope = parseEnvelope(pem, source)
  const key = await deriveKey(password, envelope.salt, envelope.scrypt.N)
  let plaintext: Uint8Array
  try {
    const opened = xsalsa20poly1305(key, envelope.nonce).decrypt(envelope.ciphertext)
    plaintext = opened.slice()
    opened.fill(0) // a view into noble's scratch buffer: don't leave the private key behind
  } catch (err) {
    throw new KeyFileError(
      'KEY_DECRYPT_FAILED',
      `wrong password for ${source}? decryption failed (encrypted: decryption failed)`,
      {cause: err},
    )
  } finally {
    key.fill(0)
  }
  validatePkcs8(plaintext, source)
  return plaintext
}

/**
 * Seal a PKCS#8 private key as cosign.key: PEM with 64-char lines and a trailing newline, body
 * = compact JSON in Go field order, random 32-byte salt and 24-byte nonce.
 * The key must be a supported type (see `describeSupportedKey`). An empty password is allowed,
 * as in cosign.
 * @throws KeyFileError KEY_INVALID (not PKCS#8), KEY_UNSUPPORTED (key type), INVALID_ARGUMENT (options)
 */
export async function encryptCosignKey(
  pkcs8: Uint8Array,
  password: Uint8Array,
  options: EncryptCosignKeyOptions = {},
): Promise<string> {
  const N = options.scryptN ?? DEFAULT_KEY_ENCRYPTION.scryptN
  const label = options.label ?? DEFAULT_KEY_ENCRYPTION.label
  if (!ACCEPTED_SCRYPT_N.includes(N)) {
    throw new KeyFileError('INVALID_ARGUMENT', `unsupported scrypt parameters: N=${N} (use 32768, 65536 or 131072)`)
  }
  if (label !== 'COSIGN' && label !== 'SIGSTORE') {
    throw new KeyFileError('INVALID_ARGUMENT', `unsupported pem type: ENCRYPTED ${String(label)} PRIVATE KEY (use COSIGN or SIGSTORE)`)
  }
  validatePkcs8(pkcs8, 'the private key')
  const salt = new Uint8Array(randomBytes(SALT_BYTES))
  const nonce = new Uint8Array(randomBytes(NONCE_BYTES))
  const key = await deriveKey(password, salt, N)
  let ciphertext: Uint8Array
  try {
    ciphertext = xsalsa20poly1305(key, nonce).encrypt(pkcs8).slice()
  } finally {
    key.fill(0)
  }
  // Built by hand to pin Go's struct field order (kdf{name,params{N,r,p},salt}, cipher{name,nonce}, ciphertext).
  const json =
    `{"kdf":{"name":"${KDF_NAME}","params":{"N":${N},"r":${SCRYPT_R},"p":${SCRYPT_P}},"salt":"${encodeStdBase64(salt)}"},` +
    `"cipher":{"name":"${CIPHER_NAME}","nonce":"${encodeStdBase64(nonce)}"},` +
    `"ciphertext":"${encodeStdBase64(ciphertext)}"}`
  return encodePem(pemType(label), new TextEncoder().encode(json))
}

function pemType(label: CosignKeyLabel): string {
  return `ENCRYPTED ${label} PRIVATE KEY`
}

function deriveKey(password: Uint8Array, salt: Uint8Array, N: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    // Node's default maxmem (32 MiB) is below what N >= 32768, r=8 needs (128·N·r bytes plus slack).
    const maxmem = 128 * SCRYPT_R * (N + SCRYPT_P + 2) + 1024 * 1024
    scrypt(password, salt, KEY_BYTES, {N, r: SCRYPT_R, p: SCRYPT_P, maxmem}, (err, derived) => {
      if (err) reject(new KeyFileError('KEY_DECRYPT_FAILED', `scrypt failed: ${err.message}`, {cause: err}))
      else resolve(new Uint8Array(derived.buffer, derived.byteOffset, derived.byteLength))
    })
  })
}

function parseEnvelope(pem: string | Uint8Array, source: string): Envelope {
  const block = decodePem(pem)
  if (!block) throw new KeyFileError('KEY_INVALID', `invalid pem block: ${source} is not a PEM file (or it is truncated)`)
  const label = block.type === pemType('COSIGN') ? 'COSIGN' : block.type === pemType('SIGSTORE') ? 'SIGSTORE' : undefined
  if (!label) throw new KeyFileError('KEY_INVALID', `unsupported pem type: ${block.type}`)

  const corrupt = (what: string): KeyFileError =>
    new KeyFileError('KEY_INVALID', `${source} is corrupt: ${what}`)
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', {fatal: true}).decode(block.bytes))
  } catch (err) {
    throw new KeyFileError('KEY_INVALID', `${source} is corrupt: its body is not JSON`, {cause: err})
  }
  const kdf = field(json, 'kdf')
  const cipher = field(json, 'cipher')
  const kdfName = field(kdf, 'name') ?? ''
  if (kdfName !== KDF_NAME) {
    throw new KeyFileError('KEY_UNSUPPORTED', `encrypted: unknown kdf name ${JSON.stringify(kdfName)} in ${source}`)
  }
  const cipherName = field(cipher, 'name') ?? ''
  if (cipherName !== CIPHER_NAME) {
    throw new KeyFileError('KEY_UNSUPPORTED', `encrypted: unknown cipher name ${JSON.stringify(cipherName)} in ${source}`)
  }
  const params = field(kdf, 'params')
  const N = field(params, 'N')
  const r = field(params, 'r')
  const p = field(params, 'p')
  // DoS guard: only cosign's three fixed cost settings are ever run.
  if (!ACCEPTED_SCRYPT_N.includes(N as ScryptN) || r !== SCRYPT_R || p !== SCRYPT_P) {
    throw new KeyFileError(
      'KEY_UNSUPPORTED',
      `unsupported scrypt parameters in ${source} (N=${String(N)}, r=${String(r)}, p=${String(p)}); ` +
        'cosign accepts only N=32768, 65536 or 131072 with r=8, p=1',
    )
  }
  const salt = bytesField(kdf, 'salt')
  if (!salt) throw corrupt('the scrypt salt is missing or not base64')
  const nonce = bytesField(cipher, 'nonce')
  if (!nonce) throw corrupt('the nonce is missing or not base64')
  if (nonce.length !== NONCE_BYTES) throw corrupt('encrypted: incorrect nonce size')
  const ciphertext = bytesField(json, 'ciphertext')
  if (!ciphertext) throw corrupt('the ciphertext is missing or not base64')
  if (ciphertext.length < TAG_BYTES) throw corrupt('the ciphertext is truncated')
  return {label, scrypt: {N: N as ScryptN, r: SCRYPT_R, p: SCRYPT_P}, salt, nonce, ciphertext}
}

/** Object member `name`, matched like Go's encoding/json (exact first, then case-insensitive). */
function field(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const record = value as Record<string, unknown>
  if (Object.hasOwn(record, name)) return record[name]
  const key = Object.keys(record).find((k) => k.toLowerCase() === name.toLowerCase())
  return key === undefined ? undefined : record[key]
}

/** A Go `[]byte` JSON field: base64 string (`null`/absent = missing). */
function bytesField(value: unknown, name: string): Uint8Array | undefined {
  const raw = field(value, name)
  return typeof raw === 'string' ? decodeStdBase64(raw) : undefined
}

/**
 * Require PKCS#8 of a supported key type, as cosign's `x509.ParsePKCS8PrivateKey` does;
 * SEC1 and PKCS#1 inside cosign.key are rejected even though lenient parsers take them.
 */
function validatePkcs8(der: Uint8Array, source: string): KeyObject {
  const format = classifyPrivateKeyDer(der)
  if (format === 'sec1' || format === 'pkcs1') {
    const name = format === 'sec1' ? 'SEC1 EC private key ("EC PRIVATE KEY")' : 'PKCS#1 RSA private key ("RSA PRIVATE KEY")'
    throw new KeyFileError(
      'KEY_INVALID',
      `${source} holds a ${name}, not PKCS#8; cosign rejects it ` +
        '(x509: failed to parse private key). Re-create it with import-key-pair from the unencrypted PEM',
    )
  }
  let key: KeyObject
  try {
    key = createPrivateKey({key: Buffer.from(der), format: 'der', type: 'pkcs8'})
  } catch (err) {
    throw new KeyFileError('KEY_INVALID', `${source} does not hold a valid PKCS#8 private key`, {cause: err})
  }
  describeSupportedKey(key, source)
  return key
}
