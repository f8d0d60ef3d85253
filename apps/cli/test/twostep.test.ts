/**
 * Two-step signing and the commands around attachments, through the built binary against the
 * real registry: sign --upload=false --output-*, generate, attach signature, download, clean;
 * compared with the real cosign 2.5 (and cosign 3.1.1 for bundles) on the same images.
 */
import {createPrivateKey, generateKeyPairSync, sign as nodeSign} from 'node:crypto'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {OCI_CONFIG_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE, SIMPLE_SIGNING_MEDIA_TYPE, buildSignatureConfig, buildSignatureManifest, parseSignatureManifest, sha256Digest} from '@sigil/core'
import {RegistryClient} from '@sigil/oci'
import {cosign3SignArgs, cosign3SigningConfig, pushMultiPlatformImage, pushRandomImage, requireCosign, requireCosign3, requireRegistry, runCosign, startFaultProxy, startRegistry} from '@sigil/test-servers'
import type {TestRegistry} from '@sigil/test-servers'
import {sigil, sigilOnTerminal} from './run-cli.js'

const cosign2 = requireCosign()
const cosign3 = requireCosign3()
const pw = {COSIGN_PASSWORD: 'twostep-pw', SIGIL_PASSWORD: undefined}
let registry: TestRegistry
let dir: string
let home: Record<string, string>
const client = new RegistryClient()
const http = ['--allow-http-registry']

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  dir = mkdtempSync(join(tmpdir(), 'sigil-twostep-'))
  home = {HOME: dir, SIGIL_DATA_DIR: join(dir, 'data'), DOCKER_CONFIG: join(dir, 'docker'), XDG_CONFIG_HOME: join(dir, 'config')}
  const made = await sigil(['generate-key-pair', '--output-key-prefix', 'sigil'], {cwd: dir, env: {...pw, ...home}})
  expect(made.code, made.stderr).toBe(0)
  // A plain PEM key, as an offline signer (an HSM, openssl) would hold; its cosign.pub via import-key-pair.
  const {privateKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
  writeFileSync(join(dir, 'offline.pem'), privateKey.export({type: 'pkcs8', format: 'pem'}))
  const imported = await sigil(['import-key-pair', '--key', 'offline.pem', '--output-key-prefix', 'offline'], {cwd: dir, env: {...pw, ...home}})
  expect(imported.code, imported.stderr).toBe(0)
})
afterAll(async () => {
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

const run = (args: string[], extra: {input?: string} = {}) => sigil(args, {cwd: dir, env: {...pw, ...home}, ...extra})
const cosign = (args: string[], bin = cosign2) => runCosign(args, {cwd: dir, env: {COSIGN_PASSWORD: pw.COSIGN_PASSWORD}, cosign: bin})

let n = 0
async function image(): Promise<{ref: string; digest: string; repo: {registry: string; repository: string}; byDigest: string}> {
  const repo = {registry: registry.host, repository: `twostep/app${++n}`}
  const {digest} = await pushRandomImage(client, repo, 'v1')
  return {ref: `${registry.host}/${repo.repository}:v1`, digest, repo, byDigest: `${registry.host}/${repo.repository}@${digest}`}
}
const sigTag = (digest: string) => `${digest.replace(':', '-')}.sig`
const sigLayers = async (repo: {registry: string; repository: string}, digest: string) => {
  const m = await client.getManifestIfExists(repo, sigTag(digest))
  return m ? parseSignatureManifest(m.bytes).layers : []
}
/** The signature node's crypto makes over `payload` with the plain PEM key, base64. */
const offlineSign = (payload: Buffer) => nodeSign('sha256', payload, createPrivateKey(readFileSync(join(dir, 'offline.pem')))).toString('base64')

describe('help', () => {
  test('the attach and download topics list their commands; each command has examples', async () => {
    const attach = await run(['attach'])
    expect(attach.code).toBe(0)
    expect(attach.stdout).toContain('attach signature')
    const download = await run(['download', '--help'])
    expect(download.stdout).toMatch(/download attestation[\s\S]*download sbom[\s\S]*download signature/)
    for (const id of [['generate'], ['attach', 'signature'], ['download', 'signature'], ['clean']]) {
      const h = await run([...id, '--help'])
      expect(h.code).toBe(0)
      expect(h.stdout.slice(h.stdout.indexOf('EXAMPLES'))).toContain(`  $ sigil ${id.join(' ')} `)
    }
  })
})

describe('generate', () => {
  test('prints the payload sign signs, without a newline; -a adds annotations; --json', async () => {
    const {ref, digest, repo} = await image()
    const g = await run(['generate', ref])
    expect(g.code, g.stderr).toBe(0)
    expect(g.stdout).toBe(`{"critical":{"identity":{"docker-reference":"${repo.registry}/${repo.repository}"},"image":{"docker-manifest-digest":"${digest}"},"type":"cosign container image signature"},"optional":null}`)
    const a = await run(['generate', '-a', 'env=prod', '-a', 'note=<a&b>', ref])
    expect(a.stdout.endsWith('"optional":{"env":"prod","note":"\\u003ca\\u0026b\\u003e"}}')).toBe(true)
    const j = await run(['generate', '--json', ref])
    expect(JSON.parse(j.stdout)).toMatchObject({digest, payload: g.stdout})
  })

  test('an image that does not exist: exit 11, nothing on stdout', async () => {
    const g = await run(['generate', `${registry.host}/twostep/missing:v1`])
    expect(g.code).toBe(11)
    expect(g.stdout).toBe('')
    expect(g.stderr).not.toMatch(/\n\s+at /)
  })

  test.runIf(cosign2)('byte for byte what cosign 2.5 generate prints', async () => {
    const {ref} = await image()
    for (const extra of [[], ['-a', 'env=prod', '-a', 'x=<&>']]) {
      const ours = await run(['generate', ...extra, ref])
      const theirs = await cosign(['generate', ...http, ...extra, ref])
      expect(theirs.code, theirs.stderr).toBe(0)
      expect(ours.stdout).toBe(theirs.stdout)
    }
  })
})

describe('sign --upload=false --output-payload --output-signature', () => {
  test('writes both files, prints nothing, pushes nothing; an existing file needs --force', async () => {
    const {ref, digest, repo} = await image()
    const args = ['sign', '--key', 'sigil.key', '--upload=false', '--output-payload', 'p.json', '--output-signature', 'p.sig', ref]
    const s = await run(args)
    expect(s.code, s.stderr).toBe(0)
    expect(s.stdout).toBe('')
    expect(readFileSync(join(dir, 'p.json'), 'utf8')).toBe((await run(['generate', ref])).stdout)
    expect(readFileSync(join(dir, 'p.sig'), 'utf8')).toMatch(/^[A-Za-z0-9+/]+=*$/)
    expect(await sigLayers(repo, digest)).toEqual([])
    const again = await run(args)
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('p.sig already exists; pass --force')
    expect((await run([...args, '--force'])).code).toBe(0)
    // Without --upload=false the files are written and the signature pushed, as cosign.
    const up = await run(['sign', '--key', 'sigil.key', '--output-signature', 'up.sig', ref])
    expect(up.code, up.stderr).toBe(0)
    const layers = await sigLayers(repo, digest)
    expect(layers).toHaveLength(1)
    expect(layers[0]!.annotations!['dev.cosignproject.cosign/signature']).toBe(readFileSync(join(dir, 'up.sig'), 'utf8'))
  })

  test('--recursive: one pair of files per digest, suffixed -sha256-<hex> (as cosign); several images without it: refused', async () => {
    const repo = {registry: registry.host, repository: `twostep/multi${++n}`}
    const pushed = await pushMultiPlatformImage(client, repo, 'v1')
    const ref = `${registry.host}/${repo.repository}:v1`
    const s = await run(['sign', '--key', 'sigil.key', '-r', '--upload=false', '--output-payload', 'multi.json', '--output-signature', 'multi.sig', ref])
    expect(s.code, s.stderr).toBe(0)
    expect(s.stdout).toBe('')
    for (const digest of [pushed.digest, ...pushed.platforms.map((p) => p.digest)]) {
      const payload = readFileSync(join(dir, `multi.json-${digest.replace(':', '-')}`), 'utf8')
      expect(JSON.parse(payload).critical.image['docker-manifest-digest']).toBe(digest)
      expect(existsSync(join(dir, `multi.sig-${digest.replace(':', '-')}`))).toBe(true)
    }
    expect(existsSync(join(dir, 'multi.json'))).toBe(false)
    // Again without --force, the first platform's files removed: the second's exist; the command
    // stops before the first signature, so the first platform's files are not written.
    const platform0 = join(dir, `multi.sig-${pushed.platforms[0]!.digest.replace(':', '-')}`)
    rmSync(platform0)
    rmSync(join(dir, `multi.json-${pushed.platforms[0]!.digest.replace(':', '-')}`))
    const again = await run(['sign', '--key', 'sigil.key', '-r', '--upload=false', '--output-payload', 'multi.json', '--output-signature', 'multi.sig', ref])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain(`multi.sig-${pushed.platforms[1]!.digest.replace(':', '-')}`)
    expect(existsSync(platform0)).toBe(false)
    const two = await run(['sign', '--key', 'sigil.key', '--upload=false', '--output-signature', 'two-images.sig', ref, ref])
    expect(two.code).toBe(2)
    expect(existsSync(join(dir, 'two-images.sig'))).toBe(false)
  })

  test('--upload=false without output files still prints payload and signature', async () => {
    const {ref} = await image()
    const s = await run(['sign', '--key', 'sigil.key', '--upload=false', ref])
    expect(s.code, s.stderr).toBe(0)
    const [payload, signature] = s.stdout.split('\n')
    expect(payload).toBe((await run(['generate', ref])).stdout)
    expect(signature).toMatch(/^[A-Za-z0-9+/]+=*$/)
  })
})

describe('attach signature', () => {
  test('generate → sign offline → attach (file) → sigil verify and cosign 2.5 verify pass; attaching again adds nothing', async () => {
    const {ref, digest, repo} = await image()
    const payload = Buffer.from((await run(['generate', ref])).stdout)
    writeFileSync(join(dir, 'offline-payload.json'), payload)
    writeFileSync(join(dir, 'offline.sig'), `${offlineSign(payload)}\n`)
    const a = await run(['attach', 'signature', '--payload', 'offline-payload.json', '--signature', 'offline.sig', ref])
    expect(a.code, a.stderr).toBe(0)
    expect(a.stderr).toContain(`Pushing signature to: ${repo.registry}/${repo.repository}`)
    const v = await run(['verify', '--key', 'offline.pub', ref])
    expect(v.code, v.stderr).toBe(0)
    if (cosign2) {
      const c = await cosign(['verify', '--key', 'offline.pub', '--insecure-ignore-tlog=true', '--offline=true', ...http, ref])
      expect(c.code, c.stderr).toBe(0)
      expect(JSON.parse(c.stdout)[0].critical.image['docker-manifest-digest']).toBe(digest)
    }
    const again = await run(['attach', 'signature', '--json', '--payload', 'offline-payload.json', '--signature', 'offline.sig', ref])
    expect(again.code, again.stderr).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({digest, appended: false})
    expect(await sigLayers(repo, digest)).toHaveLength(1)
  })

  test('sign --upload=false --output-* then attach (base64 on the command line): appended next to a cosign signature', async () => {
    const {ref, byDigest, digest, repo} = await image()
    expect((await run(['sign', '--key', 'sigil.key', '--upload=false', '--output-payload', 'two.json', '--output-signature', 'two.sig', ref])).code).toBe(0)
    if (cosign2) expect((await cosign(['sign', '--key', 'sigil.key', '--tlog-upload=false', '--yes', ...http, byDigest])).code).toBe(0)
    const a = await run(['attach', 'signature', '--payload', 'two.json', '--signature', readFileSync(join(dir, 'two.sig'), 'utf8'), byDigest])
    expect(a.code, a.stderr).toBe(0)
    expect(await sigLayers(repo, digest)).toHaveLength(cosign2 ? 2 : 1)
    expect((await run(['verify', '--key', 'sigil.pub', byDigest])).code).toBe(0)
    if (cosign2) expect((await cosign(['verify', '--key', 'sigil.pub', '--insecure-ignore-tlog=true', '--offline=true', ...http, byDigest])).code).toBe(0)
  })

  test('the signature from standard input (-); concurrent attaches of different signatures all land', async () => {
    const {ref, digest, repo} = await image()
    const payload = Buffer.from((await run(['generate', ref])).stdout)
    writeFileSync(join(dir, 'conc.json'), payload)
    const viaStdin = await run(['attach', 'signature', '--payload', 'conc.json', '--signature', '-', ref], {input: `${offlineSign(payload)}\n`})
    expect(viaStdin.code, viaStdin.stderr).toBe(0)
    // ECDSA signatures are randomised: four different signatures of one payload, attached at once.
    const results = await Promise.all([1, 2, 3, 4].map(() => run(['attach', 'signature', '--payload', 'conc.json', '--signature', offlineSign(payload), ref])))
    for (const r of results) expect(r.code, r.stderr).toBe(0)
    expect(await sigLayers(repo, digest)).toHaveLength(5)
    expect((await run(['verify', '--key', 'offline.pub', ref])).code).toBe(0)
  })

  test('bad input: clear errors, right exit codes, nothing pushed', async () => {
    const {ref, digest, repo} = await image()
    const other = await image()
    const payload = Buffer.from((await run(['generate', other.ref])).stdout)
    writeFileSync(join(dir, 'other.json'), payload)
    writeFileSync(join(dir, 'other.sig'), offlineSign(payload))
    writeFileSync(join(dir, 'notjson.json'), 'hello')
    writeFileSync(join(dir, 'blob.json'), '{"critical":{"type":"something else"}}')
    const cases: Array<[string[], number, string]> = [
      [['--payload', 'other.json', '--signature', 'other.sig', ref], 1, `the payload is for ${other.digest}, not for this image (${digest})`],
      [['--payload', 'notjson.json', '--signature', 'other.sig', ref], 1, 'not JSON'],
      [['--payload', 'blob.json', '--signature', 'other.sig', ref], 1, 'not a simple-signing payload'],
      [['--payload', 'other.json', '--signature', 'not base64!', ref], 2, 'no such file, and not base64 either'],
      [['--payload', 'missing.json', '--signature', 'other.sig', ref], 2, 'cannot read the payload file missing.json: no such file'],
      [['--payload', 'other.json', '--signature', 'other.sig', `${registry.host}/twostep/missing:v1`], 11, 'not found'],
    ]
    const huge = await run(['attach', 'signature', '--payload', 'other.json', '--signature', '-', ref], {input: 'A'.repeat(100_000)})
    expect(huge.code).toBe(2)
    expect(huge.stderr).toContain('standard input is over 65536 bytes')
    for (const [args, code, message] of cases) {
      const r = await run(['attach', 'signature', ...args])
      expect(r.code, r.stderr).toBe(code)
      expect(r.stderr).toContain(message)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
    expect(await sigLayers(repo, digest)).toEqual([])
  })
})

describe('download', () => {
  test('signature: none → exit 10, no image → exit 11', async () => {
    const {ref} = await image()
    const none = await run(['download', 'signature', ref])
    expect(none.code).toBe(10)
    expect(none.stderr).toContain('no signatures associated with')
    expect((await run(['download', 'signature', `${registry.host}/twostep/missing:v1`])).code).toBe(11)
    expect((await run(['download', 'attestation', ref])).code).toBe(10)
  })

  test.runIf(cosign2)('signature and attestation: the same lines cosign 2.5 prints', async () => {
    const {ref, byDigest} = await image()
    expect((await run(['sign', '--key', 'sigil.key', '-a', 'x=<y>', ref])).code).toBe(0)
    expect((await cosign(['sign', '--key', 'sigil.key', '--tlog-upload=false', '--yes', ...http, byDigest])).code).toBe(0)
    writeFileSync(join(dir, 'predicate.json'), '{"hello":"world"}')
    const att = await cosign(['attest', '--key', 'sigil.key', '--predicate', 'predicate.json', '--type', 'custom', '--tlog-upload=false', '--yes', ...http, byDigest])
    expect(att.code, att.stderr).toBe(0)
    for (const kind of ['signature', 'attestation']) {
      const ours = await run(['download', kind, ref])
      const theirs = await cosign(['download', kind, ...http, ref])
      expect(theirs.code, theirs.stderr).toBe(0)
      expect(ours.code, ours.stderr).toBe(0)
      expect(ours.stdout).toBe(theirs.stdout)
    }
    expect((await run(['download', 'signature', ref])).stdout.trim().split('\n')).toHaveLength(2)
    const j = await run(['download', 'signature', '--json', ref])
    expect(JSON.parse(j.stdout).attachments[0].content).toMatchObject({Cert: null, Bundle: null})
  })

  test.runIf(cosign2)('signature with a Rekor bundle and an RFC 3161 timestamp (spec vector): the line cosign 2.5 prints', async () => {
    const {ref, digest, repo} = await image()
    const vector = join(import.meta.dirname, '../../../../shared/spec/vectors/containers-image-cosign-key-rekor-valid')
    const payload = readFileSync(join(vector, 'payload.json'))
    const annotations = {...JSON.parse(readFileSync(join(vector, 'layer-annotations.json'), 'utf8')), 'dev.sigstore.cosign/rfc3161timestamp': '{"SignedRFC3161Timestamp":"AAECAw=="}'}
    const layer = {mediaType: SIMPLE_SIGNING_MEDIA_TYPE, size: payload.length, digest: sha256Digest(payload), annotations}
    const config = buildSignatureConfig([layer.digest])
    await client.uploadBlob(repo, layer.digest, payload)
    await client.uploadBlob(repo, sha256Digest(config), config)
    const manifest = buildSignatureManifest({config: {mediaType: OCI_CONFIG_MEDIA_TYPE, size: config.length, digest: sha256Digest(config)}, layers: [layer]})
    await client.putManifest(repo, sigTag(digest), manifest, OCI_MANIFEST_MEDIA_TYPE)
    const ours = await run(['download', 'signature', ref])
    const theirs = await cosign(['download', 'signature', ...http, ref])
    expect(theirs.code, theirs.stderr).toBe(0)
    expect(ours.code, ours.stderr).toBe(0)
    expect(ours.stdout).toBe(theirs.stdout)
    expect(JSON.parse(ours.stdout).Bundle.Payload.logIndex).toBe(11608800)
  })

  test.runIf(cosign2)('sbom attached by cosign 2.5: the bytes cosign download sbom prints', async () => {
    const {ref} = await image()
    writeFileSync(join(dir, 'sbom.spdx'), 'SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n')
    const attached = await cosign(['attach', 'sbom', '--sbom', 'sbom.spdx', '--type', 'spdx', ...http, ref])
    expect(attached.code, attached.stderr).toBe(0)
    const ours = await run(['download', 'sbom', ref])
    const theirs = await cosign(['download', 'sbom', ...http, ref])
    expect(theirs.code, theirs.stderr).toBe(0)
    expect(ours.code, ours.stderr).toBe(0)
    expect(ours.stdout).toBe(theirs.stdout)
    expect(ours.stdout).toBe('SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n')
    expect(ours.stderr).toContain('Found SBOM of media type: text/spdx')
    const cleaned = await run(['clean', '-f', '--type', 'sbom', ref])
    expect(cleaned.code, cleaned.stderr).toBe(0)
    expect(cleaned.stderr).toMatch(/Removed .*\.sbom from /)
    expect((await run(['download', 'sbom', ref])).code).toBe(10)
  })

  test.runIf(cosign3)('signature and attestation of cosign 3.1.1 bundle referrers: the lines cosign 3 prints', async () => {
    const {byDigest} = await image()
    const signingConfig = await cosign3SigningConfig(dir)
    const s = await cosign(['sign', '--key', 'sigil.key', ...cosign3SignArgs(signingConfig), byDigest], cosign3)
    expect(s.code, s.stderr).toBe(0)
    const ours = await run(['download', 'signature', byDigest])
    const theirs = await cosign(['download', 'signature', ...http, byDigest], cosign3)
    expect(theirs.code, theirs.stderr).toBe(0)
    expect(ours.code, ours.stderr).toBe(0)
    expect(JSON.parse(ours.stdout)).toEqual(JSON.parse(theirs.stdout))
    expect(ours.stdout).toBe(theirs.stdout)
    writeFileSync(join(dir, 'predicate.json'), '{"hello":"world"}')
    const att = await cosign(['attest', '--key', 'sigil.key', '--predicate', 'predicate.json', '--type', 'custom', ...cosign3SignArgs(signingConfig), byDigest], cosign3)
    expect(att.code, att.stderr).toBe(0)
    const oursAtt = await run(['download', 'attestation', byDigest])
    const theirsAtt = await cosign(['download', 'attestation', ...http, byDigest], cosign3)
    expect(theirsAtt.code, theirsAtt.stderr).toBe(0)
    expect(oursAtt.code, oursAtt.stderr).toBe(0)
    // cosign 3 prints every bundle referrer for both kinds (the signature's statement is in-toto
    // too); sigil keeps each kind apart: its lines are cosign's, one kind each.
    const oursSig = await run(['download', 'signature', byDigest])
    const theirsSig = await cosign(['download', 'signature', ...http, byDigest], cosign3)
    expect(theirsAtt.stdout.trim().split('\n').sort()).toEqual([oursAtt.stdout.trim(), oursSig.stdout.trim()].sort())
    expect(theirsSig.stdout.trim().split('\n').sort()).toEqual([oursAtt.stdout.trim(), oursSig.stdout.trim()].sort())
    expect(oursSig.stdout).toBe(ours.stdout)
  })
})

describe('clean', () => {
  test('without a terminal and without -f: refused, exit 2, nothing removed', async () => {
    const {ref, digest, repo} = await image()
    expect((await run(['sign', '--key', 'sigil.key', ref])).code).toBe(0)
    const r = await run(['clean', ref])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('pass -f/--force')
    expect(await sigLayers(repo, digest)).toHaveLength(1)
  })

  test('on a terminal: asks; "n" keeps everything, "y" removes', async () => {
    const {ref, digest, repo} = await image()
    expect((await run(['sign', '--key', 'sigil.key', ref])).code).toBe(0)
    const no = await sigilOnTerminal(['clean', ref], {cwd: dir, env: home}, [['expect', '[y/N]'], ['send', 'n\r']])
    expect(no.code).toBe(1)
    expect(no.output).toContain('WARNING: this will remove all signatures, SBOMs and attestations from the image')
    expect(await sigLayers(repo, digest)).toHaveLength(1)
    const yes = await sigilOnTerminal(['clean', '--type', 'signature', ref], {cwd: dir, env: home}, [['expect', '[y/N]'], ['send', 'y\r']])
    expect(yes.code, yes.output).toBe(0)
    expect(yes.output).toContain(`Removed ${repo.registry}/${repo.repository}:${sigTag(digest)} from ${ref}`)
    expect(await client.getManifestIfExists(repo, sigTag(digest))).toBeUndefined()
  })

  test.runIf(cosign2)('-f removes the .sig and .att tags by digest; the same tags left as cosign clean leaves', async () => {
    const mine = await image()
    const theirs = await image()
    for (const img of [mine, theirs]) {
      expect((await run(['sign', '--key', 'sigil.key', img.ref])).code).toBe(0)
      expect((await cosign(['sign', '--key', 'sigil.key', '--tlog-upload=false', '--yes', ...http, img.byDigest])).code).toBe(0)
      writeFileSync(join(dir, 'predicate.json'), '{"hello":"world"}')
      expect((await cosign(['attest', '--key', 'sigil.key', '--predicate', 'predicate.json', '--tlog-upload=false', '--yes', ...http, img.byDigest])).code).toBe(0)
    }
    const oldSig = (await client.getManifestIfExists(mine.repo, sigTag(mine.digest)))!.digest
    const c = await cosign(['clean', '-f', '--type', 'all', ...http, theirs.ref])
    expect(c.code, c.stderr).toBe(0)
    const s = await run(['clean', '-f', '--json', mine.ref])
    expect(s.code, s.stderr).toBe(0)
    expect(JSON.parse(s.stdout).removed.map((r: {kind: string}) => r.kind)).toEqual(['signature', 'attestation'])
    expect(await client.listTags(mine.repo)).toEqual(['v1'])
    expect(await client.listTags(theirs.repo)).toEqual(await client.listTags(mine.repo))
    expect(await client.getManifestIfExists(mine.repo, oldSig)).toBeUndefined()
    const tree = await run(['tree', '--json', mine.ref])
    expect(JSON.parse(tree.stdout).branches).toEqual([])
    expect((await run(['download', 'signature', mine.ref])).code).toBe(10)
    // Nothing left: clean says so and succeeds.
    const again = await run(['clean', '-f', mine.ref])
    expect(again.code).toBe(0)
    expect(again.stderr).toContain('Nothing to remove')
  })

  test.runIf(cosign3)('-f removes cosign 3 bundle referrers one by one, the sha256-<hex> index with the last; the same tags left as cosign 3 clean leaves', async () => {
    const mine = await image()
    const theirs = await image()
    const signingConfig = await cosign3SigningConfig(dir)
    for (const img of [mine, theirs]) {
      for (let i = 0; i < 2; i++) expect((await cosign(['sign', '--key', 'sigil.key', ...cosign3SignArgs(signingConfig), img.byDigest], cosign3)).code).toBe(0)
    }
    expect((await run(['verify', '--key', 'sigil.pub', mine.byDigest])).code).toBe(0)
    const index = mine.digest.replace(':', '-')
    const s = await run(['clean', '-f', '--type', 'signature', mine.byDigest])
    expect(s.code, s.stderr).toBe(0)
    expect(s.stderr.match(/Removed /g)).toHaveLength(2)
    expect(await client.getManifestIfExists(mine.repo, index)).toBeUndefined()
    expect((await run(['verify', '--key', 'sigil.pub', mine.byDigest])).code).toBe(10)
    const c = await cosign(['clean', '-f', '--type', 'all', ...http, theirs.byDigest], cosign3)
    expect(c.code, c.stderr).toBe(0)
    expect(await client.listTags(mine.repo)).toEqual(['v1'])
    expect(await client.listTags(theirs.repo)).toEqual(['v1'])
  })

  test('a fault half-way: exit 1, the error says what was removed before it, the rest is still there', async () => {
    const proxy = await startFaultProxy(registry.host)
    try {
      const repo = {registry: proxy.host, repository: `twostep/fault${++n}`}
      const {digest} = await pushRandomImage(client, repo, 'v1')
      const ref = `${proxy.host}/${repo.repository}:v1`
      expect((await run(['sign', '--key', 'sigil.key', ref])).code).toBe(0)
      // An attestation layer in the .att tag, as cosign attest writes it.
      const envelope = Buffer.from('{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"keyid":"","sig":"AAAA"}]}')
      const layer = {mediaType: 'application/vnd.dsse.envelope.v1+json', size: envelope.length, digest: sha256Digest(envelope), annotations: {'dev.cosignproject.cosign/signature': ''}}
      const config = buildSignatureConfig([layer.digest])
      await client.uploadBlob(repo, layer.digest, envelope)
      await client.uploadBlob(repo, sha256Digest(config), config)
      const att = buildSignatureManifest({config: {mediaType: OCI_CONFIG_MEDIA_TYPE, size: config.length, digest: sha256Digest(config)}, layers: [layer]})
      const {digest: attDigest} = await client.putManifest(repo, `${digest.replace(':', '-')}.att`, att, OCI_MANIFEST_MEDIA_TYPE)
      proxy.setRule((method, path) =>
        method === 'DELETE' && path.endsWith(attDigest) ? {kind: 'respond', status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"disk on fire"}]}'} : {kind: 'pass'},
      )
      const r = await run(['clean', '-f', ref])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(`Removed ${repo.registry}/${repo.repository}:${sigTag(digest)} from ${ref}`)
      expect(r.stderr).toContain(`removed before that: ${repo.registry}/${repo.repository}:${sigTag(digest)}`)
      expect(r.stderr).toContain('disk on fire')
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(await client.getManifestIfExists(repo, `${digest.replace(':', '-')}.att`)).toBeDefined()
      expect(await sigLayers(repo, digest)).toEqual([])
    } finally {
      await proxy.close()
    }
  })

  test('a registry that refuses deletes: exit 1, a clear error, everything still there', async () => {
    const noDelete = await startRegistry({deleteEnabled: false})
    try {
      const repo = {registry: noDelete.host, repository: 'twostep/nodelete'}
      const {digest} = await pushRandomImage(client, repo, 'v1')
      const ref = `${noDelete.host}/${repo.repository}:v1`
      expect((await run(['sign', '--key', 'sigil.key', ref])).code).toBe(0)
      const r = await run(['clean', '-f', ref])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('the registry refuses to delete')
      expect(r.stderr).toContain('nothing was removed')
      expect(r.stderr).not.toContain('Removed')
      expect(await sigLayers(repo, digest)).toHaveLength(1)
    } finally {
      await noDelete.stop()
    }
  })
})
