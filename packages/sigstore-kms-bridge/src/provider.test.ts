import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
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
