import {createPublicKey, randomBytes, verify as cryptoVerify} from 'node:crypto'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {createVerifier, parsePublicKeyPem} from '@sigil/key-file'
import {afterAll, beforeAll, describe, expect, test, vi} from 'vitest'
import {pkcs11Provider} from '../src/index.js'
import {MODULE, PIN, createTestToken, softHsmAvailable} from './softhsm.js'
import type {TestToken} from './softhsm.js'

const available = softHsmAvailable()
const message = () => new TextEncoder().encode(`{"critical":{"image":{"docker-manifest-digest":"sha256:${randomBytes(32).toString('hex')}"}}}`)

describe.skipIf(!available)('pkcs11 provider against a real SoftHSM2 token', () => {
  let token: TestToken
  const provider = pkcs11Provider()

  beforeAll(() => {
    token = createTestToken()
    // Keys made by an independent tool, OpenSC's pkcs11-tool.
    token.toolKeygen('EC:prime256v1', 'tool-p256', '0a01')
    token.toolKeygen('EC:secp384r1', 'tool-p384', '0a02')
    token.toolKeygen('rsa:2048', 'tool-rsa', '0a03')
  })
  afterAll(() => token?.cleanup())

  /** What `cosign verify --key file.pub` does: the PEM through @sigil/key-file. */
  const fileVerifies = (pem: string, msg: Uint8Array, sig: Uint8Array) => createVerifier(parsePublicKeyPem(pem)).verify(msg, sig)

  describe('keys made by pkcs11-tool', () => {
    test.each([
      ['P-256 by label', 'object=tool-p256', 'ecdsa-p256-sha256'],
      ['P-256 by id', 'id=%0a%01', 'ecdsa-p256-sha256'],
      ['P-256 by label, id and type', 'object=tool-p256;id=%0A%01;type=private', 'ecdsa-p256-sha256'],
      ['P-384 (SHA-256, as cosign)', 'object=tool-p384', 'ecdsa-p384-sha256'],
      ['RSA 2048', 'object=tool-rsa', 'rsa-pkcs1v15-sha256'],
    ])('%s: sign, verify, exported PEM verifies as a cosign file key', async (_name, path, algorithm) => {
      const ref = token.uri(path)
      const signer = await provider.signer(ref, {})
      expect(signer.algorithm).toBe(algorithm)
      const msg = message()
      const sig = await signer.sign(msg)
      expect((await provider.verifier(ref, {})).verify(msg, sig)).toBe(true)
      const pub = await provider.publicKey(ref, {})
      expect(fileVerifies(pub.pem, msg, sig)).toBe(true)
      expect(fileVerifies(pub.pem, message(), sig)).toBe(false)
      if (pub.kind === 'ecdsa') expect(sig[0]).toBe(0x30) // DER, not raw r‖s
    })

    test('the exported key is the one pkcs11-tool reads from the token', async () => {
      const der = join(token.dir, 'tool-p256.der')
      token.tool(['--read-object', '--type', 'pubkey', '--label', 'tool-p256', '--output-file', der])
      const theirs = createPublicKey({key: readFileSync(der), format: 'der', type: 'spki'}).export({type: 'spki', format: 'der'})
      const ours = await provider.publicKey(token.uri('object=tool-p256'), {})
      expect(Buffer.from(ours.spki).equals(theirs)).toBe(true)
      expect(ours).toMatchObject({kind: 'ecdsa', curve: 'P-256'})
      expect(ours.pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n(?:.{64}\n)*.{1,64}\n-----END PUBLIC KEY-----\n$/)
    })

    test('P-384 with p384Hash sha384 signs ecdsa-p384-sha384', async () => {
      const p = pkcs11Provider({p384Hash: 'sha384'})
      const ref = token.uri('object=tool-p384')
      const signer = await p.signer(ref, {})
      expect(signer.algorithm).toBe('ecdsa-p384-sha384')
      const msg = message()
      const sig = await signer.sign(msg)
      expect((await p.verifier(ref, {})).verify(msg, sig)).toBe(true)
      expect(cryptoVerify('sha384', msg, createPublicKey((await p.publicKey(ref, {})).pem), sig)).toBe(true)
      expect((await p.verifier(ref, {})).verify(msg, sig, {hash: 'sha256'})).toBe(false)
    })

    test('RSA through CKM_RSA_PKCS over a DigestInfo gives the same signature as CKM_SHA256_RSA_PKCS', async () => {
      const ref = token.uri('object=tool-rsa')
      const msg = message()
      const viaSha256Mech = await (await provider.signer(ref, {})).sign(msg)
      const viaRaw = await (await pkcs11Provider({rsaMechanism: 'CKM_RSA_PKCS'}).signer(ref, {})).sign(msg)
      expect(Buffer.from(viaRaw).equals(Buffer.from(viaSha256Mech))).toBe(true) // PKCS#1 v1.5 is deterministic
      expect(fileVerifies((await provider.publicKey(ref, {})).pem, msg, viaRaw)).toBe(true)
    })
  })

  describe('keys made by generate()', () => {
    test('generate creates a P-256 key on the token that pkcs11-tool sees, and signs', async () => {
      const ref = token.uri('object=gen-1;id=%20%01')
      const generated = await provider.generate!(ref, {})
      expect(generated.publicKey).toMatchObject({kind: 'ecdsa', curve: 'P-256'})
      expect(generated.written).toEqual([{kind: 'remote-key', location: ref.replace(`pin-value=${PIN}`, 'pin-value=***')}])
      const listed = token.tool(['--list-objects', '--type', 'privkey', '--login', '--pin', PIN]).toString()
      expect(listed).toContain('gen-1')
      const der = join(token.dir, 'gen-1.der')
      token.tool(['--read-object', '--type', 'pubkey', '--label', 'gen-1', '--output-file', der])
      expect(Buffer.from(generated.publicKey.spki).equals(createPublicKey({key: readFileSync(der), format: 'der', type: 'spki'}).export({type: 'spki', format: 'der'}))).toBe(true)
      const msg = message()
      const sig = await (await provider.signer(ref, {})).sign(msg)
      expect(fileVerifies(generated.publicKey.pem, msg, sig)).toBe(true)
    })

    test('generate is idempotent: the same label returns the same key', async () => {
      const ref = token.uri('object=gen-idem')
      const a = await provider.generate!(ref, {})
      const b = await provider.generate!(ref, {})
      expect(Buffer.from(b.publicKey.spki).equals(Buffer.from(a.publicKey.spki))).toBe(true)
      const objects = token.tool(['--list-objects', '--type', 'privkey', '--login', '--pin', PIN]).toString()
      expect(objects.match(/label:\s+gen-idem\n/g)).toHaveLength(1)
    })

    test('generate on a label pkcs11-tool already used returns that key', async () => {
      const ref = token.uri('object=tool-p256')
      const existing = await provider.publicKey(ref, {})
      const g = await provider.generate!(ref, {})
      expect(Buffer.from(g.publicKey.spki).equals(Buffer.from(existing.spki))).toBe(true)
    })

    test('two generated keys differ, and one rejects the other\'s signatures', async () => {
      const a = token.uri('object=gen-a')
      const b = token.uri('object=gen-b')
      await provider.generate!(a, {})
      await provider.generate!(b, {})
      const msg = message()
      const sig = await (await provider.signer(a, {})).sign(msg)
      expect((await provider.verifier(b, {})).verify(msg, sig)).toBe(false)
      expect((await provider.verifier(a, {})).verify(msg, sig)).toBe(true)
    })
  })

  describe('PIN and module sources', () => {
    test('pin-source file and file: URI', async () => {
      const pinFile = join(token.dir, 'pin')
      writeFileSync(pinFile, `${PIN}\n`)
      for (const source of [pinFile, pathToFileURL(pinFile).href]) {
        const ref = `pkcs11:token=sigil-test;object=tool-p256?module-path=${MODULE}&pin-source=${source}`
        expect((await (await provider.signer(ref, {})).sign(message())).length).toBeGreaterThan(8)
      }
    })

    test('COSIGN_PKCS11_PIN and SIGIL_PKCS11_MODULE / COSIGN_PKCS11_MODULE_PATH from the environment', async () => {
      const ref = 'pkcs11:token=sigil-test;object=tool-p256'
      for (const moduleVar of ['SIGIL_PKCS11_MODULE', 'COSIGN_PKCS11_MODULE_PATH']) {
        const p = pkcs11Provider({env: {[moduleVar]: MODULE, COSIGN_PKCS11_PIN: PIN}})
        expect((await (await p.signer(ref, {})).sign(message())).length).toBeGreaterThan(8)
      }
    })

    test('without a PIN in the URI or environment the host is asked', async () => {
      const getPassword = vi.fn(async () => new TextEncoder().encode(PIN))
      const p = pkcs11Provider({env: {SIGIL_PKCS11_MODULE: MODULE}})
      await (await p.signer('pkcs11:token=sigil-test;object=tool-p256', {getPassword})).sign(message())
      expect(getPassword).toHaveBeenCalledExactlyOnceWith({purpose: 'decrypt', keyRef: 'pkcs11:token=sigil-test;object=tool-p256', confirm: false})
    })

    test('public keys are read without a PIN', async () => {
      const p = pkcs11Provider({env: {SIGIL_PKCS11_MODULE: MODULE}})
      const getPassword = vi.fn(async () => new TextEncoder().encode(PIN))
      expect((await p.publicKey('pkcs11:token=sigil-test;object=tool-p256', {getPassword})).curve).toBe('P-256')
      expect(getPassword).not.toHaveBeenCalled()
    })
  })

  describe('errors', () => {
    test('a wrong PIN is KEY_ACCESS_DENIED naming the token, never the PIN', async () => {
      const err = await provider.signer(token.uri('object=tool-p256', {'pin-value': '98765'}), {}).catch((e: unknown) => e)
      expect(err).toMatchObject({code: 'KEY_ACCESS_DENIED', message: 'wrong PIN for token sigil-test'})
      expect(JSON.stringify({m: (err as Error).message, d: (err as {details?: unknown}).details})).not.toContain('98765')
    })

    test('a missing object is KEY_NOT_FOUND', async () => {
      await expect(provider.signer(token.uri('object=nope'), {})).rejects.toMatchObject({
        code: 'KEY_NOT_FOUND',
        message: 'no private key with object=nope on PKCS#11 token sigil-test',
      })
      await expect(provider.publicKey(token.uri('id=%99'), {})).rejects.toMatchObject({code: 'KEY_NOT_FOUND', message: expect.stringContaining('id=%99')})
      await expect(provider.verifier(token.uri('object=nope'), {})).rejects.toMatchObject({code: 'KEY_NOT_FOUND'})
    })

    test('a missing token is KEY_NOT_FOUND listing the tokens present', async () => {
      const ref = `pkcs11:token=no-such-token;object=tool-p256?pin-value=${PIN}&module-path=${MODULE}`
      await expect(provider.signer(ref, {})).rejects.toMatchObject({
        code: 'KEY_NOT_FOUND',
        message: expect.stringMatching(/no PKCS#11 token matches token=no-such-token .*tokens present: "sigil-test"/),
      })
      await expect(provider.publicKey(`pkcs11:serial=0000;object=x?module-path=${MODULE}`, {})).rejects.toMatchObject({code: 'KEY_NOT_FOUND'})
    })

    test('no module is INVALID_ARGUMENT naming the variable; a bad module path too', async () => {
      const p = pkcs11Provider({env: {}})
      await expect(p.publicKey('pkcs11:token=sigil-test;object=tool-p256', {})).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('SIGIL_PKCS11_MODULE'),
      })
      await expect(provider.publicKey('pkcs11:object=x?module-path=/nonexistent/libnothing.so', {})).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('cannot load the PKCS#11 module /nonexistent/libnothing.so'),
      })
    })

    test('a URI naming no key, or a certificate, is INVALID_ARGUMENT', async () => {
      await expect(provider.signer(token.uri('type=private'), {})).rejects.toMatchObject({code: 'INVALID_ARGUMENT', message: expect.stringContaining('names no key')})
      await expect(provider.signer(token.uri('object=x;type=cert'), {})).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
    })

    test('no PIN at all is PASSWORD_REQUIRED', async () => {
      const p = pkcs11Provider({env: {SIGIL_PKCS11_MODULE: MODULE}})
      await expect(p.signer('pkcs11:token=sigil-test;object=tool-p256', {})).rejects.toMatchObject({code: 'PASSWORD_REQUIRED'})
    })

    test('bad signatures are false, never exceptions', async () => {
      const v = await provider.verifier(token.uri('object=tool-p256'), {})
      for (const sig of [new Uint8Array(), new Uint8Array([0x30, 0]), randomBytes(64), randomBytes(72)]) expect(v.verify(message(), sig)).toBe(false)
    })
  })
})
