/**
 * `sigil sign-blob` / `verify-blob` through the built binary: output formats byte for byte
 * against cosign's vectors, bad input, and the real cosign 2.5 and 3.1.1 as peers both ways.
 */
import {createHash, createPublicKey, generateKeyPairSync, verify as nodeVerify} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {publicKeyHint} from '@sigil/core'
import {cosign3SigningConfig, requireCosign, requireCosign3, runCosign} from '@sigil/test-servers'
import {sigil, sigilOnTerminal} from './run-cli.js'

const cosign2 = requireCosign()
const cosign3 = requireCosign3()
const VECTORS = new URL('../../../../shared/spec/vectors/cosign3/', import.meta.url)
const vector = (p: string) => new URL(p, VECTORS).pathname
let dir: string
const env = {COSIGN_PASSWORD: 'pw', SIGIL_PASSWORD: undefined}
const at = (name: string) => join(dir, name)
const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sigil-blob-cli-'))
  for (const name of ['cosign', 'other']) expect((await sigil(['generate-key-pair', '--output-key-prefix', name], {cwd: dir, env})).code).toBe(0)
  writeFileSync(at('artifact.txt'), 'release artifact: sigil test vector\n')
  // Several read chunks (4 MiB each) and a tail.
  writeFileSync(at('big.bin'), Buffer.alloc(9 * 1024 * 1024 + 77, 0xa5))
  writeFileSync(at('tampered.bin'), Buffer.concat([Buffer.alloc(9 * 1024 * 1024 + 76, 0xa5), Buffer.from([0xa4])]))
})
afterAll(() => {
  if (dir) rmSync(dir, {recursive: true, force: true})
})

function ecdsaVerifies(pubFile: string, message: Uint8Array, signature: Uint8Array): boolean {
  return nodeVerify('sha256', message, {key: createPublicKey(readFileSync(pubFile)), dsaEncoding: 'der'}, signature)
}

describe('sign-blob', () => {
  test('prints the base64 signature and a newline; it verifies over the file, as sha256 of the bytes', async () => {
    const r = await sigil(['sign-blob', '--key', 'cosign.key', '--tlog-upload=false', '-y', 'big.bin'], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^[A-Za-z0-9+/]+=*\n$/)
    expect(r.stderr).toContain('Using payload from: big.bin')
    expect(ecdsaVerifies(at('cosign.pub'), readFileSync(at('big.bin')), Buffer.from(r.stdout.trim(), 'base64'))).toBe(true)
  })

  test('--output-signature: base64 without newline, 0600, an existing file replaced (as cosign)', async () => {
    writeFileSync(at('out.sig'), 'old content that is longer than a signature '.repeat(10))
    const r = await sigil(['sign-blob', '--key', 'cosign.key', '--output-signature', 'out.sig', 'artifact.txt'], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('Wrote signature to file out.sig')
    const written = readFileSync(at('out.sig'), 'utf8')
    expect(written).toMatch(/^[A-Za-z0-9+/]+=*$/)
    expect(statSync(at('out.sig')).mode & 0o777).toBe(0o600)
    expect(ecdsaVerifies(at('cosign.pub'), readFileSync(at('artifact.txt')), Buffer.from(written, 'base64'))).toBe(true)
  })

  test('--b64=false writes the raw DER signature; verify-blob takes it as raw bytes (not base64)', async () => {
    const r = await sigil(['sign-blob', '--key', 'cosign.key', '--b64=false', '--output-signature', 'raw.sig', 'artifact.txt'], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(0)
    const raw = readFileSync(at('raw.sig'))
    expect(raw[0]).toBe(0x30)
    expect(ecdsaVerifies(at('cosign.pub'), readFileSync(at('artifact.txt')), raw)).toBe(true)
    const v = await sigil(['verify-blob', '--key', 'cosign.pub', '--signature', 'raw.sig', 'artifact.txt'], {cwd: dir, env})
    expect(v.code, v.stderr).toBe(0)
  })

  test('--bundle (default format): a v0.3 bundle shaped exactly like cosign 3.1.1\'s (blob/artifact.txt.sigstore.json)', async () => {
    const r = await sigil(['sign-blob', '--key', 'cosign.key', '--bundle', 'a.sigstore.json', 'artifact.txt'], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('Wrote bundle to file a.sigstore.json')
    const ours = readFileSync(at('a.sigstore.json'), 'utf8')
    const theirs = readFileSync(vector('blob/artifact.txt.sigstore.json'), 'utf8')
    const hint = publicKeyHint(createPublicKey(readFileSync(at('cosign.pub'))).export({type: 'spki', format: 'der'}))
    const digest = createHash('sha256').update(readFileSync(at('artifact.txt'))).digest('base64')
    const sig = r.stdout.trim()
    // The vector's structure and bytes with our key hint, our file's digest and our signature.
    const vec = JSON.parse(theirs) as {verificationMaterial: {publicKey: {hint: string}}; messageSignature: {messageDigest: {digest: string}; signature: string}}
    const expected = theirs
      .replace(vec.verificationMaterial.publicKey.hint, hint)
      .replace(vec.messageSignature.messageDigest.digest, digest)
      .replace(vec.messageSignature.signature, sig)
    expect(ours).toBe(expected)
    expect(statSync(at('a.sigstore.json')).mode & 0o777).toBe(0o600)
  })

  test('--new-bundle-format=false --bundle: cosign 2\'s {"base64Signature"} exactly', async () => {
    const r = await sigil(['sign-blob', '--key', 'cosign.key', '--new-bundle-format=false', '--bundle', 'a.bundle', '--output-signature', 'a.sig', 'artifact.txt'], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(at('a.bundle'), 'utf8')).toBe(`{"base64Signature":"${readFileSync(at('a.sig'), 'utf8')}"}`)
  })

  test('- reads standard input; --json gives what a script needs', async () => {
    const r = await sigil(['sign-blob', '--key', 'cosign.key', '--bundle', 'stdin.json', '--json', '-'], {cwd: dir, env: {...env}, input: 'from stdin'})
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as Record<string, unknown>
    expect(out).toEqual({
      signature: expect.stringMatching(/^MEU|^MEY|^MEQ/),
      digest: `sha256:${createHash('sha256').update('from stdin').digest('hex')}`,
      size: 10,
      bundle: 'stdin.json',
      bundleFormat: 'sigstore-bundle-v0.3',
    })
    expect(ecdsaVerifies(at('cosign.pub'), Buffer.from('from stdin'), Buffer.from(out.signature as string, 'base64'))).toBe(true)
  })

  test('an empty file is signed (and verifies)', async () => {
    writeFileSync(at('empty'), '')
    const r = await sigil(['sign-blob', '--key', 'cosign.key', '--output-signature', 'empty.sig', 'empty'], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(0)
    expect((await sigil(['verify-blob', '--key', 'cosign.pub', '--signature', 'empty.sig', 'empty'], {cwd: dir, env})).code).toBe(0)
  })

  test.each([
    ['a missing file', ['absent.bin'], 1, /absent\.bin: no such file/],
    ['a directory', ['adir'], 1, /adir is a directory, not a file/],
    ['--tlog-upload=true', ['--tlog-upload=true', 'artifact.txt'], 2, /does not upload to a transparency log/],
    ['a bundle path in a missing directory', ['--bundle', 'nodir/x.json', 'artifact.txt'], 1, /cannot write nodir\/x\.json: no such directory/],
  ])('%s: a clear error and its exit code, no stack trace', async (_, args, code, message) => {
    mkdirSync(at('adir'), {recursive: true})
    const r = await sigil(['sign-blob', '--key', 'cosign.key', ...args], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(code)
    expect(r.stderr).toMatch(message)
    noStack(r.stderr)
  })

  test('a progress bar on a terminal for a file over 100 MB, ending at 100% and erased; none through a pipe or for small files', async () => {
    writeFileSync(at('sparse.bin'), '')
    truncateSync(at('sparse.bin'), 150 * 1024 * 1024) // sparse: reads fast, takes no disk
    const t = await sigilOnTerminal(['sign-blob', '--key', 'cosign.key', '--output-signature', 'sparse.sig', 'sparse.bin'], {cwd: dir, env}, [['expect', 'Wrote signature']])
    expect(t.code, t.output).toBe(0)
    expect(t.output).toMatch(/\rSigning sparse\.bin \[#{30}\] 100% 150 MiB\/150 MiB\x1b\[K\r\x1b\[K/)
    const v = await sigilOnTerminal(['verify-blob', '--key', 'cosign.pub', '--signature', 'sparse.sig', 'sparse.bin'], {cwd: dir, env}, [['expect', 'Verified OK']])
    expect(v.output).toMatch(/Verifying sparse\.bin \[#+/)
    const piped = await sigil(['sign-blob', '--key', 'cosign.key', '--output-signature', 'sparse2.sig', 'sparse.bin'], {cwd: dir, env})
    expect(piped.code, piped.stderr).toBe(0)
    expect(piped.stderr).not.toContain('Signing sparse.bin')
    const small = await sigilOnTerminal(['sign-blob', '--key', 'cosign.key', '--output-signature', 'small.sig', 'artifact.txt'], {cwd: dir, env}, [['expect', 'Wrote signature']])
    expect(small.output).not.toContain('Signing artifact.txt')
    const json = await sigilOnTerminal(['sign-blob', '--key', 'cosign.key', '--json', 'sparse.bin'], {cwd: dir, env}, [['expect', '"digest"']])
    expect(json.output).not.toContain('Signing sparse.bin')
  })

  test('- with a password-protected key and no password variable: refused (standard input is the file, not the password)', async () => {
    const r = await sigil(['sign-blob', '--key', 'cosign.key', '-'], {cwd: dir, env: {COSIGN_PASSWORD: undefined, SIGIL_PASSWORD: undefined}, input: 'pw'})
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/standard input is the file to sign: set COSIGN_PASSWORD/)
    expect(r.stdout).toBe('')
  })

  test('a wrong password: an error, nothing written', async () => {
    const r = await sigil(['sign-blob', '--key', 'cosign.key', '--bundle', 'never.json', 'artifact.txt'], {cwd: dir, env: {COSIGN_PASSWORD: 'wrong'}})
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(() => statSync(at('never.json'))).toThrow()
    noStack(r.stderr)
  })
})

describe('verify-blob', () => {
  let sig: string
  beforeAll(async () => {
    const r = await sigil(['sign-blob', '--key', 'cosign.key', '--output-signature', 'big.sig', '--bundle', 'big.sigstore.json', 'big.bin'], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(0)
    expect((await sigil(['sign-blob', '--key', 'cosign.key', '--new-bundle-format=false', '--bundle', 'big.bundle', 'big.bin'], {cwd: dir, env})).code).toBe(0)
    sig = readFileSync(at('big.sig'), 'utf8')
    // Signatures and bundles of another file, and of standard input.
    const art = await sigil(['sign-blob', '--key', 'cosign.key', '--output-signature', 'art.sig', '--bundle', 'art.sigstore.json', 'artifact.txt'], {cwd: dir, env})
    expect(art.code, art.stderr).toBe(0)
    expect((await sigil(['sign-blob', '--key', 'cosign.key', '--new-bundle-format=false', '--bundle', 'art.bundle', 'artifact.txt'], {cwd: dir, env})).code).toBe(0)
    expect((await sigil(['sign-blob', '--key', 'cosign.key', '--bundle', 'stdin-v.json', '-'], {cwd: dir, env, input: 'from stdin'})).code).toBe(0)
    writeFileSync(at('empty-v.sig'), '')
  })

  test.each([
    ['a signature file', ['--signature', 'big.sig']],
    ['the base64 itself', () => ['--signature', sig]],
    ['a v0.3 bundle', ['--bundle', 'big.sigstore.json', '--insecure-ignore-tlog']],
    ['a legacy bundle', ['--bundle', 'big.bundle']],
  ])('%s: "Verified OK" on stderr, exit 0', async (_, args) => {
    const r = await sigil(['verify-blob', '--key', 'cosign.pub', ...(typeof args === 'function' ? args() : args), 'big.bin'], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toBe('Verified OK\n')
    expect(r.stdout).toBe('')
  })

  test('--json and standard input', async () => {
    const r = await sigil(['verify-blob', '--key', 'cosign.pub', '--bundle', 'stdin-v.json', '--json', '-'], {cwd: dir, env, input: 'from stdin'})
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({verified: true, digest: `sha256:${createHash('sha256').update('from stdin').digest('hex')}`, size: 10, format: 'sigstore-bundle', bundle: 'stdin-v.json'})
  })

  test.each([
    ['a tampered file', ['--signature', 'big.sig', 'tampered.bin'], 12, /does not verify with the key/],
    ['the wrong key', ['--signature', 'big.sig', 'big.bin'], 12, /does not verify with the key/, 'other.pub'],
    ['a signature for another file', ['--signature', 'art.sig', 'big.bin'], 12, /does not verify/],
    ['a v0.3 bundle for another file', ['--bundle', 'art.sigstore.json', 'big.bin'], 12, /the bundle is for another file: it signs sha256:[0-9a-f]{64}, big\.bin is sha256:/],
    ['a legacy bundle for another file', ['--bundle', 'art.bundle', 'big.bin'], 12, /does not verify/],
    ['a truncated bundle', ['--bundle', 'truncated.json', 'big.bin'], 1, /invalid bundle: not JSON/],
    ['a bundle that is not JSON', ['--bundle', 'big.sig', 'big.bin'], 1, /invalid bundle: not JSON/],
    ['a missing bundle', ['--bundle', 'absent.json', 'big.bin'], 1, /cannot read the bundle absent\.json: no such file/],
    ['a missing signature file', ['--signature', 'absent.sig', 'big.bin'], 1, /--signature absent\.sig is neither a file nor a base64 signature/],
    ['a signature that is a directory', ['--signature', 'adir', 'big.bin'], 1, /cannot read the signature adir: it is a directory/],
    ['an empty signature file', ['--signature', 'empty-v.sig', 'big.bin'], 10, /the signature is empty/],
    ['a missing file', ['--signature', 'big.sig', 'absent.bin'], 1, /absent\.bin: no such file/],
    ['a directory', ['--signature', 'big.sig', 'adir'], 1, /adir is a directory/],
    ['no signature at all', ['big.bin'], 2, /--signature SIG or --bundle FILE/],
    ['both --signature and --bundle', ['--signature', 'big.sig', '--bundle', 'big.bundle', 'big.bin'], 2, /exclusive/],
  ])('%s: its exit code, a clear message, no "Verified OK", no stack trace', async (_, args, code, message, key = 'cosign.pub') => {
    writeFileSync(at('truncated.json'), readFileSync(at('big.sigstore.json'), 'utf8').slice(0, 100))
    mkdirSync(at('adir'), {recursive: true})
    const r = await sigil(['verify-blob', '--key', key, ...args], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(code)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).not.toContain('Verified OK')
    noStack(r.stderr)
  })

  test('the stored cosign vectors: cosign 3.1.1\'s v0.3 bundle, cosign 2.5\'s legacy bundle and signature', async () => {
    for (const args of [['--bundle', vector('blob/artifact.txt.sigstore.json')], ['--bundle', vector('legacy/artifact.txt.bundle')], ['--signature', vector('legacy/artifact.txt.sig')]]) {
      const r = await sigil(['verify-blob', '--key', vector('keys/cosign.pub'), ...args, vector('blob/artifact.txt')], {cwd: dir, env})
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
      expect(r.stderr).toBe('Verified OK\n')
    }
  })
})

describe('an Ed25519 key (pure Ed25519: the file in memory)', () => {
  test('sign-blob and verify-blob round trip, a tampered file fails; cosign 2.5 verifies it', async () => {
    const {privateKey} = generateKeyPairSync('ed25519')
    writeFileSync(at('ed.pem'), privateKey.export({type: 'pkcs8', format: 'pem'}))
    const imp = await sigil(['import-key-pair', '--key', 'ed.pem', '--output-key-prefix', 'ed'], {cwd: dir, env})
    expect(imp.code, imp.stderr).toBe(0)
    const s = await sigil(['sign-blob', '--key', 'ed.key', '--output-signature', 'ed.sig', '--bundle', 'ed.sigstore.json', 'big.bin'], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    expect(nodeVerify(null, readFileSync(at('big.bin')), createPublicKey(readFileSync(at('ed.pub'))), Buffer.from(readFileSync(at('ed.sig'), 'utf8'), 'base64'))).toBe(true)
    for (const args of [['--signature', 'ed.sig'], ['--bundle', 'ed.sigstore.json']]) {
      expect((await sigil(['verify-blob', '--key', 'ed.pub', ...args, 'big.bin'], {cwd: dir, env})).code).toBe(0)
      expect((await sigil(['verify-blob', '--key', 'ed.pub', ...args, 'tampered.bin'], {cwd: dir, env})).code).toBe(12)
    }
    if (cosign2) {
      const c = await runCosign(['verify-blob', '--key', 'ed.pub', '--insecure-ignore-tlog', '--signature', 'ed.sig', 'big.bin'], {cwd: dir})
      expect(c.code, c.stderr).toBe(0)
    }
  })
})

describe('an executable plugin key (sigstore-kms-*, signs whole messages)', () => {
  const fixtures = new URL('../../../packages/sigstore-kms-bridge/test/fixtures', import.meta.url).pathname
  const withPlugin = () => ({...env, PATH: `${fixtures}:${process.env.PATH}`})

  test('sign-blob through the plugin (the file in memory); verify-blob by plugin key and by the exported .pub; cosign 2.5 too', async () => {
    const key = `pyfile://${join(dir, 'plugin-key.pem')}`
    const g = await sigil(['generate-key-pair', '--kms', key, '--output-key-prefix', 'plugin'], {cwd: dir, env: withPlugin()})
    expect(g.code, g.stderr).toBe(0)
    const s = await sigil(['sign-blob', '--key', key, '--output-signature', 'plugin.sig', '--bundle', 'plugin.sigstore.json', 'big.bin'], {cwd: dir, env: withPlugin()})
    expect(s.code, s.stderr).toBe(0)
    for (const k of [key, 'plugin.pub']) {
      for (const args of [['--signature', 'plugin.sig'], ['--bundle', 'plugin.sigstore.json']]) {
        const v = await sigil(['verify-blob', '--key', k, ...args, 'big.bin'], {cwd: dir, env: withPlugin()})
        expect(v.code, `${k} ${args.join(' ')}: ${v.stderr}`).toBe(0)
      }
    }
    expect((await sigil(['verify-blob', '--key', 'plugin.pub', '--signature', 'plugin.sig', 'tampered.bin'], {cwd: dir, env})).code).toBe(12)
    if (cosign2) {
      const c = await runCosign(['verify-blob', '--key', 'plugin.pub', '--insecure-ignore-tlog', '--signature', 'plugin.sig', 'big.bin'], {cwd: dir})
      expect(c.code, c.stderr).toBe(0)
    }
  })
})

describe.skipIf(!cosign2)('cosign 2.5 as a peer', () => {
  test('cosign verify-blob accepts sigil\'s signature (file and stdin) and legacy bundle', async () => {
    for (const args of [['--signature', 'big.sig'], ['--bundle', 'big.bundle']]) {
      const r = await runCosign(['verify-blob', '--key', 'cosign.pub', '--insecure-ignore-tlog', ...args, 'big.bin'], {cwd: dir})
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
      expect(r.stderr).toContain('Verified OK')
    }
    const tampered = await runCosign(['verify-blob', '--key', 'cosign.pub', '--insecure-ignore-tlog', '--signature', 'big.sig', 'tampered.bin'], {cwd: dir})
    expect(tampered.code).not.toBe(0) // the peer can tell, so its "OK" above means something
  })

  test('sigil verify-blob accepts what cosign 2.5 sign-blob writes now (signature, stdout, legacy bundle), with cosign\'s own key', async () => {
    const d = join(dir, 'c2')
    mkdirSync(d, {recursive: true})
    expect((await runCosign(['generate-key-pair'], {cwd: d, env: {COSIGN_PASSWORD: 'pw'}})).code).toBe(0)
    writeFileSync(join(d, 'file.txt'), 'signed by cosign 2.5\n')
    const s = await runCosign(['sign-blob', '--key', 'cosign.key', '--tlog-upload=false', '-y', '--output-signature', 'file.sig', '--bundle', 'file.bundle', 'file.txt'], {cwd: d, env: {COSIGN_PASSWORD: 'pw'}})
    expect(s.code, s.stderr).toBe(0)
    const out = await runCosign(['sign-blob', '--key', 'cosign.key', '--tlog-upload=false', '-y', 'file.txt'], {cwd: d, env: {COSIGN_PASSWORD: 'pw'}})
    expect(out.code, out.stderr).toBe(0)
    for (const args of [['--signature', 'file.sig'], ['--bundle', 'file.bundle'], ['--signature', out.stdout.trim()]]) {
      const r = await sigil(['verify-blob', '--key', 'cosign.pub', ...args, 'file.txt'], {cwd: d, env})
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
    }
    // sigil signs with cosign's key (scrypt N=65536) and cosign verifies it.
    const ours = await sigil(['sign-blob', '--key', 'cosign.key', '--output-signature', 'ours.sig', 'file.txt'], {cwd: d, env})
    expect(ours.code, ours.stderr).toBe(0)
    expect((await runCosign(['verify-blob', '--key', 'cosign.pub', '--insecure-ignore-tlog', '--signature', 'ours.sig', 'file.txt'], {cwd: d})).code).toBe(0)
  })
})

describe.skipIf(!cosign3)('cosign 3.1.1 as a peer', () => {
  test('cosign 3 verify-blob --bundle accepts sigil\'s v0.3 bundle, and rejects it for another file', async () => {
    const ok = await runCosign(['verify-blob', '--key', 'cosign.pub', '--insecure-ignore-tlog=true', '--bundle', 'big.sigstore.json', 'big.bin'], {cwd: dir, cosign: cosign3})
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stderr).toContain('Verified OK')
    const wrong = await runCosign(['verify-blob', '--key', 'cosign.pub', '--insecure-ignore-tlog=true', '--bundle', 'big.sigstore.json', 'tampered.bin'], {cwd: dir, cosign: cosign3})
    expect(wrong.code).not.toBe(0)
  })

  test('sigil verify-blob accepts what cosign 3.1.1 sign-blob --bundle writes now', async () => {
    const config = await cosign3SigningConfig(join(dir, 'c3'))
    const s = await runCosign(['sign-blob', '--key', 'cosign.key', '--signing-config', config, '--yes', '--bundle', 'c3.sigstore.json', 'big.bin'], {cwd: dir, env: {COSIGN_PASSWORD: 'pw'}, cosign: cosign3})
    expect(s.code, s.stderr).toBe(0)
    const r = await sigil(['verify-blob', '--key', 'cosign.pub', '--bundle', 'c3.sigstore.json', 'big.bin'], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(0)
    const other = await sigil(['verify-blob', '--key', 'cosign.pub', '--bundle', 'c3.sigstore.json', 'tampered.bin'], {cwd: dir, env})
    expect(other.code).toBe(12)
  })
})
