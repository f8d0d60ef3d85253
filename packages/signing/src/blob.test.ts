import {constants, createHash, generateKeyPairSync, privateEncrypt, sign as nodeSign, verify as nodeVerify} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {createLocalVerifier, parseBlobBundle, publicKeyInfoFromKey, signatureHash} from '@sigil/core'
import type {HashAlgorithm, Signer, SignatureAlgorithm, Verifier} from '@sigil/core'
import {BLOB_CHUNK_BYTES} from './blob-input.js'
import {signBlob} from './sign-blob.js'
import {verifyBlob} from './verify-blob.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sigil-blob-'))
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** DER DigestInfo prefixes (RFC 8017 §9.2): RSA PKCS#1 v1.5 signs prefix ‖ digest. */
const DIGEST_INFO: Partial<Record<HashAlgorithm, string>> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
}

/**
 * A Signer over a node key that records how it was used. RSA keys also sign digests for real
 * (privateEncrypt pads the DigestInfo with block type 1: a genuine pre-hashed PKCS#1 v1.5
 * signature, as a KMS or HSM makes one); `digest: false` leaves signDigest out.
 */
function nodeSigner(key: KeyObject, algorithm: SignatureAlgorithm, digest = true): Signer & {calls: string[]} {
  const calls: string[] = []
  const info = publicKeyInfoFromKey(key, 'test key')
  const hash = signatureHash(algorithm)
  return {
    calls,
    algorithm,
    publicKey: async () => info,
    async sign(message) {
      calls.push(`sign:${message.length}`)
      return new Uint8Array(nodeSign(hash ?? null, message, key.asymmetricKeyType === 'ec' ? {key, dsaEncoding: 'der'} : key))
    },
    ...(digest && key.asymmetricKeyType === 'rsa' && {
      async signDigest(d: Uint8Array, h: HashAlgorithm) {
        calls.push(`digest:${h}`)
        return new Uint8Array(privateEncrypt({key, padding: constants.RSA_PKCS1_PADDING}, Buffer.concat([Buffer.from(DIGEST_INFO[h]!, 'hex'), d])))
      },
    }),
  }
}

function file(name: string, content: Uint8Array | string): string {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

const ec = generateKeyPairSync('ec', {namedCurve: 'P-256'})
const ed = generateKeyPairSync('ed25519')
const rsa = generateKeyPairSync('rsa', {modulusLength: 2048})
const rsaCheck = (msg: Uint8Array, sig: Uint8Array, hash = 'sha256') => nodeVerify(hash, msg, {key: rsa.publicKey, padding: constants.RSA_PKCS1_PADDING}, sig)
const verifierOf = (pub: KeyObject, hash?: HashAlgorithm): Verifier => createLocalVerifier(publicKeyInfoFromKey(pub, 'pub'), hash ? {hash} : {})

describe('signBlob', () => {
  test('a digest signer gets the SHA-256 of a multi-chunk file; the signature verifies over the file', async () => {
    const content = Buffer.alloc(2 * BLOB_CHUNK_BYTES + 12345, 7)
    const path = file('big.bin', content)
    const signer = nodeSigner(rsa.privateKey, 'rsa-pkcs1v15-sha256')
    const r = await signBlob({path}, {signer})
    expect(r.mode).toBe('digest')
    expect(signer.calls).toEqual(['digest:sha256'])
    expect(r.size).toBe(content.length)
    expect(r.sha256).toBe(createHash('sha256').update(content).digest('hex'))
    expect(rsaCheck(content, r.signature)).toBe(true)
    // Byte for byte what signing the whole message gives (PKCS#1 v1.5 is deterministic).
    expect(Buffer.from(r.signature)).toEqual(nodeSign('sha256', content, rsa.privateKey))
  })

  test('the signer\'s own hash is computed in the same pass (a KMS key on SHA-384); the bundle digest stays SHA-256', async () => {
    const path = file('p384.txt', 'hello p384')
    const signer = nodeSigner(rsa.privateKey, 'rsa-pkcs1v15-sha384')
    const r = await signBlob({path}, {signer})
    expect(signer.calls).toEqual(['digest:sha384'])
    expect(r.sha256).toBe(createHash('sha256').update('hello p384').digest('hex'))
    expect(rsaCheck(Buffer.from('hello p384'), r.signature, 'sha384')).toBe(true)
  })

  test('an empty file is a valid blob', async () => {
    const path = file('empty', '')
    const r = await signBlob({path}, {signer: nodeSigner(rsa.privateKey, 'rsa-pkcs1v15-sha256')})
    expect(r.size).toBe(0)
    expect(r.sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(rsaCheck(Buffer.alloc(0), r.signature)).toBe(true)
  })

  test('Ed25519 signs the message itself, in memory, up to the limit; over it: MESSAGE_TOO_LARGE before reading', async () => {
    const path = file('ed.txt', 'x'.repeat(1000))
    const signer = nodeSigner(ed.privateKey, 'ed25519')
    const r = await signBlob({path}, {signer})
    expect(r.mode).toBe('message')
    expect(signer.calls).toEqual(['sign:1000'])
    expect(nodeVerify(null, Buffer.from('x'.repeat(1000)), ed.publicKey, r.signature)).toBe(true)
    await expect(signBlob({path}, {signer, maxBufferedBytes: 999})).rejects.toMatchObject({code: 'MESSAGE_TOO_LARGE', message: expect.stringMatching(/pure Ed25519 cannot be computed incrementally/)})
    expect(signer.calls).toHaveLength(1)
  })

  test('a signer without signDigest (an executable plugin) gets the message; a stream over the limit fails while reading', async () => {
    const signer = nodeSigner(ec.privateKey, 'ecdsa-p256-sha256', false)
    const r = await signBlob({stream: Readable.from([Buffer.from('a'), Buffer.from('bc')])}, {signer})
    expect(signer.calls).toEqual(['sign:3'])
    expect(r.sha256).toBe(createHash('sha256').update('abc').digest('hex'))
    await expect(signBlob({stream: Readable.from([Buffer.alloc(600), Buffer.alloc(600)])}, {signer, maxBufferedBytes: 1000})).rejects.toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
      message: expect.stringMatching(/signs whole messages/),
    })
  })

  test('standard input: chunks of any size, progress reported', async () => {
    const seen: number[] = []
    const r = await signBlob({stream: Readable.from([Buffer.from('streamed '), Buffer.from('data')])}, {signer: nodeSigner(rsa.privateKey, 'rsa-pkcs1v15-sha256'), onProgress: (d) => seen.push(d)})
    expect(seen).toEqual([9, 13])
    expect(rsaCheck(Buffer.from('streamed data'), r.signature)).toBe(true)
  })

  test.each([
    ['a missing file', () => join(dir, 'absent'), 'FILE_NOT_FOUND', /no such file/],
    ['a directory', () => (mkdirSync(join(dir, 'adir'), {recursive: true}), join(dir, 'adir')), 'FILE_READ_FAILED', /is a directory/],
  ])('%s: a clear error, and the key is never used', async (_, path, code, message) => {
    const signer = nodeSigner(ec.privateKey, 'ecdsa-p256-sha256')
    await expect(signBlob({path: path()}, {signer})).rejects.toMatchObject({code, message: expect.stringMatching(message)})
    expect(signer.calls).toEqual([])
  })

  test('a file that cannot be read: FILE_READ_FAILED, the key never used', async () => {
    // No permission (root reads anything, so there: a path through a regular file, ENOTDIR).
    const secret = file('secret', 'x')
    chmodSync(secret, 0)
    const path = process.getuid?.() === 0 ? join(secret, 'inside') : secret
    const signer = nodeSigner(ec.privateKey, 'ecdsa-p256-sha256')
    await expect(signBlob({path}, {signer})).rejects.toMatchObject({code: 'FILE_READ_FAILED', message: expect.stringMatching(process.getuid?.() === 0 ? /ENOTDIR|not a directory/ : /permission denied/)})
    expect(signer.calls).toEqual([])
  })

  test('a key that fails to load is reported as it is', async () => {
    const path = file('k.txt', 'x')
    const failing = Promise.reject(Object.assign(new Error('wrong password'), {code: 'KEY_DECRYPT_FAILED'}))
    await expect(signBlob({path}, {signer: failing})).rejects.toMatchObject({code: 'KEY_DECRYPT_FAILED'})
  })
})

describe('verifyBlob', () => {
  const content = Buffer.concat([Buffer.alloc(BLOB_CHUNK_BYTES + 5, 1), Buffer.from('tail')])
  let path: string
  let signature: Uint8Array
  beforeAll(() => {
    path = file('v.bin', content)
    signature = new Uint8Array(nodeSign('sha256', content, {key: ec.privateKey, dsaEncoding: 'der'}))
  })
  const sha = () => createHash('sha256').update(content).digest()

  test('a detached signature verifies, streamed', async () => {
    const r = await verifyBlob({path}, {signature}, {verifier: verifierOf(ec.publicKey)})
    expect(r).toEqual({verified: true, format: 'signature', sha256: sha().toString('hex'), size: content.length})
  })

  test('a changed file, another key: NO_MATCHING_SIGNATURES', async () => {
    const changed = file('v2.bin', Buffer.concat([content.subarray(0, 100), Buffer.from([content[100]! ^ 1]), content.subarray(101)]))
    await expect(verifyBlob({path: changed}, {signature}, {verifier: verifierOf(ec.publicKey)})).rejects.toMatchObject({code: 'NO_MATCHING_SIGNATURES'})
    const other = generateKeyPairSync('ec', {namedCurve: 'P-256'})
    await expect(verifyBlob({path}, {signature}, {verifier: verifierOf(other.publicKey)})).rejects.toMatchObject({code: 'NO_MATCHING_SIGNATURES'})
  })

  test('an empty signature: NO_SIGNATURES_FOUND', async () => {
    await expect(verifyBlob({path}, {signature: new Uint8Array()}, {verifier: verifierOf(ec.publicKey)})).rejects.toMatchObject({code: 'NO_SIGNATURES_FOUND'})
  })

  test('a v0.3 bundle: the digest must be the file\'s, then the signature must verify', async () => {
    const bundle = (digest: Buffer, sig: Uint8Array) =>
      parseBlobBundle(JSON.stringify({mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', verificationMaterial: {publicKey: {hint: ''}}, messageSignature: {messageDigest: {algorithm: 'SHA2_256', digest: digest.toString('base64')}, signature: Buffer.from(sig).toString('base64')}}))
    expect((await verifyBlob({path}, {bundle: bundle(sha(), signature)}, {verifier: verifierOf(ec.publicKey)})).format).toBe('sigstore-bundle')
    const wrongDigest = Buffer.from(sha())
    wrongDigest[0]! ^= 1
    await expect(verifyBlob({path}, {bundle: bundle(wrongDigest, signature)}, {verifier: verifierOf(ec.publicKey)})).rejects.toMatchObject({
      code: 'NO_MATCHING_SIGNATURES',
      message: expect.stringMatching(/bundle is for another file/),
    })
    // The right digest with a signature over something else still fails.
    const otherSig = new Uint8Array(nodeSign('sha256', Buffer.from('x'), {key: ec.privateKey, dsaEncoding: 'der'}))
    await expect(verifyBlob({path}, {bundle: bundle(sha(), otherSig)}, {verifier: verifierOf(ec.publicKey)})).rejects.toMatchObject({code: 'NO_MATCHING_SIGNATURES'})
  })

  test('a legacy bundle', async () => {
    const b = parseBlobBundle(JSON.stringify({base64Signature: Buffer.from(signature).toString('base64')}))
    expect((await verifyBlob({path}, {bundle: b}, {verifier: verifierOf(ec.publicKey)})).format).toBe('legacy-bundle')
  })

  test('Ed25519 verifies the message in memory; over the limit: MESSAGE_TOO_LARGE', async () => {
    const small = file('ed-v.txt', 'ed message')
    const sig = new Uint8Array(nodeSign(null, Buffer.from('ed message'), ed.privateKey))
    expect((await verifyBlob({path: small}, {signature: sig}, {verifier: verifierOf(ed.publicKey)})).verified).toBe(true)
    await expect(verifyBlob({path: small}, {signature: sig}, {verifier: verifierOf(ed.publicKey), maxBufferedBytes: 5})).rejects.toMatchObject({code: 'MESSAGE_TOO_LARGE'})
  })

  test('standard input, and a missing file', async () => {
    const sig = new Uint8Array(nodeSign('sha256', Buffer.from('abc'), {key: ec.privateKey, dsaEncoding: 'der'}))
    expect((await verifyBlob({stream: Readable.from([Buffer.from('ab'), Buffer.from('c')])}, {signature: sig}, {verifier: verifierOf(ec.publicKey)})).size).toBe(3)
    await expect(verifyBlob({path: join(dir, 'nope')}, {signature: sig}, {verifier: verifierOf(ec.publicKey)})).rejects.toMatchObject({code: 'FILE_NOT_FOUND'})
  })
})
