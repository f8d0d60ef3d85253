import {execFileSync, spawnSync} from 'node:child_process'
import {createServer} from 'node:net'
import type {Socket} from 'node:net'
import {generateKeyPairSync} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {AWS_OFFLINE_ENV, GCP_OFFLINE_ENV, startAwsKmsServer, startGcpKmsServer} from '@sigil/test-servers'
import type {AwsKmsTestServer, GcpKmsServer} from '@sigil/test-servers'
import {runProgram, sigil, sigilOnTerminal} from './run-cli.js'

// Git commits and tags signed through the real git binary with sigil-ssh-keygen as
// gpg.ssh.program, and verified by stock git with the system's own ssh-keygen: file keys, AWS KMS
// and GCP KMS (real SDKs against the loopback servers) and PKCS#11 (SoftHSM2 through the
// example plugin).
const SSH_KEYGEN_BIN = fileURLToPath(new URL('../bin/sigil-ssh-keygen.js', import.meta.url))
const PLUGIN = fileURLToPath(new URL('../../../examples/sigil-plugin-pkcs11', import.meta.url))
const MODULE = '/usr/lib/softhsm/libsofthsm2.so'
const EMAIL = 'dev@example.com'

const has = (cmd: string, arg = '--version') => spawnSync(cmd, [arg], {stdio: 'ignore'}).error === undefined
function gitAndOpenSsh(): boolean {
  const ok = has('git') && has('ssh-keygen', '-?') && has('setsid')
  if (!ok && process.env.CI === 'true') throw new Error('the git signing tests need git, ssh-keygen and setsid (CI=true: failing, not skipping)')
  return ok
}
function softHsmAvailable(): boolean {
  const ok = has('softhsm2-util', '--help') && has('pkcs11-tool', '--help') && existsSync(MODULE)
  if (!ok && process.env.CI === 'true') throw new Error(`the PKCS#11 git signing test needs softhsm2-util, pkcs11-tool and ${MODULE} (CI=true: failing, not skipping)`)
  return ok
}

let dir: string
let env: Record<string, string | undefined>
let aws: AwsKmsTestServer
let gcp: GcpKmsServer

/** The environment every program here runs with: a throw-away HOME, git config and sigil dirs; cloud SDKs on loopback. */
function baseEnv(root: string): Record<string, string | undefined> {
  return {
    HOME: root,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(root, 'gitconfig'),
    SIGIL_DATA_DIR: join(root, 'data'),
    SIGIL_CONFIG_DIR: join(root, 'config'),
    SIGIL_CACHE_DIR: join(root, 'cache'),
    DOCKER_CONFIG: join(root, 'docker'),
    ...AWS_OFFLINE_ENV,
    ...GCP_OFFLINE_ENV,
    CLOUDSDK_CONFIG: root,
    SIGIL_PASSWORD: undefined,
    COSIGN_PASSWORD: 'pw',
    SOFTHSM2_CONF: join(root, 'softhsm2.conf'),
    SIGIL_PKCS11_MODULE: undefined,
    COSIGN_PKCS11_MODULE_PATH: undefined,
    COSIGN_PKCS11_PIN: undefined,
  }
}

const git = (args: string[], cwd: string, extra: Record<string, string | undefined> = {}) => runProgram('git', args, {cwd, env: {...env, ...extra}})
/** sigil-ssh-keygen in a session of its own (setsid): no controlling terminal to prompt on, even when the tests run on one. */
const sshKeygen = (args: string[], opts: {cwd: string; input?: string; env?: Record<string, string | undefined>}) =>
  runProgram('setsid', ['-w', SSH_KEYGEN_BIN, ...args], {cwd: opts.cwd, input: opts.input, env: {...env, ...opts.env}})

/** `EMAIL namespaces="git" TYPE BASE64` for a public-key file. */
function allowedSignersLine(pubFile: string, email = EMAIL): string {
  return `${email} namespaces="git" ${readFileSync(pubFile, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ')}\n`
}

/** `sigil public-key --key REF --ssh --outfile NAME.pub` in the test dir; returns the file. */
async function sshPublicKey(keyRef: string, name: string, extra: Record<string, string | undefined> = {}): Promise<string> {
  const r = await sigil(['public-key', '--key', keyRef, '--ssh', '--outfile', `${name}.pub`], {cwd: dir, env: {...env, ...extra}})
  expect(r.code, r.stderr).toBe(0)
  return join(dir, `${name}.pub`)
}

/** A repository whose commits and tags git signs with `pubFile`'s key through sigil-ssh-keygen. */
async function repoSigningWith(name: string, pubFile: string, extra: Record<string, string | undefined> = {}): Promise<string> {
  const repo = join(dir, `repo-${name}`)
  mkdirSync(repo)
  writeFileSync(join(repo, 'allowed_signers'), allowedSignersLine(pubFile))
  for (const args of [
    ['init', '-q', '-b', 'main'],
    ['config', 'user.name', 'Dev'],
    ['config', 'user.email', EMAIL],
    ['config', 'gpg.format', 'ssh'],
    ['config', 'gpg.ssh.program', SSH_KEYGEN_BIN],
    ['config', 'user.signingKey', pubFile],
    ['config', 'gpg.ssh.allowedSignersFile', join(repo, 'allowed_signers')],
  ]) {
    const r = await git(args, repo, extra)
    expect(r.code, r.stderr).toBe(0)
  }
  return repo
}

/** Sign a commit and a tag, then verify both with stock git (and git log --show-signature). */
async function signAndVerifyWithGit(repo: string, extra: Record<string, string | undefined> = {}): Promise<void> {
  writeFileSync(join(repo, 'file.txt'), `${repo}\n`)
  expect((await git(['add', 'file.txt'], repo, extra)).code).toBe(0)
  const commit = await git(['commit', '-q', '-S', '-m', 'signed commit'], repo, extra)
  expect(commit.code, commit.stderr).toBe(0)
  const tag = await git(['tag', '-s', 'v1', '-m', 'signed tag'], repo, extra)
  expect(tag.code, tag.stderr).toBe(0)
  // Verification needs no sigil key access at all: stock git and the system's ssh-keygen.
  const plain = {...extra, AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9', CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS: 'http://127.0.0.1:9/'}
  const vc = await git(['-c', 'gpg.ssh.program=ssh-keygen', 'verify-commit', 'HEAD'], repo, plain)
  expect(vc.code, vc.stderr).toBe(0)
  expect(vc.stderr).toContain(`Good "git" signature for ${EMAIL}`)
  const vt = await git(['-c', 'gpg.ssh.program=ssh-keygen', 'verify-tag', 'v1'], repo, plain)
  expect(vt.code, vt.stderr).toBe(0)
  expect(vt.stderr).toContain(`Good "git" signature for ${EMAIL}`)
  // And through sigil-ssh-keygen, which hands verification to ssh-keygen unchanged.
  const log = await git(['log', '--show-signature', '-1'], repo, plain)
  expect(log.code, log.stderr).toBe(0)
  expect(log.stdout).toContain(`Good "git" signature for ${EMAIL}`)
  const pct = await git(['log', '-1', '--format=%G?'], repo, plain)
  expect(pct.stdout.trim()).toBe('G')
}

/** Sign a file with sigil-ssh-keygen and check it with `ssh-keygen -Y verify` directly. */
async function signFileAndVerifyWithSshKeygen(pubFile: string, extra: Record<string, string | undefined> = {}): Promise<string> {
  const work = mkdtempSync(join(dir, 'file-'))
  writeFileSync(join(work, 'release.txt'), 'release notes\n')
  writeFileSync(join(work, 'allowed'), allowedSignersLine(pubFile))
  const s = await sshKeygen(['-Y', 'sign', '-n', 'git', '-f', pubFile, 'release.txt'], {cwd: work, env: extra})
  expect(s.code, s.stderr).toBe(0)
  expect(s.stdout).toBe('')
  expect(s.stderr).toBe('Signing file release.txt\nWrite signature to release.txt.sig\n')
  const v = await runProgram('ssh-keygen', ['-Y', 'verify', '-f', 'allowed', '-I', EMAIL, '-n', 'git', '-s', 'release.txt.sig'], {cwd: work, input: 'release notes\n'})
  expect(v.code, v.stderr).toBe(0)
  const tampered = await runProgram('ssh-keygen', ['-Y', 'verify', '-f', 'allowed', '-I', EMAIL, '-n', 'git', '-s', 'release.txt.sig'], {cwd: work, input: 'release notes!\n'})
  expect(tampered.code).not.toBe(0)
  return readFileSync(join(work, 'release.txt.sig'), 'utf8')
}

const signatureAlgorithm = (armored: string) => {
  const bin = Buffer.from(armored.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')
  let at = 10
  const str = () => {
    const n = bin.readUInt32BE(at)
    const out = bin.subarray(at + 4, at + 4 + n)
    at += 4 + n
    return out
  }
  str() // public key
  str() // namespace
  str() // reserved
  str() // hash
  const sig = str()
  return sig.subarray(4, 4 + sig.readUInt32BE(0)).toString()
}

describe.skipIf(!gitAndOpenSsh())('git commits and tags signed with sigil keys, verified by stock git and OpenSSH', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sigil-git-'))
    env = baseEnv(dir)
    aws = await startAwsKmsServer({region: 'eu-west-1'})
    gcp = await startGcpKmsServer()
    env.AWS_ENDPOINT_URL_KMS = aws.endpoint
    env.CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS = `${gcp.endpoint}/`
  })
  afterAll(async () => {
    await aws?.close()
    await gcp?.close()
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  describe('file keys (cosign.key)', () => {
    test('P-256: public-key --ssh names the key; git signs a commit and a tag; git and ssh-keygen verify', async () => {
      const g = await sigil(['generate-key-pair'], {cwd: dir, env})
      expect(g.code, g.stderr).toBe(0)
      const pub = await sshPublicKey('cosign.key', 'file-p256')
      expect(readFileSync(pub, 'utf8')).toMatch(new RegExp(`^ecdsa-sha2-nistp256 AAAA\\S+ ${join(dir, 'cosign.key').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`))
      // The same key as ssh-keygen sees it in cosign.pub.
      const fromPem = execFileSync('ssh-keygen', ['-i', '-m', 'PKCS8', '-f', join(dir, 'cosign.pub')], {encoding: 'utf8'})
      expect(readFileSync(pub, 'utf8').split(' ').slice(0, 2).join(' ')).toBe(fromPem.trim())
      // --output-format ssh is --ssh; --json carries the line; the two spellings cannot disagree.
      const long = await sigil(['public-key', '--key', 'cosign.key', '--output-format', 'ssh'], {cwd: dir, env})
      expect(long.stdout).toBe(readFileSync(pub, 'utf8'))
      const json = await sigil(['public-key', '--key', 'cosign.key', '--ssh', '--json'], {cwd: dir, env})
      expect(JSON.parse(json.stdout)).toMatchObject({ssh: readFileSync(pub, 'utf8'), pem: readFileSync(join(dir, 'cosign.pub'), 'utf8')})
      const both = await sigil(['public-key', '--key', 'cosign.key', '--ssh', '--output-format', 'pem'], {cwd: dir, env})
      expect(both.code).toBe(2)
      expect(both.stderr).toContain('--ssh and --output-format pem contradict each other')
      await signAndVerifyWithGit(await repoSigningWith('file-p256', pub))
      expect(signatureAlgorithm(await signFileAndVerifyWithSshKeygen(pub))).toBe('ecdsa-sha2-nistp256')
    })

    test.each([
      ['ed25519', () => generateKeyPairSync('ed25519').privateKey, 'ssh-ed25519'],
      ['rsa', () => generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey, 'rsa-sha2-256'],
      // cosign's key files sign P-384/P-521 over SHA-256; OpenSSH needs SHA-384/SHA-512, which
      // the file signer's signDigest gives (ECDSA takes any digest).
      ['p384', () => generateKeyPairSync('ec', {namedCurve: 'P-384'}).privateKey, 'ecdsa-sha2-nistp384'],
      ['p521', () => generateKeyPairSync('ec', {namedCurve: 'P-521'}).privateKey, 'ecdsa-sha2-nistp521'],
    ] as const)('%s key file: signed by sigil-ssh-keygen, verified by git', async (name, make, algorithm) => {
      writeFileSync(join(dir, `${name}.pem`), make().export({type: 'pkcs8', format: 'pem'}))
      const i = await sigil(['import-key-pair', '--key', `${name}.pem`, '--output-key-prefix', name], {cwd: dir, env})
      expect(i.code, i.stderr).toBe(0)
      const pub = await sshPublicKey(`${name}.key`, `file-${name}`)
      await signAndVerifyWithGit(await repoSigningWith(`file-${name}`, pub))
      expect(signatureAlgorithm(await signFileAndVerifyWithSshKeygen(pub))).toBe(algorithm)
    })

    test('user.signingKey = key::… (git passes -U and a temporary copy of the line)', async () => {
      const line = readFileSync(join(dir, 'file-p256.pub'), 'utf8').trim()
      const repo = await repoSigningWith('literal', join(dir, 'file-p256.pub'))
      expect((await git(['config', 'user.signingKey', `key::${line}`], repo)).code).toBe(0)
      await signAndVerifyWithGit(repo)
    })

    test('git rejects a commit signed by a key not in allowed_signers, a tampered commit, and a revoked key', async () => {
      const repo = join(dir, 'repo-file-p256')
      // Not an allowed signer: another key's line only.
      const other = join(dir, 'other-allowed')
      writeFileSync(other, allowedSignersLine(join(dir, 'file-ed25519.pub')))
      const notAllowed = await git(['-c', `gpg.ssh.allowedSignersFile=${other}`, 'verify-commit', 'HEAD'], repo)
      expect(notAllowed.code).not.toBe(0)
      expect(notAllowed.stderr).toContain('No principal matched')
      // Tampered: the same signature on a commit with another message.
      const raw = (await git(['cat-file', 'commit', 'HEAD'], repo)).stdout
      writeFileSync(join(dir, 'tampered-commit'), raw.replace('signed commit', 'signed commit, changed'))
      const forged = (await git(['hash-object', '-t', 'commit', '-w', join(dir, 'tampered-commit')], repo)).stdout.trim()
      const tampered = await git(['verify-commit', forged], repo)
      expect(tampered.code).not.toBe(0)
      expect(tampered.stderr).not.toContain('Good "git" signature')
      // Revoked: the key is in gpg.ssh.revocationFile.
      const revoked = join(dir, 'revoked_keys')
      writeFileSync(revoked, readFileSync(join(dir, 'file-p256.pub')))
      const r = await git(['-c', `gpg.ssh.revocationFile=${revoked}`, 'verify-commit', 'HEAD'], repo)
      expect(r.code).not.toBe(0)
      expect(r.stderr).not.toContain('Good "git" signature')
    })
  })

  describe('AWS KMS (the real @aws-sdk/client-kms against the loopback server)', () => {
    test('P-256 by alias: git signs and verifies; one Sign call per signature', async () => {
      const uri = 'awskms:///alias/git-signing'
      expect((await sigil(['generate-key-pair', '--kms', uri, '--output-key-prefix', 'aws'], {cwd: dir, env})).code).toBe(0)
      const pub = await sshPublicKey(uri, 'aws-p256')
      expect(readFileSync(pub, 'utf8')).toMatch(/^ecdsa-sha2-nistp256 AAAA\S+ awskms:\/\/\/alias\/git-signing\n$/)
      const before = aws.count('Sign')
      await signAndVerifyWithGit(await repoSigningWith('aws-p256', pub))
      expect(aws.count('Sign') - before).toBe(2)
    })

    test('by key id: one KMS call (Sign) per commit after the first, the public key cached', async () => {
      const key = aws.createKey('ECC_NIST_P256')
      const pub = await sshPublicKey(`awskms:///${key.keyId}`, 'aws-keyid')
      const repo = await repoSigningWith('aws-keyid', pub)
      const perCommit: number[] = []
      for (let i = 0; i < 4; i++) {
        const before = aws.requests.length
        const c = await git(['commit', '-q', '--allow-empty', '-S', '-m', `commit ${i}`], repo)
        expect(c.code, c.stderr).toBe(0)
        perCommit.push(aws.requests.length - before)
      }
      // public-key --ssh already cached the key, so even the first commit needs only Sign.
      expect(perCommit).toEqual([1, 1, 1, 1])
      expect(aws.requests.slice(-4).map((r) => r.target)).toEqual(['Sign', 'Sign', 'Sign', 'Sign'])
      const log = await git(['log', '--format=%G?'], repo)
      expect(log.stdout.trim().split('\n')).toEqual(['G', 'G', 'G', 'G'])
    })

    test('by alias: one Sign per commit after the first; a re-pointed alias gives one clear line and no commit, never a wrong signature; git setup --force again mends it', async () => {
      const alias = 'alias/git-moving'
      const ref = `awskms:///${alias}`
      aws.createKey('ECC_NIST_P256', {alias})
      const second = aws.createKey('ECC_NIST_P256')
      const pub = await sshPublicKey(ref, 'aws-moving')
      const oldLine = allowedSignersLine(pub)
      const repo = await repoSigningWith('aws-moving', pub)
      const commit = async (i: number) => {
        const before = aws.requests.length
        const r = await git(['commit', '-q', '--allow-empty', '-S', '-m', `commit ${i}`], repo)
        return {...r, calls: aws.requests.slice(before).map((q) => q.target)}
      }
      const perCommit: string[][] = []
      for (let i = 0; i < 4; i++) {
        const c = await commit(i)
        expect(c.code, c.stderr).toBe(0)
        perCommit.push(c.calls)
      }
      // Verifying (public-key --ssh) never caches an alias: the first commit looks the key up.
      expect(perCommit).toEqual([['DescribeKey', 'GetPublicKey', 'Sign'], ['Sign'], ['Sign'], ['Sign']])
      const moved = `the key behind ${ref} is no longer the key in ${pub}; run sigil git setup --key ${ref} --force again`
      aws.aliases.set(alias, second.keyId)
      const first = await commit(4)
      expect(first.code).not.toBe(0)
      expect(first.stderr).toContain(`sigil-ssh-keygen: ${moved}`)
      expect(first.stderr).not.toMatch(/\n\s+at /)
      expect(first.calls).toEqual(['Sign', 'DescribeKey', 'GetPublicKey', 'Sign'])
      // The next try: the same line (the cache now holds the new key; KMS asked once more).
      const again = await commit(5)
      expect(again.code).not.toBe(0)
      expect(again.stderr).toContain(`sigil-ssh-keygen: ${moved}`)
      expect(again.calls).toEqual(['DescribeKey', 'GetPublicKey'])
      expect((await git(['log', '--format=%G?'], repo)).stdout.trim().split('\n')).toEqual(['G', 'G', 'G', 'G'])
      // What the message says to do mends it; the new key then costs one Sign per commit.
      const setup = await sigil(['git', 'setup', '--key', ref, '--outfile', pub], {cwd: repo, env})
      expect(setup.code).not.toBe(0)
      const forced = await sigil(['git', 'setup', '--key', ref, '--outfile', pub, '--force'], {cwd: repo, env})
      expect(forced.code, forced.stderr).toBe(0)
      writeFileSync(join(repo, 'allowed_signers'), oldLine + allowedSignersLine(pub))
      for (const i of [6, 7]) {
        const c = await commit(i)
        expect(c.code, c.stderr).toBe(0)
        expect(c.calls).toEqual(['Sign'])
      }
      expect((await git(['log', '--format=%G?'], repo)).stdout.trim().split('\n')).toEqual(['G', 'G', 'G', 'G', 'G', 'G'])
    })

    test.each([
      ['ECC_NIST_P384', undefined, 'ecdsa-sha2-nistp384'],
      ['ECC_NIST_P521', undefined, 'ecdsa-sha2-nistp521'],
      ['RSA_3072', ['RSASSA_PKCS1_V1_5_SHA_512'], 'rsa-sha2-512'],
    ] as const)('%s: git signs and verifies', async (spec, signingAlgorithms, algorithm) => {
      aws.createKey(spec, {alias: `alias/git-${spec.toLowerCase()}`, ...(signingAlgorithms ? {signingAlgorithms} : {})})
      const pub = await sshPublicKey(`awskms:///alias/git-${spec.toLowerCase()}`, `aws-${spec}`)
      await signAndVerifyWithGit(await repoSigningWith(`aws-${spec}`, pub))
      expect(signatureAlgorithm(await signFileAndVerifyWithSshKeygen(pub))).toBe(algorithm)
    })
  })

  describe('GCP KMS (the real @google-cloud/kms over gRPC to the loopback server)', () => {
    test.each([
      ['EC_SIGN_P256_SHA256', 'ecdsa-sha2-nistp256'],
      ['EC_SIGN_P384_SHA384', 'ecdsa-sha2-nistp384'],
      ['RSA_SIGN_PKCS1_4096_SHA512', 'rsa-sha2-512'],
    ] as const)('%s: git signs and verifies', async (algorithm, ssh) => {
      const key = `projects/p/locations/global/keyRings/git/cryptoKeys/${algorithm.toLowerCase().replaceAll('_', '-')}`
      const seeded = await gcp.seedKey(key, algorithm)
      const pub = await sshPublicKey(`gcpkms://${seeded.versionName}`, `gcp-${algorithm}`)
      await signAndVerifyWithGit(await repoSigningWith(`gcp-${algorithm}`, pub))
      expect(signatureAlgorithm(await signFileAndVerifyWithSshKeygen(pub))).toBe(ssh)
    })
  })

  test('GCP KMS key version: one AsymmetricSign per commit after the first', async () => {
    const seeded = await gcp.seedKey('projects/p/locations/global/keyRings/git/cryptoKeys/per-commit', 'EC_SIGN_P256_SHA256')
    const pub = await sshPublicKey(`gcpkms://${seeded.versionName}`, 'gcp-per-commit')
    const repo = await repoSigningWith('gcp-per-commit', pub)
    const perCommit: string[][] = []
    for (let i = 0; i < 3; i++) {
      const before = gcp.calls.length
      const c = await git(['commit', '-q', '--allow-empty', '-S', '-m', `commit ${i}`], repo)
      expect(c.code, c.stderr).toBe(0)
      perCommit.push(gcp.calls.slice(before).map((call) => call.method))
    }
    expect(perCommit).toEqual([['GetCryptoKey', 'GetCryptoKeyVersion', 'GetPublicKey', 'AsymmetricSign'], ['AsymmetricSign'], ['AsymmetricSign']])
    expect((await git(['log', '--format=%G?'], repo)).stdout.trim().split('\n')).toEqual(['G', 'G', 'G'])
  })

  test('GCP KMS key name: one AsymmetricSign per commit after the first; its version disabled (rotated) → one clear line, no commit', async () => {
    const name = 'projects/p/locations/global/keyRings/git/cryptoKeys/by-name'
    const v1 = await gcp.seedKey(name, 'EC_SIGN_P256_SHA256')
    const ref = `gcpkms://${name}`
    const pub = await sshPublicKey(ref, 'gcp-by-name')
    const repo = await repoSigningWith('gcp-by-name', pub)
    const commit = async (i: number) => {
      const before = gcp.calls.length
      const r = await git(['commit', '-q', '--allow-empty', '-S', '-m', `commit ${i}`], repo)
      return {...r, calls: gcp.calls.slice(before).map((call) => call.method)}
    }
    const perCommit: string[][] = []
    for (let i = 0; i < 3; i++) {
      const c = await commit(i)
      expect(c.code, c.stderr).toBe(0)
      perCommit.push(c.calls)
    }
    expect(perCommit).toEqual([['GetCryptoKey', 'ListCryptoKeyVersions', 'GetPublicKey', 'AsymmetricSign'], ['AsymmetricSign'], ['AsymmetricSign']])
    await gcp.seedKey(name, 'EC_SIGN_P256_SHA256')
    gcp.setVersionState(v1.versionName, 'DISABLED')
    const rotated = await commit(3)
    expect(rotated.code).not.toBe(0)
    expect(rotated.stderr).toContain(`sigil-ssh-keygen: the key behind ${ref} is no longer the key in ${pub}; run sigil git setup --key ${ref} --force again`)
    expect(rotated.calls).toEqual(['AsymmetricSign', 'GetCryptoKey', 'ListCryptoKeyVersions', 'GetPublicKey', 'AsymmetricSign'])
    expect((await git(['log', '--format=%G?'], repo)).stdout.trim().split('\n')).toEqual(['G', 'G', 'G'])
  })

  describe.skipIf(!softHsmAvailable())('PKCS#11 (SoftHSM2 through the example plugin)', () => {
    test('a token key, its PIN in COSIGN_PKCS11_PIN: git signs and verifies', async () => {
      execFileSync('npx', ['tsc', '-b'], {cwd: PLUGIN, stdio: 'pipe'})
      mkdirSync(join(dir, 'tokens'))
      writeFileSync(env.SOFTHSM2_CONF!, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`)
      execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'git-test', '--pin', '1234', '--so-pin', '5678'], {env: {...process.env, SOFTHSM2_CONF: env.SOFTHSM2_CONF}, stdio: 'pipe'})
      expect((await sigil(['plugins', 'link', PLUGIN], {cwd: dir, env})).code).toBe(0)
      const hsm = {COSIGN_PKCS11_MODULE_PATH: MODULE, COSIGN_PKCS11_PIN: '1234'}
      const key = 'pkcs11:token=git-test;object=git'
      const g = await sigil(['generate-key-pair', '--kms', key, '--output-key-prefix', 'hsm'], {cwd: dir, env: {...env, ...hsm}})
      expect(g.code, g.stderr).toBe(0)
      // A PIN in the reference would end up in a shared file: refused.
      const withPin = await sigil(['public-key', '--key', `${key}?pin-value=1234`, '--ssh'], {cwd: dir, env: {...env, ...hsm}})
      expect(withPin.code).toBe(2)
      expect(withPin.stderr).toContain('COSIGN_PKCS11_PIN')
      const pub = await sshPublicKey(key, 'hsm-ssh', hsm)
      expect(readFileSync(pub, 'utf8')).not.toContain('1234')
      await signAndVerifyWithGit(await repoSigningWith('hsm-ssh', pub), hsm)
      expect(signatureAlgorithm(await signFileAndVerifyWithSshKeygen(pub, hsm))).toBe('ecdsa-sha2-nistp256')
    })
  })

  describe('sigil git setup', () => {
    test('--key sets up a repository: commits and tags are signed without -S; --verify-only sets up a verifying clone', async () => {
      const repo = join(dir, 'repo-setup')
      mkdirSync(repo)
      for (const args of [['init', '-q', '-b', 'main'], ['config', 'user.name', 'Dev'], ['config', 'user.email', EMAIL]]) expect((await git(args, repo)).code).toBe(0)
      const s = await sigil(['git', 'setup', '--key', 'awskms:///alias/git-signing'], {cwd: repo, env})
      expect(s.code, s.stderr).toBe(0)
      const pubFile = join(dir, 'config', 'git', 'awskms-alias-git-signing.pub')
      expect(s.stdout).toBe(allowedSignersLine(pubFile))
      expect(s.stderr).toContain(`Public key written to ${pubFile}`)
      const cfg = async (name: string) => (await git(['config', '--local', name], repo)).stdout.trim()
      expect(await cfg('gpg.format')).toBe('ssh')
      expect(await cfg('gpg.ssh.program')).toBe(SSH_KEYGEN_BIN)
      expect(await cfg('user.signingKey')).toBe(pubFile)
      expect(await cfg('commit.gpgSign')).toBe('true')
      expect(await cfg('tag.gpgSign')).toBe('true')
      // Running it again changes nothing and succeeds.
      expect((await sigil(['git', 'setup', '--key', 'awskms:///alias/git-signing'], {cwd: repo, env})).code).toBe(0)

      const c = await git(['commit', '-q', '--allow-empty', '-m', 'signed by setup'], repo)
      expect(c.code, c.stderr).toBe(0)
      expect((await git(['tag', 'v1', '-m', 'tag'], repo)).code).toBe(0)
      writeFileSync(join(dir, 'team_allowed_signers'), s.stdout)
      const clone = join(dir, 'repo-setup-clone')
      expect((await git(['clone', '-q', repo, clone], dir)).code).toBe(0)
      const v = await sigil(['git', 'setup', '--verify-only', '--allowed-signers', join(dir, 'team_allowed_signers')], {cwd: clone, env})
      expect(v.code, v.stderr).toBe(0)
      expect(v.stdout).toBe('')
      const plain = {AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9'}
      const vc = await git(['verify-commit', 'HEAD'], clone, plain)
      expect(vc.code, vc.stderr).toBe(0)
      expect(vc.stderr).toContain(`Good "git" signature for ${EMAIL}`)
      expect((await git(['verify-tag', 'v1'], clone, plain)).code).toBe(0)
    })

    test('sigil git (and sigil git --help) lists the topic\'s commands', async () => {
      for (const args of [['git'], ['git', '--help']]) {
        const r = await sigil(args, {cwd: dir, env})
        expect(r.code, r.stderr).toBe(0)
        expect(r.stdout).toMatch(/^ {2}git setup +Set up git to sign commits/m)
      }
    })

    test('--global writes the global git configuration; --json reports it', async () => {
      const r = await sigil(['git', 'setup', '--key', 'cosign.key', '--global', '--email', 'me@example.com', '--outfile', 'global.pub', '--json'], {cwd: dir, env})
      expect(r.code, r.stderr).toBe(0)
      const out = JSON.parse(r.stdout) as {scope: string; config: Record<string, string>; publicKeyFile: string; allowedSigners: string}
      expect(out.scope).toBe('global')
      expect(out.publicKeyFile).toBe(join(dir, 'global.pub'))
      expect(out.allowedSigners).toMatch(/^me@example\.com namespaces="git" ecdsa-sha2-nistp256 AAAA\S+$/)
      const global = readFileSync(join(dir, 'gitconfig'), 'utf8')
      expect(global).toContain('signingKey = ' + join(dir, 'global.pub'))
      expect(global).toContain('gpgSign = true')
    })

    test('bad input: no key, --verify-only without a file, outside a repository, no email, another key at the path', async () => {
      const expectUsage = async (args: string[], cwd: string, text: string, code = 2) => {
        const r = await sigil(['git', 'setup', ...args], {cwd, env})
        expect(r.code, r.stderr).toBe(code)
        expect(r.stderr).toContain(text)
        expect(r.stderr).not.toMatch(/\n\s+at /)
      }
      const outside = mkdtempSync(join(dir, 'norepo-'))
      await expectUsage([], outside, 'needs --key REF')
      await expectUsage(['--verify-only'], outside, '--verify-only needs --allowed-signers')
      await expectUsage(['--key', 'cosign.key'], outside, 'is not in a git repository')
      await expectUsage(['--verify-only', '--allowed-signers', 'absent'], join(dir, 'repo-setup'), 'no such file')
      const noEmail = join(dir, 'repo-no-email')
      mkdirSync(noEmail)
      expect((await git(['init', '-q'], noEmail)).code).toBe(0)
      await expectUsage(['--key', join(dir, 'cosign.key')], noEmail, 'no email for the allowed_signers line')
      await expectUsage(['--key', join(dir, 'ed25519.key'), '--email', 'x@y', '--outfile', join(dir, 'global.pub')], noEmail, 'holds another key', 1)
    })
  })

  describe('bad input: a non-zero exit, one line on stderr, no FILE.sig', () => {
    /** Run a -Y sign that must fail; returns its single stderr line. */
    async function failingSign(args: string[], extra: Record<string, string | undefined> = {}): Promise<string> {
      const work = mkdtempSync(join(dir, 'bad-'))
      writeFileSync(join(work, 'msg'), 'data\n')
      const r = await sshKeygen(['-Y', 'sign', ...args, 'msg'], {cwd: work, env: extra})
      expect(r.code).not.toBe(0)
      expect(r.stdout).toBe('')
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1)
      expect(r.stderr).toMatch(/^sigil-ssh-keygen: /)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(readdirSync(work)).toEqual(['msg'])
      return r.stderr
    }

    test('a wrong password', async () => {
      expect(await failingSign(['-n', 'git', '-f', join(dir, 'file-p256.pub')], {COSIGN_PASSWORD: 'wrong'})).toMatch(/password/i)
    })

    test('no password and no terminal', async () => {
      const line = await failingSign(['-n', 'git', '-f', join(dir, 'file-p256.pub')], {COSIGN_PASSWORD: undefined, SIGIL_PASSWORD: undefined})
      expect(line).toContain('COSIGN_PASSWORD')
    })

    test('a KMS that cannot be reached', async () => {
      // The SDK's Node-version notice (a process warning) must not reach git either.
      // A cold cache: the key is looked up first (with the alias cached, see below).
      const cold = {SIGIL_CACHE_DIR: mkdtempSync(join(dir, 'cold-cache-'))}
      const line = await failingSign(['-n', 'git', '-f', join(dir, 'aws-p256.pub')], {...cold, AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined})
      expect(line).toContain('awskms:///alias/git-signing')
      // The alias cached by the commits above: it gets as far as ssh-keygen's "Signing file" line; then Sign fails.
      const work = mkdtempSync(join(dir, 'bad-'))
      writeFileSync(join(work, 'msg'), 'data\n')
      const warm = await sshKeygen(['-Y', 'sign', '-n', 'git', '-f', join(dir, 'aws-p256.pub'), 'msg'], {cwd: work, env: {AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9'}})
      expect(warm.code).not.toBe(0)
      expect(warm.stderr).toMatch(/^Signing file msg\nsigil-ssh-keygen: .*awskms:\/\/\/alias\/git-signing.*\n$/)
      expect(readdirSync(work)).toEqual(['msg'])
    })

    test('a KMS that accepts the connection and never answers: bounded by SIGIL_SSH_KEYGEN_TIMEOUT', async () => {
      const held: Socket[] = []
      const silent = createServer((socket) => void held.push(socket))
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
      try {
        const port = (silent.address() as {port: number}).port
        const started = Date.now()
        const line = await failingSign(['-n', 'git', '-f', join(dir, 'aws-p256.pub')], {SIGIL_CACHE_DIR: mkdtempSync(join(dir, 'cold-cache-')), AWS_ENDPOINT_URL_KMS: `http://127.0.0.1:${port}`, SIGIL_SSH_KEYGEN_TIMEOUT: '2s'})
        expect(line).toContain('did not finish within 2s')
        expect(Date.now() - started).toBeLessThan(15_000)
      } finally {
        for (const s of held) s.destroy()
        await new Promise((r) => silent.close(r))
      }
    })

    test('a public-key file with no key reference says what to put there', async () => {
      const bare = join(dir, 'bare.pub')
      writeFileSync(bare, readFileSync(join(dir, 'file-p256.pub'), 'utf8').split(' ').slice(0, 2).join(' ') + '\n')
      const line = await failingSign(['-n', 'git', '-f', bare])
      expect(line).toContain('names no sigil key')
      expect(line).toContain('sigil public-key --key REF --ssh')
    })

    test('a private key as KEYFILE, a missing KEYFILE, no namespace', async () => {
      expect(await failingSign(['-n', 'git', '-f', join(dir, 'cosign.key')])).toContain('is a private key')
      expect(await failingSign(['-n', 'git', '-f', join(dir, 'absent.pub')])).toContain('no such file')
      expect(await failingSign(['-f', join(dir, 'file-p256.pub')])).toContain('missing namespace')
      expect(await failingSign(['-n', 'git', '-f', join(dir, 'file-p256.pub'), '-O', 'hashalg=md5'])).toContain('hashalg=md5')
    })

    test('a public-key file whose key is not the referenced key', async () => {
      const mixed = join(dir, 'mixed.pub')
      const [type, b64] = readFileSync(join(dir, 'file-ed25519.pub'), 'utf8').split(' ')
      writeFileSync(mixed, `${type} ${b64} ${join(dir, 'cosign.key')}\n`)
      expect(await failingSign(['-n', 'git', '-f', mixed])).toContain('holds another key than')
    })

    test('a signature in another namespace is refused by git', async () => {
      const work = mkdtempSync(join(dir, 'ns-'))
      writeFileSync(join(work, 'msg'), 'data\n')
      writeFileSync(join(work, 'allowed'), allowedSignersLine(join(dir, 'file-p256.pub')))
      const s = await sshKeygen(['-Y', 'sign', '-n', 'not-git', '-f', join(dir, 'file-p256.pub'), 'msg'], {cwd: work})
      expect(s.code, s.stderr).toBe(0)
      const v = await runProgram('ssh-keygen', ['-Y', 'verify', '-f', 'allowed', '-I', EMAIL, '-n', 'git', '-s', 'msg.sig'], {cwd: work, input: 'data\n'})
      expect(v.code).not.toBe(0)
    })

    test('git reports the failure and makes no commit', async () => {
      const repo = await repoSigningWith('failing', join(dir, 'file-p256.pub'))
      const r = await git(['commit', '-q', '--allow-empty', '-S', '-m', 'x'], repo, {COSIGN_PASSWORD: 'wrong'})
      expect(r.code).not.toBe(0)
      expect(r.stderr).toContain('sigil-ssh-keygen:')
      expect((await git(['rev-parse', '--verify', '-q', 'HEAD'], repo)).code).not.toBe(0)
    })
  })

  describe('the program itself', () => {
    test('standard input is signed to standard output, as ssh-keygen does', async () => {
      const r = await sshKeygen(['-Y', 'sign', '-n', 'git', '-f', join(dir, 'file-ed25519.pub')], {cwd: dir, input: 'stdin data\n'})
      expect(r.code, r.stderr).toBe(0)
      expect(r.stderr).toBe('Signing data on standard input\n')
      expect(r.stdout).toMatch(/^-----BEGIN SSH SIGNATURE-----\n[\s\S]+\n-----END SSH SIGNATURE-----\n$/)
    })

    test('a file key\'s password is asked on the terminal (git captures stderr), never echoed', async () => {
      const work = mkdtempSync(join(dir, 'tty-'))
      writeFileSync(join(work, 'msg'), 'data\n')
      const r = await sigilOnTerminal(['-Y', 'sign', '-n', 'git', '-f', join(dir, 'file-p256.pub'), 'msg'], {cwd: work, env: {...env, COSIGN_PASSWORD: undefined}, program: SSH_KEYGEN_BIN}, [
        ['expect', 'Enter password for private key: '],
        ['send', 'pw\r'],
      ])
      expect(r.code, r.output).toBe(0)
      expect(r.output).not.toContain('pw')
      const v = await runProgram('ssh-keygen', ['-Y', 'check-novalidate', '-n', 'git', '-s', join(work, 'msg.sig')], {cwd: work, input: 'data\n'})
      expect(v.code, v.stderr).toBe(0)
    })

    test('-q prints nothing; an existing FILE.sig is not replaced', async () => {
      const work = mkdtempSync(join(dir, 'q-'))
      writeFileSync(join(work, 'msg'), 'data\n')
      const q = await sshKeygen(['-Y', 'sign', '-q', '-n', 'git', '-f', join(dir, 'file-ed25519.pub'), 'msg'], {cwd: work})
      expect(q).toEqual({code: 0, stdout: '', stderr: ''})
      const sig = readFileSync(join(work, 'msg.sig'), 'utf8')
      const again = await sshKeygen(['-Y', 'sign', '-n', 'git', '-f', join(dir, 'file-ed25519.pub'), 'msg'], {cwd: work})
      expect(again.code).not.toBe(0)
      expect(again.stderr).toContain('msg.sig already exists')
      expect(readFileSync(join(work, 'msg.sig'), 'utf8')).toBe(sig)
    })

    test('--help says verification goes to the system ssh-keygen; other calls do', async () => {
      const h = await sshKeygen(['--help'], {cwd: dir})
      expect(h.code).toBe(0)
      expect(h.stdout).toContain('handed unchanged')
      expect(h.stdout).toContain('sigil public-key --key REF --ssh')
      // -l (a fingerprint) is ssh-keygen's own output, byte for byte.
      const pub = join(dir, 'file-p256.pub')
      const ours = await sshKeygen(['-l', '-f', pub], {cwd: dir})
      const theirs = await runProgram('ssh-keygen', ['-l', '-f', pub], {cwd: dir})
      expect(ours).toEqual(theirs)
      expect(ours.code).toBe(0)
    })
  })
})
