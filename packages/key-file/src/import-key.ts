/**
 * Bringing outside keys in (`import-key-pair`) and making new ones (`generate-key-pair`).
 */
import {createPrivateKey, generateKeyPairSync} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {decodePem, describeSupportedKey, isPublicKeyPemType} from '@sigil/core'
import {KeyFileError} from './error.js'

/** Unencrypted PEM labels cosign's `import-key-pair` reads, and their DER formats. */
const PLAIN_TYPES: Readonly<Record<string, 'pkcs1' | 'sec1' | 'pkcs8'>> = {
  'RSA PRIVATE KEY': 'pkcs1',
  'EC PRIVATE KEY': 'sec1',
  'PRIVATE KEY': 'pkcs8',
}

/** Options of `importPrivateKeyPem`. */
export interface ImportPrivateKeyOptions {
  /** Names the key in error messages. Default `the key`. */
  readonly source?: string
}

/**
 * Read a private key PEM as cosign's `import-key-pair` does: `RSA PRIVATE KEY` (PKCS#1),
 * `EC PRIVATE KEY` (SEC1) or `PRIVATE KEY` (PKCS#8 RSA/ECDSA/Ed25519), and return PKCS#8 DER.
 * Beyond cosign, OpenSSL-encrypted PEMs (`ENCRYPTED PRIVATE KEY`, or `Proc-Type: 4,ENCRYPTED`
 * headers) are read when `password` is given.
 * @throws KeyFileError KEY_INVALID, KEY_UNSUPPORTED (type, curve, RSA size), KEY_NOT_PRIVATE
 *   (a public key), PASSWORD_REQUIRED (encrypted, no password), KEY_DECRYPT_FAILED
 */
export function importPrivateKeyPem(
  pem: string,
  password?: Uint8Array,
  options: ImportPrivateKeyOptions = {},
): Uint8Array {
  const source = options.source ?? 'the key'
  const block = decodePem(pem)
  if (!block) throw new KeyFileError('KEY_INVALID', `invalid pem block: ${source} does not contain a PEM private key`)
  if (isPublicKeyPemType(block.type)) {
    throw new KeyFileError('KEY_NOT_PRIVATE', `${source} is a public key; a public key was given where a private key is needed`)
  }
  if (/^ENCRYPTED (COSIGN|SIGSTORE) PRIVATE KEY$/.test(block.type)) {
    throw new KeyFileError('KEY_INVALID', `${source} is already a cosign key (${block.type}); use it directly`)
  }
  const legacyEncrypted = /ENCRYPTED/i.test(block.headers['Proc-Type'] ?? '')
  let key: KeyObject
  if (block.type === 'ENCRYPTED PRIVATE KEY' || (legacyEncrypted && block.type in PLAIN_TYPES)) {
    if (password === undefined) {
      throw new KeyFileError('PASSWORD_REQUIRED', `${source} is encrypted; a password is needed to import it`)
    }
    try {
      key = createPrivateKey({key: pem, format: 'pem', passphrase: Buffer.from(password)})
    } catch (err) {
      throw new KeyFileError('KEY_DECRYPT_FAILED', `wrong password for ${source}? decryption failed`, {cause: err})
    }
  } else {
    const type = PLAIN_TYPES[block.type]
    if (!type) {
      throw new KeyFileError(
        'KEY_UNSUPPORTED',
        `unsupported private key type ${block.type} in ${source}; expected RSA PRIVATE KEY, EC PRIVATE KEY or PRIVATE KEY`,
      )
    }
    try {
      key = createPrivateKey({key: Buffer.from(block.bytes), format: 'der', type})
    } catch (err) {
      throw new KeyFileError('KEY_INVALID', `${source} is not a valid ${block.type}: ${(err as Error).message}`, {
        cause: err,
      })
    }
  }
  describeSupportedKey(key, source)
  return new Uint8Array(key.export({format: 'der', type: 'pkcs8'}))
}

/** A new ECDSA P-256 private key as PKCS#8 DER (what `generate-key-pair` makes). */
export function generatePrivateKey(): Uint8Array {
  const {privateKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  return new Uint8Array(privateKey.export({format: 'der', type: 'pkcs8'}))
}
