import {ECDH, createPublicKey, generateKeyPairSync} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {createLocalVerifier} from '@sigil/core'
import {sigstoreKmsProvider} from './provider.js'

// A real executable plugin (Python + openssl) speaking cosign's protocol v1.
const FIXTURES = fileURLToPath(new URL('../test/fixtures', import.meta.url))
let dir: string
let ref: string
let log: string
const provider = sigstoreKmsProvider({path: FIXTURES})

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sigil-sigstore-kms-'))
  ref = `pyfile://${join(dir, 'key.pem')}`
  log = join(dir, 'calls.log')
  process.env.PYFILE_LOG = log
})
afterAll(() => {
  delete process.env.PYFILE_LOG
  delete process.env.PYFILE_FAIL
  rmSync(dir, {recursive: true, force: true})
})

describe('sigstoreKmsProvider with a sigstore-kms-* executable', () => {
  test('handles only schemes with an executable on the path', () => {
    expect(provider.handles(ref)).toBe(true)
    expect(provider.handles('nosuchkms://x')).toBe(false)
    expect(provider.handles('/plain/path.key')).toBe(false)
    expect(provider.handles('pyfile:/not-a-uri')).toBe(false)
  })

  test('generate asks defaultAlgorithm then createKey, and returns the new public key', async () => {
    const g = await provider.generate!(ref, {})
    expect(g.publicKey.kind).toBe('ecdsa')
    expect(g.written).toEqual([{kind: 'remote-key', location: ref}])
    const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    expect(calls.map((c) => c.methodName)).toEqual(['defaultAlgorithm', 'createKey'])
    expect(calls[1]).toMatchObject({
      initOptions: {protocolVersion: 'v1', keyResourceID: join(dir, 'key.pem'), hashFunc: 5, rpcOptions: {keyVersion: '', remoteVerification: false}},
      createKey: {algorithm: 'ecdsa-sha2-256-nistp256'},
    })
    expect(calls[1].initOptions.ctxDeadline).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)
  })

  test('sign sends the message on stdin; the signature verifies with the reported public key', async () => {
    const signer = await provider.signer(ref, {})
    const message = new TextEncoder().encode('{"critical":{},"optional":null}')
    const sig = await signer.sign(message)
    const verifier = createLocalVerifier(await signer.publicKey())
    expect(verifier.verify(message, sig)).toBe(true)
    expect(verifier.verify(new TextEncoder().encode('tampered'), sig)).toBe(false)
    expect((await provider.verifier(ref, {})).verify(message, sig)).toBe(true)
  })

  test('errorMessage becomes a clear KMS_ERROR naming the plugin and method', async () => {
    process.env.PYFILE_FAIL = 'signMessage'
    try {
      const signer = await provider.signer(ref, {})
      await expect(signer.sign(new Uint8Array([1]))).rejects.toMatchObject({
        code: 'KMS_ERROR',
        message: expect.stringMatching(/sigstore-kms-pyfile signMessage: forced failure of signMessage/),
      })
    } finally {
      delete process.env.PYFILE_FAIL
    }
  })

  test('a missing key is the plugin\'s error, not a crash', async () => {
    const missing = `pyfile://${join(dir, 'absent.pem')}`
    await expect(provider.publicKey(missing, {})).rejects.toMatchObject({code: 'KMS_ERROR', message: expect.stringContaining('key not found')})
  })
})

describe('the public key an executable reports, read as cosign reads it', () => {
  let n = 0
  /** The provider's publicKey for a key whose executable reports `pem` as it is. */
  const reported = (pem: string) => {
    const file = join(dir, `k${n++}.reported.pem`)
    writeFileSync(file, pem)
    return provider.publicKey(`pyfile://${file}`, {})
  }
  const pemOf = (der: Uint8Array) => createPublicKey({key: Buffer.from(der), format: 'der', type: 'spki'}).export({type: 'spki', format: 'pem'}) as string

  test.each([
    ['P-256', 'prime256v1'],
    ['P-384', 'secp384r1'],
    ['P-521', 'secp521r1'],
  ] as const)('ECDSA %s: the SPKI as Go writes it, in Go\'s PEM form', async (curve, namedCurve) => {
    const {publicKey} = generateKeyPairSync('ec', {namedCurve})
    const der = publicKey.export({type: 'spki', format: 'der'})
    const info = await reported(publicKey.export({type: 'spki', format: 'pem'}) as string)
    expect(info).toMatchObject({kind: 'ecdsa', curve})
    expect(Buffer.from(info.spki).equals(der)).toBe(true)
    expect(info.pem).toBe(`-----BEGIN PUBLIC KEY-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END PUBLIC KEY-----\n`)
  })

  test.each([
    ['prime256v1', 'ecdsa-p256-sha256'],
    ['secp384r1', 'ecdsa-p384-sha256'],
    ['secp521r1', 'ecdsa-p521-sha256'],
  ] as const)('the signer of a %s key names its curve, over SHA-256 (hashFunc 5)', async (namedCurve, algorithm) => {
    const file = join(dir, `k${n++}.reported.pem`)
    writeFileSync(file, generateKeyPairSync('ec', {namedCurve}).publicKey.export({type: 'spki', format: 'pem'}) as string)
    expect((await provider.signer(`pyfile://${file}`, {})).algorithm).toBe(algorithm)
  })

  test('a compressed EC point is re-encoded uncompressed (the only form cosign reads)', async () => {
    const {publicKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
    const jwk = publicKey.export({format: 'jwk'})
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')])
    const compressed = ECDH.convertKey(point, 'prime256v1', undefined, undefined, 'compressed') as Buffer
    const der = Buffer.concat([Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'), compressed])
    const info = await reported(pemOf(der))
    expect(Buffer.from(info.spki).equals(publicKey.export({type: 'spki', format: 'der'}))).toBe(true)
  })

  test('RSA (PUBLIC KEY and RSA PUBLIC KEY) and Ed25519', async () => {
    const rsa = generateKeyPairSync('rsa', {modulusLength: 2048}).publicKey
    expect(await reported(rsa.export({type: 'spki', format: 'pem'}) as string)).toMatchObject({kind: 'rsa', bits: 2048})
    const pkcs1 = await reported(rsa.export({type: 'pkcs1', format: 'pem'}) as string)
    expect(Buffer.from(pkcs1.spki).equals(rsa.export({type: 'spki', format: 'der'}))).toBe(true)
    const ed = generateKeyPairSync('ed25519').publicKey
    expect(await reported(ed.export({type: 'spki', format: 'pem'}) as string)).toMatchObject({kind: 'ed25519'})
  })

  test('a private key, garbage, an unsupported curve or RSA size are refused with a code, naming the executable', async () => {
    const {privateKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
    await expect(reported(privateKey.export({type: 'pkcs8', format: 'pem'}) as string)).rejects.toMatchObject({
      code: 'KEY_INVALID',
      message: expect.stringContaining('sigstore-kms-pyfile'),
    })
    await expect(reported('not a pem')).rejects.toMatchObject({code: 'KEY_INVALID', message: expect.stringContaining('sigstore-kms-pyfile')})
    await expect(reported('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')).rejects.toMatchObject({code: 'KEY_INVALID'})
    const k1 = generateKeyPairSync('ec', {namedCurve: 'secp256k1'}).publicKey.export({type: 'spki', format: 'pem'}) as string
    await expect(reported(k1)).rejects.toMatchObject({code: 'KEY_UNSUPPORTED', message: expect.stringContaining('sigstore-kms-pyfile')})
    const small = generateKeyPairSync('rsa', {modulusLength: 1024}).publicKey.export({type: 'spki', format: 'pem'}) as string
    await expect(reported(small)).rejects.toMatchObject({code: 'KEY_UNSUPPORTED'})
  })

  test('PEM headers before the body are read past, as Go\'s pem.Decode does (cosign reads the answer so)', async () => {
    // OpenSSL's PEM reader refuses this ("not proc type"); Go's, and so cosign, reads it.
    const {publicKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
    const pem = (publicKey.export({type: 'spki', format: 'pem'}) as string).replace('-----\n', '-----\nComment: made by a plugin\n\n')
    const info = await reported(pem)
    expect(Buffer.from(info.spki).equals(publicKey.export({type: 'spki', format: 'der'}))).toBe(true)
  })
})
