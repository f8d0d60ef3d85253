import {generateKeyPairSync, randomBytes, scryptSync} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {xsalsa20poly1305} from '@noble/ciphers/salsa.js'
import {scryptAsync} from '@noble/hashes/scrypt.js'
import {describe, expect, test} from 'vitest'
import {
  ACCEPTED_SCRYPT_N,
  DEFAULT_KEY_ENCRYPTION,
  decryptCosignKey,
  encryptCosignKey,
  inspectCosignKey,
} from './encrypted-key.js'
import type {CosignKeyLabel, ScryptN} from './encrypted-key.js'
import {publicKeyFromPkcs8} from '@sigil/core'

const vectors = new URL('../../../../shared/spec/vectors/', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, vectors), 'utf8')
const utf8 = (s: string) => new TextEncoder().encode(s)

/** Every encrypted key vector (vectors/README.md §1). */
const KEYS: ReadonlyArray<{file: string; password: string; label: CosignKeyLabel; N: ScryptN; pub: string}> = [
  {file: 'policy-controller-example/cosign.key', password: '', label: 'COSIGN', N: 32768, pub: 'policy-controller-example/cosign.pub'},
  {file: 'sigstore-rs/ecdsa_encrypted_private.key', password: '123', label: 'COSIGN', N: 32768, pub: 'sigstore-rs/ecdsa_encrypted_private.DERIVED.pub'},
  {file: 'sigstore-rs/cosign_generated_encrypted_empty_private.key', password: '', label: 'SIGSTORE', N: 65536, pub: 'sigstore-rs/cosign_generated_encrypted_empty_private.DERIVED.pub'},
  {file: 'cosign-keys-test/pemsigstorekey.key', password: 'hello', label: 'SIGSTORE', N: 32768, pub: 'cosign-keys-test/pemsigstorekey.DERIVED.pub'},
  {file: 'cosign-keys-test/pemcosignkey.key', password: 'hello', label: 'COSIGN', N: 32768, pub: 'cosign-keys-test/pemcosignkey.DERIVED.pub'},
]
const SEC1_NEGATIVE = 'cosign-keys-test/pemcosigneckey.NEGATIVE-sec1-inside.key'

const p256 = () => new Uint8Array(generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey.export({format: 'der', type: 'pkcs8'}))

function pemBody(pem: string): Record<string, any> {
  const b64 = pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('')
  return JSON.parse(Buffer.from(b64, 'base64').toString('utf8'))
}

/** Build a cosign.key by hand (independent of encryptCosignKey), with any plaintext or params. */
function seal(plaintext: Uint8Array, password: string, edit: (json: Record<string, any>) => void = () => {}, type = 'ENCRYPTED COSIGN PRIVATE KEY'): string {
  const salt = randomBytes(32)
  const nonce = randomBytes(24)
  const key = scryptSync(password, salt, 32, {N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024})
  const ciphertext = xsalsa20poly1305(key, nonce).encrypt(plaintext)
  const json: Record<string, any> = {
    kdf: {name: 'scrypt', params: {N: 32768, r: 8, p: 1}, salt: salt.toString('base64')},
    cipher: {name: 'nacl/secretbox', nonce: nonce.toString('base64')},
    ciphertext: Buffer.from(ciphertext).toString('base64'),
  }
  edit(json)
  const b64 = Buffer.from(JSON.stringify(json)).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')
  return `-----BEGIN ${type}-----\n${b64}-----END ${type}-----\n`
}

describe('decryptCosignKey with the upstream vectors', () => {
  test.concurrent.each(KEYS)('$file decrypts with its password; public key = .pub byte for byte', async ({file, password, pub}) => {
    const pkcs8 = await decryptCosignKey(read(file), utf8(password))
    expect(pkcs8).toHaveLength(138)
    expect(publicKeyFromPkcs8(pkcs8).pem).toBe(read(pub))
  })

  test.concurrent.each(KEYS)('$file: a wrong password fails with KEY_DECRYPT_FAILED', async ({file, password}) => {
    await expect(decryptCosignKey(read(file), utf8(password + 'x'), {source: 'k.key'})).rejects.toMatchObject({
      code: 'KEY_DECRYPT_FAILED',
      message: expect.stringMatching(/^wrong password for k\.key\? decryption failed/),
    })
  })

  test.each(KEYS)('$file: inspect reports label $label and N=$N', ({file, label, N}) => {
    expect(inspectCosignKey(read(file))).toEqual({label, scrypt: {N, r: 8, p: 1}})
  })

  test('takes the PEM as bytes too', async () => {
    const pkcs8 = await decryptCosignKey(readFileSync(new URL(KEYS[0]!.file, vectors)), new Uint8Array(0))
    expect(pkcs8).toHaveLength(138)
  })

  test('the SEC1-inside NEGATIVE key is rejected (KEY_INVALID), though it decrypts', async () => {
    await expect(decryptCosignKey(read(SEC1_NEGATIVE), utf8('hello'))).rejects.toMatchObject({
      code: 'KEY_INVALID',
      message: expect.stringContaining('SEC1'),
    })
  })
})

describe('encryptCosignKey', () => {
  const combos = ACCEPTED_SCRYPT_N.flatMap((N) => (['COSIGN', 'SIGSTORE'] as const).map((label) => ({N, label})))

  test.concurrent.each(combos)('round trip with N=$N, $label label', async ({N, label}) => {
    const pkcs8 = p256()
    const pem = await encryptCosignKey(pkcs8, utf8('pw'), {scryptN: N, label})
    expect(pem.startsWith(`-----BEGIN ENCRYPTED ${label} PRIVATE KEY-----\n`)).toBe(true)
    expect(inspectCosignKey(pem)).toEqual({label, scrypt: {N, r: 8, p: 1}})
    expect(await decryptCosignKey(pem, utf8('pw'))).toEqual(pkcs8)
  })

  test('defaults to the most widely readable format: COSIGN label, N=32768', async () => {
    expect(DEFAULT_KEY_ENCRYPTION).toEqual({scryptN: 32768, label: 'COSIGN'})
    const pem = await encryptCosignKey(p256(), new Uint8Array(0))
    expect(inspectCosignKey(pem)).toEqual({label: 'COSIGN', scrypt: {N: 32768, r: 8, p: 1}})
  })

  test('has exactly the structure of a cosign-written key (PEM lines, JSON field order, sizes)', async () => {
    const vector = read(KEYS[0]!.file) // COSIGN, N=32768, P-256
    const pkcs8 = p256()
    const ours = await encryptCosignKey(pkcs8, new Uint8Array(0))
    const shape = (pem: string) => {
      const lines = pem.split('\n')
      const body = Buffer.from(lines.slice(1, -2).join(''), 'base64').toString('utf8')
      return {
        lineLengths: lines.map((l) => l.length),
        json: body.replace(/"[A-Za-z0-9+/]+={0,2}"(?=[,}])/g, (m) => (/^"(scrypt|nacl\/secretbox)"$/.test(m) ? m : '"<b64>"')),
        sizes: [pemBody(pem).kdf.salt, pemBody(pem).cipher.nonce, pemBody(pem).ciphertext].map((s: string) => Buffer.from(s, 'base64').length),
      }
    }
    expect(shape(ours)).toEqual(shape(vector))
    expect(shape(ours).json).toBe(
      '{"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"<b64>"},"cipher":{"name":"nacl/secretbox","nonce":"<b64>"},"ciphertext":"<b64>"}',
    )
    expect(ours.endsWith('-----END ENCRYPTED COSIGN PRIVATE KEY-----\n')).toBe(true)
  })

  test('what we write decrypts with an independent scrypt + secretbox (noble)', async () => {
    const pkcs8 = p256()
    const json = pemBody(await encryptCosignKey(pkcs8, utf8('pässword')))
    const key = await scryptAsync(utf8('pässword'), Buffer.from(json.kdf.salt, 'base64'), {N: 32768, r: 8, p: 1, dkLen: 32})
    const plain = xsalsa20poly1305(key, Buffer.from(json.cipher.nonce, 'base64')).decrypt(Buffer.from(json.ciphertext, 'base64'))
    expect(new Uint8Array(plain)).toEqual(pkcs8)
  })

  test('uses a fresh salt and nonce every time', async () => {
    const pkcs8 = p256()
    const [a, b] = [pemBody(await encryptCosignKey(pkcs8, utf8('p'))), pemBody(await encryptCosignKey(pkcs8, utf8('p')))]
    expect(a.kdf.salt).not.toBe(b.kdf.salt)
    expect(a.cipher.nonce).not.toBe(b.cipher.nonce)
  })

  test.each([
    ['SEC1', 'KEY_INVALID', () => new Uint8Array(generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey.export({format: 'der', type: 'sec1'}))],
    ['garbage', 'KEY_INVALID', () => new Uint8Array([1, 2, 3])],
    ['secp256k1 PKCS#8', 'KEY_UNSUPPORTED', () => new Uint8Array(generateKeyPairSync('ec', {namedCurve: 'secp256k1'}).privateKey.export({format: 'der', type: 'pkcs8'}))],
  ])('refuses %s input (%s)', async (_name, code, input) => {
    await expect(encryptCosignKey(input(), utf8('p'))).rejects.toMatchObject({code})
  })

  test('refuses other scrypt N and labels', async () => {
    await expect(encryptCosignKey(p256(), utf8('p'), {scryptN: 16384 as ScryptN})).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
    await expect(encryptCosignKey(p256(), utf8('p'), {label: 'OTHER' as CosignKeyLabel})).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
  })
})

describe('decryptCosignKey rejects damaged or foreign files before running scrypt', () => {
  const good = read(KEYS[0]!.file)
  const edited = (edit: (json: Record<string, any>) => void) => {
    const json = pemBody(good)
    edit(json)
    const b64 = Buffer.from(JSON.stringify(json)).toString('base64')
    return `-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n${b64}\n-----END ENCRYPTED COSIGN PRIVATE KEY-----\n`
  }

  test.each([
    ['another PEM label', good.replace(/COSIGN/g, 'FOO'), 'KEY_INVALID', 'unsupported pem type: ENCRYPTED FOO PRIVATE KEY'],
    ['a public key', read(KEYS[0]!.pub), 'KEY_INVALID', 'unsupported pem type: PUBLIC KEY'],
    ['not PEM', 'hello', 'KEY_INVALID', 'invalid pem block'],
    ['truncated PEM', good.slice(0, 300), 'KEY_INVALID', 'invalid pem block'],
    ['garbled base64', good.replace(/^eyJ/m, 'e*J'), 'KEY_INVALID', 'invalid pem block'],
    ['truncated JSON', `-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n${Buffer.from('{"kdf":{"na').toString('base64')}\n-----END ENCRYPTED COSIGN PRIVATE KEY-----\n`, 'KEY_INVALID', 'not JSON'],
    ['scrypt N=16384', edited((j) => (j.kdf.params.N = 16384)), 'KEY_UNSUPPORTED', 'unsupported scrypt parameters'],
    // Had scrypt run first, N=2^30 would fail on memory (KEY_DECRYPT_FAILED) or take minutes.
    ['scrypt N=2^30', edited((j) => (j.kdf.params.N = 2 ** 30)), 'KEY_UNSUPPORTED', 'unsupported scrypt parameters'],
    ['scrypt r=16', edited((j) => (j.kdf.params.r = 16)), 'KEY_UNSUPPORTED', 'unsupported scrypt parameters'],
    ['scrypt p=2', edited((j) => (j.kdf.params.p = 2)), 'KEY_UNSUPPORTED', 'unsupported scrypt parameters'],
    ['N as a string', edited((j) => (j.kdf.params.N = '32768')), 'KEY_UNSUPPORTED', 'unsupported scrypt parameters'],
    ['no params', edited((j) => delete j.kdf.params), 'KEY_UNSUPPORTED', 'unsupported scrypt parameters'],
    ['unknown kdf', edited((j) => (j.kdf.name = 'argon2')), 'KEY_UNSUPPORTED', 'unknown kdf name "argon2"'],
    ['unknown cipher', edited((j) => (j.cipher.name = 'aes')), 'KEY_UNSUPPORTED', 'unknown cipher name "aes"'],
    ['short nonce', edited((j) => (j.cipher.nonce = 'AAAA')), 'KEY_INVALID', 'incorrect nonce size'],
    ['bad salt base64', edited((j) => (j.kdf.salt = 'A*==')), 'KEY_INVALID', 'salt'],
    ['no ciphertext', edited((j) => delete j.ciphertext), 'KEY_INVALID', 'ciphertext'],
    ['truncated ciphertext', edited((j) => (j.ciphertext = 'AAAA')), 'KEY_INVALID', 'truncated'],
  ])('%s → %s', async (_name, pem, code, message) => {
    await expect(decryptCosignKey(pem, new Uint8Array(0))).rejects.toMatchObject({code, message: expect.stringContaining(message)})
    expect(() => inspectCosignKey(pem)).toThrow(message)
  })

  test('Go-style case-insensitive field names are read', async () => {
    const pem = edited((j) => {
      j.KDF = j.kdf
      delete j.kdf
    })
    expect(await decryptCosignKey(pem, new Uint8Array(0))).toHaveLength(138)
  })

  test('a flipped ciphertext byte fails authentication (KEY_DECRYPT_FAILED)', async () => {
    const pem = edited((j) => {
      const c = Buffer.from(j.ciphertext, 'base64')
      c[40]! ^= 1
      j.ciphertext = c.toString('base64')
    })
    await expect(decryptCosignKey(pem, new Uint8Array(0))).rejects.toMatchObject({code: 'KEY_DECRYPT_FAILED'})
  })
})

describe('decryptCosignKey checks the plaintext', () => {
  const rsa = generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey

  const der = (key: KeyObject, type: 'pkcs8' | 'pkcs1' | 'sec1') => new Uint8Array(key.export({format: 'der', type}))
  test.concurrent.each([
    ['PKCS#1 RSA', 'KEY_INVALID', 'PKCS#1', () => der(rsa, 'pkcs1')],
    ['SEC1', 'KEY_INVALID', 'SEC1', () => der(generateKeyPairSync('ec', {namedCurve: 'P-384'}).privateKey, 'sec1')],
    ['not a key', 'KEY_INVALID', 'PKCS#8', () => utf8('hello')],
    ['secp256k1', 'KEY_UNSUPPORTED', 'secp256k1', () => der(generateKeyPairSync('ec', {namedCurve: 'secp256k1'}).privateKey, 'pkcs8')],
    ['RSA-1024', 'KEY_UNSUPPORTED', '1024-bit', () => der(generateKeyPairSync('rsa', {modulusLength: 1024}).privateKey, 'pkcs8')],
  ])('%s plaintext → %s', async (_name, code, message, plaintext) => {
    await expect(decryptCosignKey(seal(plaintext(), 'pw'), utf8('pw'))).rejects.toMatchObject({
      code,
      message: expect.stringContaining(message),
    })
  })

  test.concurrent('RSA and Ed25519 PKCS#8 inside are fine', async () => {
    for (const key of [rsa, generateKeyPairSync('ed25519').privateKey]) {
      const pkcs8 = new Uint8Array(key.export({format: 'der', type: 'pkcs8'}))
      expect(await decryptCosignKey(seal(pkcs8, ''), new Uint8Array(0))).toEqual(pkcs8)
    }
  })
})
