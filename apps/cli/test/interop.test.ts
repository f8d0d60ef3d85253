import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {parseSignatureManifest} from '@sigil/core'
import {RegistryClient} from '@sigil/oci'
import {findCosign, pushRandomImage, requireCosign, requireRegistry, runCosign, startRegistry} from '@sigil/test-servers'
import type {TestRegistry} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

// Interop with the real cosign 2.5 (Debian trixie), fully offline: it must read what we write
// and we must read what it writes.
const cosignPresent = Boolean(findCosign()) || process.env.CI === 'true'

describe.runIf(cosignPresent)('interop with the real cosign', () => {
  let registry: TestRegistry
  let client: RegistryClient
  let dir: string
  const pw = {COSIGN_PASSWORD: 'interop-pw'}
  const cosignHttp = ['--allow-http-registry']
  const cosignVerify = (pub: string, ref: string, extra: string[] = []) =>
    runCosign(['verify', '--key', pub, '--insecure-ignore-tlog=true', '--offline=true', ...cosignHttp, ...extra, ref], {cwd: dir})
  const cosignSign = (key: string, ref: string, extra: string[] = []) =>
    runCosign(['sign', '--key', key, '--tlog-upload=false', '--yes', ...cosignHttp, ...extra, ref], {cwd: dir, env: pw})

  beforeAll(async () => {
    requireRegistry()
    requireCosign()
    registry = await startRegistry()
    client = new RegistryClient()
    dir = mkdtempSync(join(tmpdir(), 'sigil-interop-'))
    const ours = await sigil(['generate-key-pair', '--output-key-prefix', 'sigil'], {cwd: dir, env: pw})
    expect(ours.code, ours.stderr).toBe(0)
    const theirs = await runCosign(['generate-key-pair', '--output-key-prefix', 'cosign'], {cwd: dir, env: pw})
    expect(theirs.code, theirs.stderr).toBe(0)
  })
  afterAll(async () => {
    await registry?.stop()
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  let n = 0
  async function image() {
    const repo = {registry: registry.host, repository: `interop/app${++n}`}
    const pushed = await pushRandomImage(client, repo, 'v1')
    return {ref: `${registry.host}/${repo.repository}:v1`, digest: pushed.digest, repo}
  }

  test('cosign verifies an image sigil signed', async () => {
    const {ref, digest} = await image()
    expect((await sigil(['sign', '--key', 'sigil.key', ref], {cwd: dir, env: pw})).code).toBe(0)
    const v = await cosignVerify('sigil.pub', ref)
    expect(v.code, v.stderr).toBe(0)
    expect(JSON.parse(v.stdout)[0].critical.image['docker-manifest-digest']).toBe(digest)
  })

  test('a key whose EC point is stored compressed, imported by sigil: cosign reads its cosign.pub and verifies', async () => {
    // openssl stores the point compressed on request; Go (cosign) reads only uncompressed points.
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', join(dir, 'plain.pem')])
    execFileSync('openssl', ['ec', '-in', join(dir, 'plain.pem'), '-conv_form', 'compressed', '-out', join(dir, 'compressed.pem')], {stdio: 'ignore'})
    const imported = await sigil(['import-key-pair', '--key', 'compressed.pem', '--output-key-prefix', 'imported'], {cwd: dir, env: pw})
    expect(imported.code, imported.stderr).toBe(0)
    const {ref, digest} = await image()
    expect((await sigil(['sign', '--key', 'imported.key', ref], {cwd: dir, env: pw})).code).toBe(0)
    const v = await cosignVerify('imported.pub', ref)
    expect(v.code, v.stderr).toBe(0)
    expect(JSON.parse(v.stdout)[0].critical.image['docker-manifest-digest']).toBe(digest)
    // …and cosign signs with the key sigil wrote, sigil verifies.
    const other = await image()
    const c = await cosignSign('imported.key', other.ref)
    expect(c.code, c.stderr).toBe(0)
    expect((await sigil(['verify', '--key', 'imported.pub', other.ref], {cwd: dir})).code).toBe(0)
  })

  test('cosign verifies annotations sigil wrote, and rejects a wrong one', async () => {
    const {ref} = await image()
    expect((await sigil(['sign', '--key', 'sigil.key', '-a', 'env=prod', '-a', 'note=<a&b>', ref], {cwd: dir, env: pw})).code).toBe(0)
    const ok = await cosignVerify('sigil.pub', ref, ['-a', 'env=prod'])
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout)[0].optional).toEqual({env: 'prod', note: '<a&b>'})
    expect((await cosignVerify('sigil.pub', ref, ['-a', 'env=dev'])).code).not.toBe(0)
  })

  test('sigil verifies an image cosign signed, byte-identical payload output', async () => {
    const {ref, digest} = await image()
    const s = await cosignSign('cosign.key', `${ref.replace(/:v1$/, '')}@${digest}`)
    expect(s.code, s.stderr).toBe(0)
    const ours = await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir})
    expect(ours.code, ours.stderr).toBe(0)
    const theirs = await cosignVerify('cosign.pub', ref)
    expect(ours.stdout).toBe(theirs.stdout)
  })

  test('cosign signs with a key sigil generated; sigil signs with a key cosign generated', async () => {
    const a = await image()
    expect((await cosignSign('sigil.key', a.ref)).code).toBe(0)
    expect((await sigil(['verify', '--key', 'sigil.pub', a.ref], {cwd: dir})).code).toBe(0)
    const b = await image()
    const s = await sigil(['sign', '--key', 'cosign.key', b.ref], {cwd: dir, env: pw})
    expect(s.code, s.stderr).toBe(0)
    const v = await cosignVerify('cosign.pub', b.ref)
    expect(v.code, v.stderr).toBe(0)
  })

  test('signatures from both tools accumulate on one .sig tag and both tools verify both', async () => {
    const {ref, digest, repo} = await image()
    expect((await sigil(['sign', '--key', 'sigil.key', ref], {cwd: dir, env: pw})).code).toBe(0)
    expect((await cosignSign('cosign.key', ref)).code).toBe(0)
    expect((await sigil(['sign', '--key', 'sigil.key', '-a', 'round=2', ref], {cwd: dir, env: pw})).code).toBe(0)
    const sig = parseSignatureManifest((await client.getManifest(repo, `sha256-${digest.slice(7)}.sig`)).bytes)
    expect(sig.layers).toHaveLength(3)
    for (const pub of ['sigil.pub', 'cosign.pub']) {
      const c = await cosignVerify(pub, ref)
      expect(c.code, `cosign ${pub}: ${c.stderr}`).toBe(0)
      const s = await sigil(['verify', '--key', pub, ref], {cwd: dir})
      expect(s.code, `sigil ${pub}: ${s.stderr}`).toBe(0)
    }
    expect(JSON.parse((await sigil(['verify', '--key', 'sigil.pub', ref], {cwd: dir})).stdout)).toHaveLength(2)
  })

  describe('the same sigstore-kms-* executable plugin drives both tools', () => {
    const fixtures = new URL('../../../packages/sigstore-kms-bridge/test/fixtures', import.meta.url).pathname
    const withPlugin = () => ({PATH: `${fixtures}:${process.env.PATH}`})

    test('sigil signs through the plugin; cosign verifies with the exported .pub and with the plugin key', async () => {
      const {ref} = await image()
      const key = `pyfile://${join(dir, 'plugin-key.pem')}`
      const g = await sigil(['generate-key-pair', '--kms', key, '--output-key-prefix', 'plugin'], {cwd: dir, env: withPlugin()})
      expect(g.code, g.stderr).toBe(0)
      const s = await sigil(['sign', '--key', key, ref], {cwd: dir, env: withPlugin()})
      expect(s.code, s.stderr).toBe(0)
      const byPem = await cosignVerify('plugin.pub', ref)
      expect(byPem.code, byPem.stderr).toBe(0)
      const byPlugin = await runCosign(['verify', '--key', key, '--insecure-ignore-tlog=true', '--offline=true', ...cosignHttp, ref], {cwd: dir, env: withPlugin()})
      expect(byPlugin.code, byPlugin.stderr).toBe(0)
    })

    test('cosign signs through the plugin; sigil verifies with the plugin key', async () => {
      const {ref} = await image()
      const key = `pyfile://${join(dir, 'plugin-key.pem')}`
      const c = await runCosign(['sign', '--key', key, '--tlog-upload=false', '--yes', ...cosignHttp, ref], {cwd: dir, env: withPlugin()})
      expect(c.code, c.stderr).toBe(0)
      const v = await sigil(['verify', '--key', key, ref], {cwd: dir, env: withPlugin()})
      expect(v.code, v.stderr).toBe(0)
    })
  })

  test('cosign triangulate and sigil triangulate agree', async () => {
    const {ref} = await image()
    const ours = await sigil(['triangulate', ref], {cwd: dir})
    const theirs = await runCosign(['triangulate', ...cosignHttp, ref], {cwd: dir})
    expect(theirs.code, theirs.stderr).toBe(0)
    expect(ours.stdout).toBe(theirs.stdout)
  })
})

