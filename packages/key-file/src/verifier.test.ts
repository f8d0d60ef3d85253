import {execFileSync} from 'node:child_process'
import {constants, createHash, createPublicKey, generateKeyPairSync, sign} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {p256, p384, p521} from '@noble/curves/nist.js'
import type {HashAlgorithm, PublicKeyInfo} from '@sigil/core'
import {describe, expect, test} from 'vitest'
import {parsePublicKeyPem, publicKeyFromPkcs8} from '@sigil/core'
import {createSigner} from './signer.js'
import {createVerifier} from './verifier.js'

const vectors = new URL('../../../../shared/spec/vectors/', import.meta.url)
const readBytes = (path: string) => new Uint8Array(readFileSync(new URL(path, vectors)))
const read = (path: string) => readFileSync(new URL(path, vectors), 'utf8')
const message = new TextEncoder().encode('{"critical":{}}')

describe('cosign-produced signatures (containers/image fixtures)', () => {
  test.each([
    ['containers-image-cosign-valid', 'cosign.pub'],
    ['containers-image-cosign-key-rekor-valid', 'cosign2.pub'],
  ])('%s: payload.json + signature.b64 verify with %s', (dir, pub) => {
    const verifier = createVerifier(parsePublicKeyPem(read(`${dir}/${pub}`)))
    const payload = readBytes(`${dir}/payload.json`)
    const signature = new Uint8Array(Buffer.from(read(`${dir}/signature.b64`), 'base64'))
    expect(verifier.verify(payload, signature)).toBe(true)
    expect(verifier.verify(payload, signature, {hash: 'sha256'})).toBe(true)

    const tampered = payload.slice()
    tampered[tampered.length - 2]! ^= 0x01
    expect(verifier.verify(tampered, signature)).toBe(false)
    expect(verifier.verify(payload, signature, {hash: 'sha384'})).toBe(false)
  })

  test('a signature does not verify with another key', () => {
    const verifier = createVerifier(parsePublicKeyPem(read('policy-controller-example/cosign.pub')))
    const signature = new Uint8Array(Buffer.from(read('containers-image-cosign-valid/signature.b64'), 'base64'))
    expect(verifier.verify(readBytes('containers-image-cosign-valid/payload.json'), signature)).toBe(false)
  })
})

const CURVES = [
  {curve: 'P-256', noble: p256, size: 32, order: p256.Point.CURVE().n},
  {curve: 'P-384', noble: p384, size: 48, order: p384.Point.CURVE().n},
  {curve: 'P-521', noble: p521, size: 66, order: p521.Point.CURVE().n},
] as const

const ecKey = (curve: string) => generateKeyPairSync('ec', {namedCurve: curve}).privateKey
const pkcs8 = (key: KeyObject) => new Uint8Array(key.export({format: 'der', type: 'pkcs8'}))
const infoOf = (key: KeyObject): PublicKeyInfo => publicKeyFromPkcs8(pkcs8(key))

describe.each(CURVES)('ECDSA $curve', ({curve, noble, size, order}) => {
  const key = ecKey(curve)
  const verifier = createVerifier(infoOf(key))
  const nodeSig = (hash: string, dsaEncoding: 'der' | 'ieee-p1363') =>
    new Uint8Array(sign(hash, message, {key, dsaEncoding}))

  test('node DER signatures verify; other messages do not', () => {
    expect(verifier.verify(message, nodeSig('sha256', 'der'))).toBe(true)
    expect(verifier.verify(new Uint8Array([1]), nodeSig('sha256', 'der'))).toBe(false)
  })

  test('raw r‖s (IEEE-P1363) signatures verify', () => {
    const raw = nodeSig('sha256', 'ieee-p1363')
    expect(raw).toHaveLength(2 * size)
    expect(verifier.verify(message, raw)).toBe(true)
    expect(verifier.verify(new Uint8Array([1]), raw)).toBe(false)
  })

  test('high-S signatures verify (as in Go and OpenSSL), DER and raw', () => {
    const raw = nodeSig('sha256', 'ieee-p1363')
    const r = raw.slice(0, size)
    const s = BigInt('0x' + Buffer.from(raw.subarray(size)).toString('hex'))
    const flipped = s > order / 2n ? s : order - s
    const highS = new Uint8Array(2 * size)
    highS.set(r, 0)
    highS.set(Buffer.from(flipped.toString(16).padStart(2 * size, '0'), 'hex'), size)
    const highDer = noble.Signature.fromBytes(highS, 'compact').toBytes('der')
    expect(verifier.verify(message, highS)).toBe(true)
    expect(verifier.verify(message, highDer)).toBe(true)
  })

  test.each(['sha224', 'sha256', 'sha384', 'sha512'] as const)('hash option %s', (hash) => {
    const sig = nodeSig(hash, 'der')
    expect(verifier.verify(message, sig, {hash})).toBe(true)
    const other: HashAlgorithm = hash === 'sha256' ? 'sha512' : 'sha256'
    expect(verifier.verify(message, sig, {hash: other})).toBe(false)
  })

  test('our signer: DER over SHA-256, checked independently by noble (lowS: false)', async () => {
    const signer = createSigner(pkcs8(key))
    expect(signer.algorithm).toBe(`ecdsa-${curve.replace("-", "").toLowerCase()}-sha256`)
    const sig = await signer.sign(message)
    expect(sig[0]).toBe(0x30)
    expect(verifier.verify(message, sig)).toBe(true)
    const jwk = key.export({format: 'jwk'})
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')])
    const digest = createHash('sha256').update(message).digest()
    expect(noble.verify(sig, digest, point, {prehash: false, lowS: false, format: 'der'})).toBe(true)
    expect((await signer.publicKey()).pem).toBe(createPublicKey(key).export({format: 'pem', type: 'spki'}))
  })
})

describe('P-256 signer signature size', () => {
  test('70-72 bytes of DER, like cosign', async () => {
    const signer = createSigner(pkcs8(ecKey('P-256')))
    for (let i = 0; i < 5; i++) expect((await signer.sign(message)).length).toBeGreaterThanOrEqual(68)
    const sig = await signer.sign(message)
    expect(sig.length).toBeLessThanOrEqual(72)
  })
})

describe.each([2048, 4096])('RSA-%d PKCS#1 v1.5', (bits) => {
  const key = generateKeyPairSync('rsa', {modulusLength: bits}).privateKey
  const verifier = createVerifier(infoOf(key))

  test('our signer signs SHA-256 PKCS#1 v1.5, as node/OpenSSL verify it', async () => {
    const signer = createSigner(pkcs8(key))
    expect(signer.algorithm).toBe('rsa-pkcs1v15-sha256')
    const sig = await signer.sign(message)
    expect(sig).toHaveLength(bits / 8)
    expect(verifier.verify(message, sig)).toBe(true)
    expect(verifier.verify(message.slice(1), sig)).toBe(false)
  })

  test.each(['sha256', 'sha384', 'sha512'] as const)('hash option %s', (hash) => {
    const sig = new Uint8Array(sign(hash, message, {key, padding: constants.RSA_PKCS1_PADDING}))
    expect(verifier.verify(message, sig, {hash})).toBe(true)
    expect(verifier.verify(message, sig, {hash: hash === 'sha256' ? 'sha384' : 'sha256'})).toBe(false)
  })

  test('PSS signatures are not accepted (cosign builds PKCS#1 v1.5 verifiers from PEM)', () => {
    const pss = new Uint8Array(sign('sha256', message, {key, padding: constants.RSA_PKCS1_PSS_PADDING}))
    expect(verifier.verify(message, pss)).toBe(false)
  })
})

describe('Ed25519 (pure)', () => {
  const key = generateKeyPairSync('ed25519').privateKey
  const verifier = createVerifier(infoOf(key))

  test('our signer, node signatures, and the hash option is ignored', async () => {
    const signer = createSigner(pkcs8(key))
    expect(signer.algorithm).toBe('ed25519')
    const sig = await signer.sign(message)
    expect(sig).toHaveLength(64)
    expect(verifier.verify(message, sig)).toBe(true)
    expect(verifier.verify(message, sig, {hash: 'sha512'})).toBe(true)
    expect(verifier.verify(message, new Uint8Array(sign(null, message, key)))).toBe(true)
    expect(verifier.verify(message.slice(1), sig)).toBe(false)
  })
})

describe('malformed signatures return false, never throw', () => {
  const keys = {
    'P-256': ecKey('P-256'),
    'RSA-2048': generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey,
    Ed25519: generateKeyPairSync('ed25519').privateKey,
  }
  const junk: Array<[string, Uint8Array]> = [
    ['empty', new Uint8Array(0)],
    ['one byte', new Uint8Array([0x30])],
    ['zeros(64)', new Uint8Array(64)],
    ['zeros(72)', new Uint8Array(72)],
    ['DER header with garbage', new Uint8Array([0x30, 0x45, 0x02, 0x21, 0x00, 0xff])],
    ['DER r=0 s=0', new Uint8Array([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00])],
    ['odd length', new Uint8Array(63).fill(1)],
    ['too long (1000)', new Uint8Array(1000).fill(0xff)],
    ['0xff * 64', new Uint8Array(64).fill(0xff)],
  ]
  test.each(Object.entries(keys).flatMap(([name, key]) => junk.map(([what, sig]) => ({name, key, what, sig}))))(
    '$name: $what',
    ({key, sig}) => {
      expect(createVerifier(infoOf(key)).verify(message, sig)).toBe(false)
    },
  )

  test('a DER signature with trailing bytes is rejected', () => {
    const key = keys['P-256']
    const sig = new Uint8Array(sign('sha256', message, {key, dsaEncoding: 'der'}))
    const padded = new Uint8Array([...sig, 0])
    expect(createVerifier(infoOf(key)).verify(message, padded)).toBe(false)
  })

  test('an unknown hash name is a programming error', () => {
    const verifier = createVerifier(infoOf(keys['P-256']))
    expect(() => verifier.verify(message, new Uint8Array(72), {hash: 'md5' as HashAlgorithm})).toThrow(
      expect.objectContaining({code: 'INVALID_ARGUMENT'}),
    )
  })
})

describe('createVerifier input', () => {
  test('re-derives the key description from the SPKI', () => {
    const info = infoOf(generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey)
    const verifier = createVerifier({...info, kind: 'ecdsa', curve: 'P-256', bits: undefined})
    expect(verifier.publicKey).toMatchObject({kind: 'rsa', bits: 2048})
  })

  test('corrupt SPKI → KEY_INVALID', () => {
    const info = infoOf(ecKey('P-256'))
    expect(() => createVerifier({...info, spki: info.spki.subarray(0, 20)})).toThrow(expect.objectContaining({code: 'KEY_INVALID'}))
  })
})

// openssl is a second, independent implementation: what we sign and the .pub we write
// must verify there with its stock SPKI PEM handling.
const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], {stdio: 'ignore'})
    return true
  } catch {
    if (process.env.CI === 'true') throw new Error('openssl is required in CI for key-file interop tests')
    return false
  }
})()

describe.skipIf(!hasOpenssl)('openssl accepts our public keys and signatures', () => {
  test.each([
    ['P-256', () => ecKey('P-256')],
    ['P-384', () => ecKey('P-384')],
    ['RSA-2048', () => generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey],
  ])('%s: openssl dgst -sha256 -verify', async (_name, makeKey) => {
    const dir = mkdtempSync(join(tmpdir(), 'sigil-kf-'))
    try {
      const signer = createSigner(pkcs8(makeKey()))
      writeFileSync(join(dir, 'cosign.pub'), (await signer.publicKey()).pem)
      writeFileSync(join(dir, 'payload'), message)
      writeFileSync(join(dir, 'sig'), await signer.sign(message))
      const out = execFileSync('openssl', ['dgst', '-sha256', '-verify', 'cosign.pub', '-signature', 'sig', 'payload'], {cwd: dir})
      expect(out.toString()).toContain('Verified OK')
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
