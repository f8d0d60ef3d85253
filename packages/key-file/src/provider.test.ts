import {createPublicKey, generateKeyPairSync} from 'node:crypto'
import * as fs from 'node:fs/promises'
import {mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {KeyContext} from '@sigil/core'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import type {KeyFileSystem} from './atomic-write.js'
import {inspectCosignKey} from './encrypted-key.js'
import {fileKeyProvider} from './provider.js'

const vectors = new URL('../../../../shared/spec/vectors/', import.meta.url)
const vector = (path: string) => new URL(path, vectors).pathname
const readVector = (path: string) => fs.readFile(new URL(path, vectors), 'utf8')
const utf8 = (s: string) => new TextEncoder().encode(s)
const message = utf8('{"critical":{}}')

/** A host that answers password prompts from a list and records what it was asked. */
function host(passwords: string[] = [], answer?: boolean) {
  const asked: Array<{purpose: string; keyRef: string; confirm: boolean}> = []
  const questions: string[] = []
  const ctx: KeyContext = {
    getPassword: async (request) => {
      asked.push(request)
      return utf8(passwords.shift() ?? '')
    },
    ...(answer === undefined
      ? {}
      : {
          confirm: async (question: string) => {
            questions.push(question)
            return answer
          },
        }),
  }
  return {ctx, asked, questions}
}

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigil-provider-'))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('handles', () => {
  const provider = fileKeyProvider()
  test.each([
    ['cosign.key', true],
    ['./keys/cosign.pub', true],
    ['/abs/path.key', true],
    ['C:\\keys\\cosign.key', true],
    ['env://COSIGN_KEY', true],
    ['env://', false],
    ['', false],
    ['awskms:///alias/x', false],
    ['gcpkms://projects/p', false],
    ['k8s://ns/secret', false],
    // A public key by URL (cosign verify --key https://…), fetched through the host.
    ['https://example.com/cosign.pub', true],
    ['pkcs11:token=x', false],
  ])('%j → %s', (keyRef, expected) => {
    expect(provider.handles(keyRef)).toBe(expected)
  })
})

describe('the upstream vector keys', () => {
  test('signer(cosign.key) asks to decrypt, signs, and verifier(cosign.pub) accepts it', async () => {
    const provider = fileKeyProvider()
    const {ctx, asked} = host([''])
    const keyRef = vector('policy-controller-example/cosign.key')
    const signer = await provider.signer(keyRef, ctx)
    expect(asked).toEqual([{purpose: 'decrypt', keyRef, confirm: false}])
    const verifier = await provider.verifier(vector('policy-controller-example/cosign.pub'), ctx)
    expect(verifier.verify(message, await signer.sign(message))).toBe(true)
  })

  test('publicKey() from the .key (decrypting) equals the .pub', async () => {
    const provider = fileKeyProvider()
    const fromKey = await provider.publicKey(vector('cosign-keys-test/pemsigstorekey.key'), host(['hello']).ctx)
    const fromPub = await provider.publicKey(vector('cosign-keys-test/pemsigstorekey.DERIVED.pub'), {})
    expect(fromKey.pem).toBe(await readVector('cosign-keys-test/pemsigstorekey.DERIVED.pub'))
    expect(fromPub.pem).toBe(fromKey.pem)
  })

  test('a wrong password names the key file', async () => {
    const keyRef = vector('cosign-keys-test/pemcosignkey.key')
    await expect(fileKeyProvider().signer(keyRef, host(['nope']).ctx)).rejects.toMatchObject({
      code: 'KEY_DECRYPT_FAILED',
      message: expect.stringContaining(`wrong password for ${keyRef}?`),
    })
  })

  test('the SEC1-inside key is rejected', async () => {
    await expect(
      fileKeyProvider().signer(vector('cosign-keys-test/pemcosigneckey.NEGATIVE-sec1-inside.key'), host(['hello']).ctx),
    ).rejects.toMatchObject({code: 'KEY_INVALID'})
  })
})

describe('wrong kind of key', () => {
  test('a public key where a private key is needed → KEY_NOT_PRIVATE', async () => {
    const {ctx, asked} = host()
    await expect(fileKeyProvider().signer(vector('policy-controller-example/cosign.pub'), ctx)).rejects.toMatchObject({
      code: 'KEY_NOT_PRIVATE',
      message: expect.stringContaining('a public key was given where a private key is needed'),
    })
    expect(asked).toEqual([])
  })

  test('verify with cosign.key → KEY_INVALID saying to use cosign.pub', async () => {
    await expect(fileKeyProvider().verifier(vector('policy-controller-example/cosign.key'), {})).rejects.toMatchObject({
      code: 'KEY_INVALID',
      message: expect.stringContaining('is a private key; verification needs the public key (cosign.pub)'),
    })
  })

  test('an unencrypted PEM key is not a cosign key (as cosign: unsupported pem type)', async () => {
    const path = join(dir, 'plain.pem')
    await writeFile(path, generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey.export({format: 'pem', type: 'sec1'}))
    const {ctx, asked} = host()
    await expect(fileKeyProvider().signer(path, ctx)).rejects.toMatchObject({
      code: 'KEY_INVALID',
      message: expect.stringMatching(/^unsupported pem type: EC PRIVATE KEY .*import-key-pair/),
    })
    expect(asked).toEqual([])
  })

  test('unsupported scrypt parameters fail before a password is asked', async () => {
    const good = await readVector('policy-controller-example/cosign.key')
    const body = JSON.parse(Buffer.from(good.split('\n').slice(1, -2).join(''), 'base64').toString())
    body.kdf.params.N = 1 << 22
    const path = join(dir, 'dos.key')
    await writeFile(path, `-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n${Buffer.from(JSON.stringify(body)).toString('base64')}\n-----END ENCRYPTED COSIGN PRIVATE KEY-----\n`)
    const {ctx, asked} = host([''])
    await expect(fileKeyProvider().signer(path, ctx)).rejects.toMatchObject({code: 'KEY_UNSUPPORTED'})
    expect(asked).toEqual([])
  })
})

describe('reading', () => {
  test('a missing file → KEY_NOT_FOUND', async () => {
    await expect(fileKeyProvider().verifier(join(dir, 'nope.pub'), {})).rejects.toMatchObject({
      code: 'KEY_NOT_FOUND',
      message: `key file not found: ${join(dir, 'nope.pub')}`,
    })
  })

  test('a directory → KEY_READ_FAILED', async () => {
    await expect(fileKeyProvider().verifier(dir, {})).rejects.toMatchObject({code: 'KEY_READ_FAILED'})
  })

  test('permission denied → KEY_READ_FAILED', async () => {
    const denied: KeyFileSystem = {...fs, readFile: () => Promise.reject(Object.assign(new Error('EACCES'), {code: 'EACCES'}))}
    await expect(fileKeyProvider({}, {fs: denied}).verifier('cosign.pub', {})).rejects.toMatchObject({
      code: 'KEY_READ_FAILED',
      message: 'cannot read key file cosign.pub: permission denied',
    })
  })

  test('no way to ask for a password → PASSWORD_REQUIRED', async () => {
    await expect(fileKeyProvider().signer(vector('policy-controller-example/cosign.key'), {})).rejects.toMatchObject({
      code: 'PASSWORD_REQUIRED',
    })
  })
})

describe('env:// references (the value is the PEM text)', () => {
  test('signer and verifier from environment variables', async () => {
    const env = {
      MY_KEY: await readVector('sigstore-rs/ecdsa_encrypted_private.key'),
      MY_PUB: await readVector('sigstore-rs/ecdsa_encrypted_private.DERIVED.pub'),
    }
    const provider = fileKeyProvider({}, {env})
    const {ctx, asked} = host(['123'])
    const signer = await provider.signer('env://MY_KEY', ctx)
    expect(asked).toEqual([{purpose: 'decrypt', keyRef: 'env://MY_KEY', confirm: false}])
    const verifier = await provider.verifier('env://MY_PUB', {})
    expect(verifier.verify(message, await signer.sign(message))).toBe(true)
    expect((await provider.publicKey('env://MY_PUB', {})).pem).toBe(env.MY_PUB)
  })

  test('a public key in env:// given to signer → KEY_NOT_PRIVATE', async () => {
    const provider = fileKeyProvider({}, {env: {PUB: await readVector('policy-controller-example/cosign.pub')}})
    await expect(provider.signer('env://PUB', host().ctx)).rejects.toMatchObject({code: 'KEY_NOT_PRIVATE'})
  })

  test('an unset variable → KEY_NOT_FOUND', async () => {
    await expect(fileKeyProvider({}, {env: {}}).verifier('env://NOPE', {})).rejects.toMatchObject({
      code: 'KEY_NOT_FOUND',
      message: expect.stringContaining('NOPE'),
    })
  })
})

describe('generate', () => {
  test('writes <prefix>.key (0600, COSIGN/N=32768) and <prefix>.pub (0644) that work together', async () => {
    const provider = fileKeyProvider()
    const prefix = join(dir, 'cosign')
    const {ctx, asked} = host(['s3cret'])
    const result = await provider.generate(prefix, ctx)
    expect(asked).toEqual([{purpose: 'encrypt', keyRef: `${prefix}.key`, confirm: true}])
    expect(result.written).toEqual([
      {kind: 'private-key', location: `${prefix}.key`},
      {kind: 'public-key', location: `${prefix}.pub`},
    ])
    expect((await stat(`${prefix}.key`)).mode & 0o777).toBe(0o600)
    expect((await stat(`${prefix}.pub`)).mode & 0o777).toBe(0o644)
    expect((await readdir(dir)).sort()).toEqual(['cosign.key', 'cosign.pub'])

    const keyPem = await readFile(`${prefix}.key`, 'utf8')
    expect(inspectCosignKey(keyPem)).toEqual({label: 'COSIGN', scrypt: {N: 32768, r: 8, p: 1}})
    const pubPem = await readFile(`${prefix}.pub`, 'utf8')
    expect(pubPem).toBe(result.publicKey.pem)
    // openssl conventions: a plain SPKI PEM that OpenSSL-based tools load as-is.
    expect(createPublicKey(pubPem).asymmetricKeyDetails).toEqual({namedCurve: 'prime256v1'})
    expect(result.publicKey).toMatchObject({kind: 'ecdsa', curve: 'P-256'})

    const signer = await provider.signer(`${prefix}.key`, host(['s3cret']).ctx)
    const verifier = await provider.verifier(`${prefix}.pub`, {})
    expect(verifier.verify(message, await signer.sign(message))).toBe(true)
  })

  test('honours scryptN/label options', async () => {
    const prefix = join(dir, 'k')
    await fileKeyProvider({scryptN: 65536, label: 'SIGSTORE'}).generate(prefix, host(['']).ctx)
    expect(inspectCosignKey(await readFile(`${prefix}.key`))).toEqual({label: 'SIGSTORE', scrypt: {N: 65536, r: 8, p: 1}})
  })

  test('uses outputPrefix, then "cosign", when keyRef is empty', async () => {
    const prefix = join(dir, 'out')
    const result = await fileKeyProvider().generate('', host(['']).ctx, {outputPrefix: prefix})
    expect(result.written[0]!.location).toBe(`${prefix}.key`)
  })

  describe('when the files exist', () => {
    let prefix: string
    beforeEach(async () => {
      prefix = join(dir, 'cosign')
      await writeFile(`${prefix}.key`, 'OLD KEY', {mode: 0o600})
      await writeFile(`${prefix}.pub`, 'OLD PUB')
    })
    const unchanged = async () => {
      expect(await readFile(`${prefix}.key`, 'utf8')).toBe('OLD KEY')
      expect(await readFile(`${prefix}.pub`, 'utf8')).toBe('OLD PUB')
      expect((await readdir(dir)).sort()).toEqual(['cosign.key', 'cosign.pub'])
    }

    test('without force and no way to ask → KEY_EXISTS (use --force), files byte-identical, no password asked', async () => {
      const {ctx, asked} = host(['pw'])
      await expect(fileKeyProvider().generate(prefix, ctx)).rejects.toMatchObject({
        code: 'KEY_EXISTS',
        message: expect.stringContaining('--force'),
      })
      expect(asked).toEqual([])
      await unchanged()
    })

    test('the user says no → KEY_EXISTS, files byte-identical', async () => {
      const {ctx, questions} = host(['pw'], false)
      await expect(fileKeyProvider().generate(prefix, ctx)).rejects.toMatchObject({code: 'KEY_EXISTS'})
      expect(questions).toEqual([`File ${prefix}.key already exists. Overwrite?`])
      await unchanged()
    })

    test('the user says yes → overwritten', async () => {
      await fileKeyProvider().generate(prefix, host(['pw'], true).ctx)
      expect(await readFile(`${prefix}.key`, 'utf8')).toMatch(/^-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n/)
      expect(await readFile(`${prefix}.pub`, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/)
      expect((await stat(`${prefix}.key`)).mode & 0o777).toBe(0o600)
    })

    test('force → overwritten without asking', async () => {
      const {ctx, questions} = host(['pw'], false)
      await fileKeyProvider().generate(prefix, ctx, {force: true})
      expect(questions).toEqual([])
      expect(await readFile(`${prefix}.pub`, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/)
    })
  })

  test('only the .pub exists: asks about the .pub', async () => {
    const prefix = join(dir, 'cosign')
    await writeFile(`${prefix}.pub`, 'OLD PUB')
    const {ctx, questions} = host(['pw'], false)
    await expect(fileKeyProvider().generate(prefix, ctx)).rejects.toMatchObject({code: 'KEY_EXISTS'})
    expect(questions).toEqual([`File ${prefix}.pub already exists. Overwrite?`])
    expect(await readdir(dir)).toEqual(['cosign.pub'])
  })

  test('a .pub that appears meanwhile: KEY_EXISTS, it is kept, and the new .key is removed', async () => {
    const prefix = join(dir, 'cosign')
    await writeFile(`${prefix}.pub`, 'RACE')
    // The existence check misses the .pub, as if it was created after the check.
    const racy: KeyFileSystem = {
      ...fs,
      lstat: (path: string) =>
        path.endsWith('.pub') ? Promise.reject(Object.assign(new Error('ENOENT'), {code: 'ENOENT'})) : fs.lstat(path),
    }
    await expect(fileKeyProvider({}, {fs: racy}).generate(prefix, host(['pw']).ctx)).rejects.toMatchObject({code: 'KEY_EXISTS'})
    expect(await readdir(dir)).toEqual(['cosign.pub'])
    expect(await readFile(`${prefix}.pub`, 'utf8')).toBe('RACE')
  })

  test('a missing directory → KEY_WRITE_FAILED naming the path', async () => {
    await expect(fileKeyProvider().generate(join(dir, 'no', 'cosign'), host(['pw']).ctx)).rejects.toMatchObject({
      code: 'KEY_WRITE_FAILED',
      message: `cannot write ${join(dir, 'no', 'cosign.key')}: the directory does not exist`,
    })
  })

  test('no password source → PASSWORD_REQUIRED, nothing written', async () => {
    await expect(fileKeyProvider().generate(join(dir, 'cosign'), {})).rejects.toMatchObject({code: 'PASSWORD_REQUIRED'})
    expect(await readdir(dir)).toEqual([])
  })

  test('env:// is not a place to generate into', async () => {
    await expect(fileKeyProvider().generate('env://X', host(['']).ctx)).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
  })
})

describe('importKeyPair', () => {
  test.each([
    ['EC PRIVATE KEY', () => generateKeyPairSync('ec', {namedCurve: 'P-384'}).privateKey, 'sec1'],
    ['RSA PRIVATE KEY', () => generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey, 'pkcs1'],
    ['PRIVATE KEY (Ed25519)', () => generateKeyPairSync('ed25519').privateKey, 'pkcs8'],
  ] as const)('%s → <prefix>.key + .pub with the same public key', async (_name, makeKey, type) => {
    const key = makeKey()
    const source = join(dir, 'in.pem')
    await writeFile(source, key.export({format: 'pem', type}))
    const prefix = join(dir, 'import-cosign')
    const {ctx, asked} = host(['pw'])
    const provider = fileKeyProvider()
    const result = await provider.importKeyPair(source, prefix, ctx)
    expect(asked).toEqual([{purpose: 'encrypt', keyRef: `${prefix}.key`, confirm: true}])
    expect(await readFile(`${prefix}.pub`, 'utf8')).toBe(createPublicKey(key).export({format: 'pem', type: 'spki'}))
    expect(result.publicKey.pem).toBe(await readFile(`${prefix}.pub`, 'utf8'))
    expect((await stat(`${prefix}.key`)).mode & 0o777).toBe(0o600)

    const signer = await provider.signer(`${prefix}.key`, host(['pw']).ctx)
    const verifier = await provider.verifier(`${prefix}.pub`, {})
    expect(verifier.verify(message, await signer.sign(message))).toBe(true)
  })

  test('an encrypted PKCS#8 source asks for its password first', async () => {
    const key = generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey
    const source = join(dir, 'in.pem')
    await writeFile(source, key.export({format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'old'}))
    const {ctx, asked} = host(['old', 'new'])
    await fileKeyProvider().importKeyPair(source, join(dir, 'k'), ctx)
    expect(asked.map((a) => a.purpose)).toEqual(['decrypt', 'encrypt'])
    expect(asked[0]!.keyRef).toBe(source)
  })

  test('refuses to overwrite without force, leaving the old files', async () => {
    const source = join(dir, 'in.pem')
    await writeFile(source, generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey.export({format: 'pem', type: 'sec1'}))
    await writeFile(join(dir, 'k.key'), 'OLD')
    await expect(fileKeyProvider().importKeyPair(source, join(dir, 'k'), host(['pw']).ctx)).rejects.toMatchObject({code: 'KEY_EXISTS'})
    expect(await readFile(join(dir, 'k.key'), 'utf8')).toBe('OLD')
    await fileKeyProvider().importKeyPair(source, join(dir, 'k'), host(['pw']).ctx, {force: true})
    expect(await readFile(join(dir, 'k.key'), 'utf8')).toMatch(/ENCRYPTED COSIGN PRIVATE KEY/)
  })

  test('unsupported keys are refused before anything is written', async () => {
    const source = join(dir, 'in.pem')
    await mkdir(join(dir, 'out'))
    await writeFile(source, generateKeyPairSync('rsa', {modulusLength: 1024}).privateKey.export({format: 'pem', type: 'pkcs1'}))
    await expect(fileKeyProvider().importKeyPair(source, join(dir, 'out', 'k'), host(['pw']).ctx)).rejects.toMatchObject({
      code: 'KEY_UNSUPPORTED',
    })
    expect(await readdir(join(dir, 'out'))).toEqual([])
  })
})

describe('a public key by URL (verify --key https://…)', () => {
  const {publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  const pem = publicKey.export({type: 'spki', format: 'pem'}).toString()
  const url = 'https://keys.example.com/release/cosign.pub'

  test('verifier and publicKey fetch it through the host, once per call, and read it as PEM', async () => {
    const fetched: string[] = []
    const ctx: KeyContext = {
      fetchUrl: async (u, what) => {
        fetched.push(`${what} ${u}`)
        return utf8(pem)
      },
    }
    const provider = fileKeyProvider()
    const verifier = await provider.verifier(url, ctx)
    expect(Buffer.from(verifier.publicKey.spki).equals(publicKey.export({type: 'spki', format: 'der'}))).toBe(true)
    expect((await provider.publicKey(url, ctx)).pem).toBe(pem)
    expect(fetched).toEqual([`public key ${url}`, `public key ${url}`])
  })

  test('a private key or garbage at the URL is not a public key', async () => {
    const provider = fileKeyProvider()
    await expect(provider.verifier(url, {fetchUrl: async () => utf8('<html>not found</html>')})).rejects.toMatchObject({code: 'KEY_INVALID'})
  })

  test('signing with a URL is refused without fetching: it can only hold a public key', async () => {
    let fetched = false
    const ctx: KeyContext = {
      fetchUrl: async () => {
        fetched = true
        return utf8(pem)
      },
    }
    await expect(fileKeyProvider().signer(url, ctx)).rejects.toMatchObject({code: 'KEY_NOT_PRIVATE', message: expect.stringContaining('public key')})
    expect(fetched).toBe(false)
  })

  test('a host without network access says so', async () => {
    await expect(fileKeyProvider().verifier(url, {})).rejects.toMatchObject({code: 'KEY_UNSUPPORTED'})
  })
})
