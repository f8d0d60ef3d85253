import {spawnSync} from 'node:child_process'
import {createPrivateKey, createPublicKey, generateKeyPairSync, sign} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import type {SignatureAlgorithm, Signer} from './contracts.js'
import {publicKeyInfoFromKey} from './public-key.js'
import {formatSshPublicKey, parseSshPublicKey, parseSshsig, signSshsig, sshSignatureAlgorithm, sshSignatureBlob} from './sshsig.js'

// Every SSHSIG here is checked by the real OpenSSH: ssh-keygen signs the same message with the
// same key (byte-identical for the deterministic Ed25519 and RSA) and verifies what we write.
function sshKeygenAvailable(): boolean {
  const ok = spawnSync('ssh-keygen', ['-?'], {stdio: 'ignore'}).error === undefined
  if (!ok && process.env.CI === 'true') throw new Error('the SSHSIG tests need ssh-keygen (openssh-client); CI=true: failing, not skipping')
  return ok
}

function keygen(args: string[], input?: string): {code: number; stdout: string; stderr: string} {
  const r = spawnSync('ssh-keygen', args, {input: input ?? '', encoding: 'utf8', timeout: 20_000})
  return {code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr}
}

/** A Signer over a node private key, with the hash `algorithm` names (DER for ECDSA, as the contract says). */
function nodeSigner(key: KeyObject, algorithm: SignatureAlgorithm): Signer {
  const hash = algorithm === 'ed25519' ? null : algorithm.slice(algorithm.lastIndexOf('-') + 1)
  const info = publicKeyInfoFromKey(createPublicKey(key), 'test key')
  return {
    algorithm,
    publicKey: () => Promise.resolve(info),
    sign: (message) => Promise.resolve(new Uint8Array(sign(hash, message, key))),
  }
}

/** The Ed25519 seed of an unencrypted OpenSSH private key file (openssh-key-v1, PROTOCOL.key). */
function ed25519FromOpenSsh(text: string): KeyObject {
  const b64 = text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')
  const bytes = Buffer.from(b64, 'base64')
  let at = 'openssh-key-v1\0'.length
  const str = () => {
    const n = bytes.readUInt32BE(at)
    const out = bytes.subarray(at + 4, at + 4 + n)
    at += 4 + n
    return out
  }
  str() // cipher
  str() // kdf
  str() // kdf options
  at += 4 // number of keys
  str() // public key
  const priv = str()
  at = 0
  const inner = priv
  const read = () => {
    const n = inner.readUInt32BE(at)
    const out = inner.subarray(at + 4, at + 4 + n)
    at += 4 + n
    return out
  }
  at = 8 // two check words
  read() // key type
  read() // public key
  const seed = read().subarray(0, 32)
  return createPrivateKey({key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8'})
}

const MESSAGE = 'tree 4b825dc642cb6eb9a060e54bf8d69288fbe4904\nauthor A <a@example.com> 1700000000 +0000\n\nmessage\n'

describe.skipIf(!sshKeygenAvailable())('SSHSIG against the real ssh-keygen', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sigil-sshsig-'))
    writeFileSync(join(dir, 'msg'), MESSAGE)
  })
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  /** Writes `key` for ssh-keygen (PKCS#8 PEM, or ssh-keygen's own file for Ed25519) and its .pub. */
  function keyFiles(name: string, kind: 'ed25519' | 'P-256' | 'P-384' | 'P-521' | 'rsa'): {path: string; key: KeyObject; pub: string} {
    const path = join(dir, name)
    let key: KeyObject
    if (kind === 'ed25519') {
      expect(keygen(['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', path]).code).toBe(0)
      key = ed25519FromOpenSsh(readFileSync(path, 'utf8'))
    } else {
      key = kind === 'rsa' ? generateKeyPairSync('rsa', {modulusLength: 3072}).privateKey : generateKeyPairSync('ec', {namedCurve: kind}).privateKey
      writeFileSync(path, key.export({type: 'pkcs8', format: 'pem'}), {mode: 0o600})
      const y = keygen(['-y', '-f', path])
      expect(y.code, y.stderr).toBe(0)
      writeFileSync(`${path}.pub`, y.stdout)
    }
    return {path, key, pub: readFileSync(`${path}.pub`, 'utf8')}
  }

  function sshSign(path: string, extra: string[] = []): string {
    const out = `${path}-msg`
    writeFileSync(out, MESSAGE)
    rmSync(`${out}.sig`, {force: true})
    const r = keygen(['-Y', 'sign', '-n', 'git', '-f', path, ...extra, out])
    expect(r.code, r.stderr).toBe(0)
    return readFileSync(`${out}.sig`, 'utf8')
  }

  /** `ssh-keygen -Y verify` of `armored` over `message` with `pubLine` as the one allowed signer. */
  function sshVerify(armored: string, pubLine: string, message = MESSAGE, namespace = 'git') {
    const allowed = join(dir, 'allowed_signers')
    writeFileSync(allowed, `dev@example.com namespaces="git,file" ${pubLine.trim().split(/\s+/).slice(0, 2).join(' ')}\n`)
    writeFileSync(join(dir, 'check.sig'), armored)
    return keygen(['-Y', 'verify', '-f', allowed, '-I', 'dev@example.com', '-n', namespace, '-s', join(dir, 'check.sig')], message)
  }

  const cases = [
    {kind: 'ed25519', algorithm: 'ed25519', ssh: 'ssh-ed25519', deterministic: true},
    {kind: 'P-256', algorithm: 'ecdsa-p256-sha256', ssh: 'ecdsa-sha2-nistp256', deterministic: false},
    {kind: 'P-384', algorithm: 'ecdsa-p384-sha384', ssh: 'ecdsa-sha2-nistp384', deterministic: false},
    {kind: 'P-521', algorithm: 'ecdsa-p521-sha512', ssh: 'ecdsa-sha2-nistp521', deterministic: false},
    {kind: 'rsa', algorithm: 'rsa-pkcs1v15-sha512', ssh: 'rsa-sha2-512', deterministic: true},
  ] as const

  test.each(cases)('$kind: public-key line as ssh-keygen -y, signature as ssh-keygen -Y sign, verified by ssh-keygen', async ({kind, algorithm, ssh, deterministic}) => {
    const {path, key, pub} = keyFiles(`key-${kind}`, kind)
    const signer = nodeSigner(key, algorithm)
    const info = await signer.publicKey()
    expect(formatSshPublicKey(info)).toBe(`${pub.trim().split(/\s+/).slice(0, 2).join(' ')}\n`)
    expect(formatSshPublicKey(info, 'awskms:///alias/git')).toBe(`${pub.trim().split(/\s+/).slice(0, 2).join(' ')} awskms:///alias/git\n`)

    const ours = await signSshsig(signer, new TextEncoder().encode(MESSAGE), {namespace: 'git'})
    const theirs = sshSign(path)
    if (deterministic) expect(ours).toBe(theirs)
    const [a, b] = [parseSshsig(ours), parseSshsig(theirs)]
    expect({...a, signature: undefined}).toEqual({...b, signature: undefined})
    expect(a.signatureAlgorithm).toBe(ssh)
    expect(a.hashAlgorithm).toBe('sha512')

    const ok = sshVerify(ours, pub)
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toContain('Good "git" signature for dev@example.com')
    // The same signature over another message, or in another namespace, is rejected.
    expect(sshVerify(ours, pub, `${MESSAGE}tampered\n`).code).not.toBe(0)
    expect(sshVerify(ours, pub, MESSAGE, 'file').code).not.toBe(0)
  })

  test('-O hashalg=sha256: the same bytes as ssh-keygen', async () => {
    const {path, key} = keyFiles('key-sha256', 'ed25519')
    const ours = await signSshsig(nodeSigner(key, 'ed25519'), new TextEncoder().encode(MESSAGE), {namespace: 'git', hash: 'sha256'})
    expect(ours).toBe(sshSign(path, ['-O', 'hashalg=sha256']))
  })

  test('RSA PKCS#1 v1.5 over SHA-256 becomes rsa-sha2-256, which ssh-keygen accepts', async () => {
    const {key, pub} = keyFiles('key-rsa256', 'rsa')
    const ours = await signSshsig(nodeSigner(key, 'rsa-pkcs1v15-sha256'), new TextEncoder().encode(MESSAGE), {namespace: 'git'})
    expect(parseSshsig(ours).signatureAlgorithm).toBe('rsa-sha2-256')
    const ok = sshVerify(ours, pub)
    expect(ok.code, ok.stderr).toBe(0)
  })

  test('a signature made with another key is rejected by ssh-keygen', async () => {
    const {pub} = keyFiles('key-a', 'P-256')
    const other = generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey
    const ours = await signSshsig(nodeSigner(other, 'ecdsa-p256-sha256'), new TextEncoder().encode(MESSAGE), {namespace: 'git'})
    const r = sshVerify(ours, pub)
    expect(r.code).not.toBe(0)
  })
})

describe('SSHSIG details', () => {
  test('ECDSA DER becomes two mpints (a 0 byte before a set top bit, none otherwise)', () => {
    const r = Buffer.alloc(32, 0x11)
    const s = Buffer.concat([Buffer.from([0]), Buffer.alloc(32, 0x91)])
    const der = Buffer.concat([Buffer.from([0x30, 2 + 32 + 2 + 33, 0x02, 32]), r, Buffer.from([0x02, 33]), s])
    const info = publicKeyInfoFromKey(generateKeyPairSync('ec', {namedCurve: 'P-256'}).publicKey, 'k')
    const blob = Buffer.from(sshSignatureBlob('ecdsa-sha2-nistp256', der, info))
    const inner = blob.subarray(4 + 19 + 4)
    expect(inner.readUInt32BE(0)).toBe(32)
    expect(inner.subarray(4, 36)).toEqual(r)
    expect(inner.readUInt32BE(36)).toBe(33)
    expect(inner.subarray(40)).toEqual(s)
    expect(() => sshSignatureBlob('ecdsa-sha2-nistp256', new Uint8Array(64), info)).toThrow(/not ASN\.1 DER/)
  })

  test('schemes OpenSSH cannot verify are refused with the reason', () => {
    expect(() => sshSignatureAlgorithm('ecdsa-p384-sha256')).toThrow(/P-384 over SHA-384/)
    expect(() => sshSignatureAlgorithm('rsa-pss-sha256')).toThrow(/OpenSSH cannot verify rsa-pss-sha256/)
    expect(() => sshSignatureAlgorithm('ecdsa-secp256k1-sha256')).toThrow(/KEY_UNSUPPORTED|cannot verify/)
  })

  test('parseSshPublicKey reads the key and the comment (the key reference), and rejects what is not a key', () => {
    const info = publicKeyInfoFromKey(generateKeyPairSync('ed25519').publicKey, 'k')
    const line = formatSshPublicKey(info, 'gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k')
    const parsed = parseSshPublicKey(`# sigil\n\n${line}`)
    expect(parsed.keyType).toBe('ssh-ed25519')
    expect(parsed.comment).toBe('gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k')
    expect(parseSshPublicKey(line.split(' ').slice(0, 2).join(' ')).comment).toBe('')
    expect(() => parseSshPublicKey('', 'k.pub')).toThrow('k.pub is not an OpenSSH public key (it is empty)')
    expect(() => parseSshPublicKey('-----BEGIN PUBLIC KEY-----\nMFkw\n', 'k.pub')).toThrow(/k\.pub is not an OpenSSH public key/)
    expect(() => parseSshPublicKey(line.replace('ssh-ed25519', 'ssh-rsa'), 'k.pub')).toThrow(/type says ssh-rsa but the key is ssh-ed25519/)
    expect(() => formatSshPublicKey(info, 'a\nb')).toThrow(/single line/)
  })

  test('an empty namespace is refused before the key is asked to sign', async () => {
    const key = generateKeyPairSync('ed25519').privateKey
    let calls = 0
    const signer = {...nodeSigner(key, 'ed25519'), sign: () => Promise.resolve(new Uint8Array(calls++))}
    await expect(signSshsig(signer, new Uint8Array(), {namespace: ''})).rejects.toThrow(/namespace/)
    expect(calls).toBe(0)
  })
})
