/**
 * The conformance suite every key provider passes, ours and third parties' alike:
 *
 *   import {test} from 'vitest'
 *   import {keyProviderSuite} from '@sigil/testkit'
 *   keyProviderSuite(test, () => myProvider(), {signingKey: async () => 'mykms://k1', otherKey: async () => 'mykms://k2'})
 *
 * The caller supplies the test function (vitest's `test`), so the kit never relies on globals;
 * assertions use the test context's `expect`. Signatures are checked independently with
 * node:crypto, never only through the provider's own verifier.
 */
import {createHash, createPublicKey, randomBytes, verify as cryptoVerify} from 'node:crypto'
import {signatureHash} from '@sigil/core'
import type {KeyContext, KeyProvider, SignatureAlgorithm} from '@sigil/core'
import type {TestAPI} from 'vitest'

/** Genuine differences between backends, each with its default. */
export interface KeyProviderSuiteOptions {
  /** A key reference the provider can sign with (create it here if needed). */
  readonly signingKey: () => Promise<string>
  /** A second, different key, for wrong-key rejection. */
  readonly otherKey: () => Promise<string>
  /** A reference in the provider's syntax that does not exist. Omit to skip that check. */
  readonly missingKey?: string
  /** The code a missing key raises. Default `KEY_NOT_FOUND`. */
  readonly missingKeyCode?: string
  /** Passwords and prompts, as the CLI would give them. Default: none. */
  readonly ctx?: KeyContext
  /** The scheme the signer must report. Default: not checked. */
  readonly algorithm?: SignatureAlgorithm
  /**
   * Whether an exported PEM verifies the way `cosign verify --key file.pub` would (ECDSA with
   * SHA-256 over DER, RSA PKCS#1 v1.5, Ed25519). False for RSA-PSS keys. Default true.
   */
  readonly pemVerifies?: boolean
  /** The provider can create keys: a fresh reference for `generate`. Omit if it cannot. */
  readonly newKey?: () => Promise<string>
}

const COSIGN_LIKE_PAYLOAD = () =>
  new TextEncoder().encode(
    `{"critical":{"identity":{"docker-reference":"registry.example/kit"},"image":{"docker-manifest-digest":"sha256:${randomBytes(32).toString('hex')}"},"type":"cosign container image signature"},"optional":null}`,
  )

/** What cosign's file verification does with a PEM key: ECDSA/RSA over SHA-256, Ed25519 pure. */
function verifyLikeCosignFile(pem: string, message: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey(pem)
  try {
    if (key.asymmetricKeyType === 'ed25519') return cryptoVerify(null, message, key, signature)
    if (key.asymmetricKeyType === 'ec') {
      return cryptoVerify('sha256', message, {key, dsaEncoding: signature[0] === 0x30 ? 'der' : 'ieee-p1363'}, signature)
    }
    return cryptoVerify('sha256', message, key, signature)
  } catch {
    return false
  }
}

/** Register the key-provider conformance tests with `test`. */
export function keyProviderSuite(test: TestAPI, makeProvider: () => KeyProvider | Promise<KeyProvider>, options: KeyProviderSuiteOptions): void {
  const ctx = options.ctx ?? {}

  test('the required contract members exist', async ({expect}) => {
    const p = await makeProvider()
    expect(typeof p.name).toBe('string')
    for (const m of ['handles', 'signer', 'verifier', 'publicKey'] as const) expect(typeof p[m]).toBe('function')
    expect(p.handles(await options.signingKey())).toBe(true)
  })

  test('sign → the provider\'s verifier accepts; a changed message is rejected', async ({expect}) => {
    const p = await makeProvider()
    const ref = await options.signingKey()
    const signer = await p.signer(ref, ctx)
    if (options.algorithm) expect(signer.algorithm).toBe(options.algorithm)
    const message = COSIGN_LIKE_PAYLOAD()
    const signature = await signer.sign(message)
    const verifier = await p.verifier(ref, ctx)
    expect(verifier.verify(message, signature)).toBe(true)
    const changed = Uint8Array.from(message)
    changed[10] ^= 1
    expect(verifier.verify(changed, signature)).toBe(false)
  })

  test('the exported public key is the signer\'s, in Go\'s PEM form', async ({expect}) => {
    const p = await makeProvider()
    const ref = await options.signingKey()
    const exported = await p.publicKey(ref, ctx)
    const fromSigner = await (await p.signer(ref, ctx)).publicKey()
    expect(Buffer.from(exported.spki).equals(Buffer.from(fromSigner.spki))).toBe(true)
    expect(exported.pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n(?:[A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END PUBLIC KEY-----\n$/)
    const der = createPublicKey(exported.pem).export({type: 'spki', format: 'der'})
    expect(Buffer.from(der).equals(Buffer.from(exported.spki))).toBe(true)
  })

  test('signatures verify independently against the exported PEM, as cosign verify --key file does', async ({expect}) => {
    const p = await makeProvider()
    const ref = await options.signingKey()
    const message = COSIGN_LIKE_PAYLOAD()
    const signature = await (await p.signer(ref, ctx)).sign(message)
    const pem = (await p.publicKey(ref, ctx)).pem
    expect(verifyLikeCosignFile(pem, message, signature)).toBe(options.pemVerifies ?? true)
  })

  test('another key\'s verifier rejects the signature', async ({expect}) => {
    const p = await makeProvider()
    const message = COSIGN_LIKE_PAYLOAD()
    const signature = await (await p.signer(await options.signingKey(), ctx)).sign(message)
    const other = await p.verifier(await options.otherKey(), ctx)
    expect(other.verify(message, signature)).toBe(false)
    expect(other.verify(message, new Uint8Array([0x30, 0x00]))).toBe(false)
    expect(other.verify(message, new Uint8Array())).toBe(false)
  })

  test('each signature is fresh and all of them verify', async ({expect}) => {
    const p = await makeProvider()
    const ref = await options.signingKey()
    const signer = await p.signer(ref, ctx)
    const verifier = await p.verifier(ref, ctx)
    const message = COSIGN_LIKE_PAYLOAD()
    const sigs = await Promise.all([signer.sign(message), signer.sign(message), signer.sign(message)])
    for (const s of sigs) expect(verifier.verify(message, s)).toBe(true)
    expect(createHash('sha256').update(message).digest('hex')).toHaveLength(64)
  })

  test('optional signDigest: a signature over the scheme\'s digest verifies as one over the message', async ({expect}) => {
    const p = await makeProvider()
    const ref = await options.signingKey()
    const signer = await p.signer(ref, ctx)
    if (!signer.signDigest) return // a backend that signs whole messages only (and pure Ed25519)
    const hash = signatureHash(signer.algorithm)
    expect(hash, `${signer.algorithm} has no digest to sign, so it must not offer signDigest`).toBeDefined()
    const message = COSIGN_LIKE_PAYLOAD()
    const signature = await signer.signDigest(new Uint8Array(createHash(hash!).update(message).digest()), hash!)
    const verifier = await p.verifier(ref, ctx)
    expect(verifier.verify(message, signature)).toBe(true)
    const pem = (await p.publicKey(ref, ctx)).pem
    expect(verifyLikeCosignFile(pem, message, signature)).toBe(options.pemVerifies ?? true)
    await expect(signer.signDigest(new Uint8Array(3), hash!)).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
  })

  test('optional createVerification: the message in chunks gives the same answers as verify', async ({expect}) => {
    const p = await makeProvider()
    const ref = await options.signingKey()
    const verifier = await p.verifier(ref, ctx)
    if (!verifier.createVerification) return
    const message = COSIGN_LIKE_PAYLOAD()
    const signature = await (await p.signer(ref, ctx)).sign(message)
    const chunked = (msg: Uint8Array, sig: Uint8Array): boolean => {
      const v = verifier.createVerification!()
      for (let i = 0; i < msg.length; i += 7) v.update(msg.subarray(i, i + 7))
      return v.verify(sig)
    }
    expect(chunked(message, signature)).toBe(true)
    const changed = Uint8Array.from(message)
    changed[10] ^= 1
    expect(chunked(changed, signature)).toBe(false)
    expect(chunked(message, new Uint8Array())).toBe(false)
  })

  if (options.missingKey !== undefined) {
    const missing = options.missingKey
    test('a missing key is a SigilError with a stable code, not a crash', async ({expect}) => {
      const p = await makeProvider()
      const code = options.missingKeyCode ?? 'KEY_NOT_FOUND'
      await expect(p.signer(missing, ctx).then((s) => s.sign(new Uint8Array([1])))).rejects.toMatchObject({code})
      await expect(p.publicKey(missing, ctx)).rejects.toMatchObject({code})
    })
  }

  if (options.newKey) {
    const newKey = options.newKey
    test('generate creates a key whose public half publicKey() returns', async ({expect}) => {
      const p = await makeProvider()
      expect(typeof p.generate).toBe('function')
      const ref = await newKey()
      const generated = await p.generate!(ref, ctx)
      const again = await p.publicKey(ref, ctx)
      expect(Buffer.from(again.spki).equals(Buffer.from(generated.publicKey.spki))).toBe(true)
      const message = COSIGN_LIKE_PAYLOAD()
      const signature = await (await p.signer(ref, ctx)).sign(message)
      expect((await p.verifier(ref, ctx)).verify(message, signature)).toBe(true)
    })
  }
}
