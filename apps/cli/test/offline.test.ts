/**
 * Air-gapped sites: `sigil save` (an OCI image layout with the image and its attachments in both
 * formats), `sigil verify --local-image` (no network at all: run in an empty network namespace
 * when `unshare -rn` works here, and always under a preload that makes any socket, DNS lookup or
 * fetch fail and records it), and `sigil load` into another repository, checked there by sigil,
 * cosign 2.5 and cosign 3.1.1 — against the real registry. Also cosign 2.5's own save/load
 * against sigil's, and bad layouts.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {
  COSIGN3_VERIFY_KEY_ARGS,
  pushMultiPlatformImage,
  pushRandomImage,
  requireCosign,
  requireCosign3,
  requireRegistry,
  runCosign,
  startReferrersProxy,
  startRegistry,
} from '@sigil/test-servers'
import type {ReferrersProxy, TestRegistry} from '@sigil/test-servers'
import {BIN, runProgram, sigil} from './run-cli.js'

const cosign2 = requireCosign()
const cosign3 = requireCosign3()
const NO_NETWORK = fileURLToPath(new URL('./fixtures/no-network.mjs', import.meta.url))
/** An empty network namespace (no interface up, not even loopback), where user namespaces are allowed. */
const UNSHARE = spawnSync('unshare', ['-rn', 'true']).status === 0
let registry: TestRegistry
let proxy: ReferrersProxy
let dir: string
let env: Record<string, string | undefined>
const client = new RegistryClient()

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  proxy = await startReferrersProxy(registry)
  dir = mkdtempSync(join(tmpdir(), 'sigil-offline-'))
  mkdirSync(join(dir, 'docker'))
  env = {COSIGN_PASSWORD: 'pw', SIGIL_PASSWORD: undefined, HOME: dir, DOCKER_CONFIG: join(dir, 'docker'), SIGIL_DATA_DIR: join(dir, 'data')}
  expect((await sigil(['generate-key-pair', '--output-key-prefix', 'cosign'], {cwd: dir, env})).code).toBe(0)
})
afterAll(async () => {
  await proxy?.close()
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

const run = (args: string[]) => sigil(args, {cwd: dir, env})
let n = 0
const fresh = (name: string) => `${name}${++n}`

/**
 * `sigil ARGS` with no network: in a new empty network namespace (when allowed here) and with
 * every socket, DNS lookup and fetch refused and logged. `attempts` lists what was tried.
 */
async function offline(args: string[]): Promise<{code: number; stdout: string; stderr: string; attempts: string[]}> {
  const log = join(dir, `network-${++n}.log`)
  const vars = {...env, NODE_OPTIONS: `--import ${NO_NETWORK}`, SIGIL_TEST_NETWORK_LOG: log, OCLIF_DISABLE_LINKED_ESM_WARNING: '1'}
  const result = UNSHARE ? await runProgram('unshare', ['-rn', BIN, ...args], {cwd: dir, env: vars}) : await runProgram(BIN, args, {cwd: dir, env: vars})
  const attempts = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []
  return {...result, attempts}
}

const types = (stdout: string) => (JSON.parse(stdout.trim()) as Array<{critical: {type: string}}>).map((p) => p.critical.type).sort()
const LEGACY = 'cosign container image signature'
const BUNDLE = 'https://sigstore.dev/cosign/sign/v1'

function cosign2Verify(ref: string, extra: string[] = []) {
  return runCosign(['verify', '--key', 'cosign.pub', '--insecure-ignore-tlog=true', '--offline=true', '--allow-http-registry', ...extra, ref], {cwd: dir})
}

describe.skipIf(!cosign2 || !cosign3)('save, verify --local-image with no network, load: sigil, cosign 2.5 and cosign 3.1.1 agree', () => {
  test('the no-network guard catches a command that does reach for the network (the check below can fail)', async () => {
    const repository = fresh('offline/guard')
    await pushRandomImage(client, {registry: registry.host, repository}, 'v1')
    const r = await offline(['verify', '--key', 'cosign.pub', `${registry.host}/${repository}:v1`])
    expect(r.code).not.toBe(0)
    expect(r.attempts.length, r.stderr).toBeGreaterThan(0)
  })

  test('one image, both formats and a cosign 2.5 attestation: saved, verified from the layout offline, loaded elsewhere and verified there by all three', async () => {
    const repository = fresh('offline/app')
    const pushed = await pushRandomImage(client, {registry: registry.host, repository}, 'v1')
    const ref = `${registry.host}/${repository}:v1`
    expect((await run(['sign', '--key', 'cosign.key', '-y', ref])).code).toBe(0)
    expect((await run(['sign', '--key', 'cosign.key', '-y', '--new-bundle-format', ref])).code).toBe(0)
    const attest = await runCosign(['attest', '--key', 'cosign.key', '--tlog-upload=false', '--yes', '--allow-http-registry', '--predicate', '/dev/null', '--type', 'custom', ref], {cwd: dir, env: {COSIGN_PASSWORD: 'pw'}})
    expect(attest.code, attest.stderr).toBe(0)
    writeFileSync(join(dir, 'sbom.spdx.json'), '{"spdxVersion":"SPDX-2.3"}')
    const sbom = await runCosign(['attach', 'sbom', '--sbom', 'sbom.spdx.json', '--type', 'spdx', '--allow-http-registry', ref], {cwd: dir})
    expect(sbom.code, sbom.stderr).toBe(0)

    const layout = join(dir, fresh('layout'))
    const saved = await run(['save', '--json', '--dir', layout, ref])
    expect(saved.code, saved.stderr).toBe(0)
    expect(JSON.parse(saved.stdout)).toMatchObject({digest: pushed.digest, attachments: {sig: 1, att: 1, sbom: 1, referrers: 1}})
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as {manifests: Array<{digest: string; annotations?: Record<string, string>; artifactType?: string}>}
    expect(index.manifests.map((m) => m.annotations?.kind ?? m.artifactType)).toEqual([
      'dev.cosignproject.cosign/image',
      'dev.cosignproject.cosign/sigs',
      'dev.cosignproject.cosign/atts',
      'dev.cosignproject.cosign/sboms',
      'application/vnd.dev.sigstore.bundle.v0.3+json',
    ])
    expect(index.manifests[0]!.digest).toBe(pushed.digest)
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]) // nothing left beside it

    // Offline: both signatures verify from the layout, and nothing tried to reach the network.
    const local = await offline(['verify', '--key', 'cosign.pub', '--local-image', layout])
    expect(local.code, local.stderr).toBe(0)
    expect(local.attempts).toEqual([])
    expect(types(local.stdout)).toEqual([LEGACY, BUNDLE])
    expect(local.stderr).toContain(`Verification for ${layout} --`)
    // cosign 2.5 reads sigil's layout (legacy signature), and so does cosign 3.1.1.
    const c2local = await cosign2Verify(layout, ['--local-image'])
    expect(c2local.code, c2local.stderr).toBe(0)
    const c3local = await runCosign(['verify', '--key', 'cosign.pub', ...COSIGN3_VERIFY_KEY_ARGS, '--local-image', layout], {cwd: dir, cosign: cosign3})
    expect(c3local.code, c3local.stderr).toBe(0)

    // Loaded into another repository (no referrers API: the fallback index is written).
    const dest = `${registry.host}/${fresh('offline/copy')}:v2`
    const loaded = await run(['load', '--dir', layout, dest])
    expect(loaded.code, loaded.stderr).toBe(0)
    const destRepo = {registry: registry.host, repository: dest.slice(registry.host.length + 1, dest.lastIndexOf(':'))}
    const sbomTag = await client.getManifestIfExists(destRepo, `sha256-${pushed.digest.slice(7)}.sbom`)
    expect(sbomTag?.digest).toBe((await client.getManifest({registry: registry.host, repository}, `sha256-${pushed.digest.slice(7)}.sbom`)).digest)
    const verified = await run(['verify', '--key', 'cosign.pub', dest])
    expect(verified.code, verified.stderr).toBe(0)
    expect(types(verified.stdout)).toEqual([LEGACY, BUNDLE])
    const c2 = await cosign2Verify(dest)
    expect(c2.code, c2.stderr).toBe(0)
    expect(types(c2.stdout)).toEqual([LEGACY])
    const c2att = await runCosign(['verify-attestation', '--key', 'cosign.pub', '--type', 'custom', '--insecure-ignore-tlog=true', '--offline=true', '--allow-http-registry', dest], {cwd: dir})
    expect(c2att.code, c2att.stderr).toBe(0)
    const c3 = await runCosign(['verify', '--key', 'cosign.pub', ...COSIGN3_VERIFY_KEY_ARGS, dest], {cwd: dir, cosign: cosign3})
    expect(c3.code, c3.stderr).toBe(0)
    expect(types(c3.stdout)).toContain(BUNDLE)

    // Into a registry with the referrers API: no fallback index, and the bundle is found through the API.
    const viaApi = `${proxy.host}/${fresh('offline/api')}:v2`
    expect((await run(['load', '--dir', layout, viaApi])).code).toBe(0)
    expect(await client.getManifestIfExists({registry: registry.host, repository: viaApi.split('/').slice(1).join('/').split(':')[0]!}, `sha256-${pushed.digest.slice(7)}`)).toBeUndefined()
    const apiVerified = await run(['verify', '--key', 'cosign.pub', viaApi])
    expect(apiVerified.code, apiVerified.stderr).toBe(0)
    expect(types(apiVerified.stdout)).toEqual([LEGACY, BUNDLE])
  })

  test('attestations in both formats (sigil attest): verify-attestation --local-image with no network; verify-blob with no network', async () => {
    const repository = fresh('offline/attested')
    const pushed = await pushRandomImage(client, {registry: registry.host, repository}, 'v1')
    const ref = `${registry.host}/${repository}@${pushed.digest}`
    writeFileSync(join(dir, 'vuln.json'), JSON.stringify({scanner: {uri: 'https://example.com/scanner', version: '1'}}))
    writeFileSync(join(dir, 'sbom.cdx.json'), JSON.stringify({bomFormat: 'CycloneDX', specVersion: '1.5'}))
    expect((await run(['attest', '--key', 'cosign.key', '-y', '--type', 'vuln', '--predicate', 'vuln.json', ref])).code).toBe(0)
    expect((await run(['attest', '--key', 'cosign.key', '-y', '--new-bundle-format', '--type', 'cyclonedx', '--predicate', 'sbom.cdx.json', ref])).code).toBe(0)
    expect((await run(['sign', '--key', 'cosign.key', '-y', ref])).code).toBe(0)
    const layout = join(dir, fresh('layout'))
    expect((await run(['save', '--dir', layout, ref])).code).toBe(0)

    const all = await offline(['verify-attestation', '--key', 'cosign.pub', '--local-image', layout])
    expect(all.code, all.stderr).toBe(0)
    expect(all.attempts).toEqual([])
    const predicateTypes = all.stdout.trim().split('\n').map((line) => (JSON.parse(Buffer.from((JSON.parse(line) as {payload: string}).payload, 'base64').toString('utf8')) as {predicateType: string}).predicateType)
    expect(predicateTypes.sort()).toEqual(['https://cosign.sigstore.dev/attestation/vuln/v1', 'https://cyclonedx.org/bom'])
    const one = await offline(['verify-attestation', '--key', 'cosign.pub', '--type', 'cyclonedx', '--json', '--local-image', layout])
    expect(one.code, one.stderr).toBe(0)
    expect(one.attempts).toEqual([])
    expect((JSON.parse(one.stdout) as {images: Array<{attestations: Array<{predicateType: string; format: string}>}>}).images[0]!.attestations).toMatchObject([{predicateType: 'https://cyclonedx.org/bom', format: 'sigstore-bundle'}])
    // The image signature is not an attestation, and a type that is not there is exit 12, offline too.
    const none = await offline(['verify-attestation', '--key', 'cosign.pub', '--type', 'slsaprovenance', '--local-image', layout])
    expect(none.code).toBe(12)
    expect(none.attempts).toEqual([])

    // Files: verify-blob needs nothing but the file, the signature or bundle and the key.
    expect((await run(['sign-blob', '--key', 'cosign.key', '--output-signature', 'vuln.json.sig', '--bundle', 'vuln.json.sigstore.json', 'vuln.json'])).code).toBe(0)
    for (const args of [['--signature', 'vuln.json.sig'], ['--bundle', 'vuln.json.sigstore.json']]) {
      const v = await offline(['verify-blob', '--key', 'cosign.pub', ...args, 'vuln.json'])
      expect(v.code, v.stderr).toBe(0)
      expect(v.stderr).toBe('Verified OK\n')
      expect(v.attempts).toEqual([])
    }
    const tampered = await offline(['verify-blob', '--key', 'cosign.pub', '--signature', 'vuln.json.sig', 'sbom.cdx.json'])
    expect(tampered.code).toBe(12)
    expect(tampered.attempts).toEqual([])
  })

  test('a multi-platform index signed --recursive in both formats: every platform keeps its signatures through save and load', async () => {
    const repository = fresh('offline/multi')
    const pushed = await pushMultiPlatformImage(client, {registry: registry.host, repository}, 'v1')
    const ref = `${registry.host}/${repository}:v1`
    expect((await run(['sign', '--key', 'cosign.key', '-y', '--recursive', ref])).code).toBe(0)
    expect((await run(['sign', '--key', 'cosign.key', '-y', '--recursive', '--new-bundle-format', ref])).code).toBe(0)
    const layout = join(dir, fresh('layout'))
    const saved = await run(['save', '--json', '--dir', layout, ref])
    expect(saved.code, saved.stderr).toBe(0)
    const platforms = pushed.platforms.length
    expect(JSON.parse(saved.stdout)).toMatchObject({digest: pushed.digest, attachments: {sig: platforms + 1, referrers: platforms + 1}})

    const local = await offline(['verify', '--key', 'cosign.pub', '--local-image', layout])
    expect(local.code, local.stderr).toBe(0)
    expect(local.attempts).toEqual([])
    expect(types(local.stdout)).toEqual([LEGACY, BUNDLE])

    const destRepo = `${registry.host}/${fresh('offline/multicopy')}`
    expect((await run(['load', '--dir', layout, `${destRepo}:v2`])).code).toBe(0)
    expect((await client.resolveDigest({registry: registry.host, repository: destRepo.split('/').slice(1).join('/')}, 'v2')).digest).toBe(pushed.digest)
    for (const p of [pushed, ...pushed.platforms]) {
      const v = await run(['verify', '--key', 'cosign.pub', `${destRepo}@${p.digest}`])
      expect(v.code, v.stderr).toBe(0)
      expect(types(v.stdout)).toEqual([LEGACY, BUNDLE])
    }
    const child = `${destRepo}@${pushed.platforms[0]!.digest}`
    const c2 = await cosign2Verify(child)
    expect(c2.code, c2.stderr).toBe(0)
    const c3 = await runCosign(['verify', '--key', 'cosign.pub', ...COSIGN3_VERIFY_KEY_ARGS, child], {cwd: dir, cosign: cosign3})
    expect(c3.code, c3.stderr).toBe(0)
  })

  test("cosign 2.5's save loads with sigil and verifies from the layout offline; sigil's save loads with cosign 2.5", async () => {
    const repository = fresh('offline/peer')
    await pushRandomImage(client, {registry: registry.host, repository}, 'v1')
    const ref = `${registry.host}/${repository}:v1`
    expect((await run(['sign', '--key', 'cosign.key', '-y', ref])).code).toBe(0)
    const theirs = join(dir, fresh('cosign-layout'))
    const save = await runCosign(['save', '--allow-http-registry', '--dir', theirs, ref], {cwd: dir})
    expect(save.code, save.stderr).toBe(0)
    const local = await offline(['verify', '--key', 'cosign.pub', '--local-image', theirs])
    expect(local.code, local.stderr).toBe(0)
    expect(local.attempts).toEqual([])
    const dest = `${registry.host}/${fresh('offline/fromcosign')}:v1`
    expect((await run(['load', '--dir', theirs, dest])).code).toBe(0)
    expect((await run(['verify', '--key', 'cosign.pub', dest])).code).toBe(0)

    const ours = join(dir, fresh('layout'))
    expect((await run(['save', '--dir', ours, ref])).code).toBe(0)
    const cosignDest = `${registry.host}/${fresh('offline/bycosign')}:v1`
    const load = await runCosign(['load', '--allow-http-registry', '--dir', ours, cosignDest], {cwd: dir})
    expect(load.code, load.stderr).toBe(0)
    const c2 = await cosign2Verify(cosignDest)
    expect(c2.code, c2.stderr).toBe(0)
  })
})

describe.skipIf(!cosign3)('cosign 3.1.1 save (bundle referrers left out of index.json)', () => {
  test("sigil verifies cosign 3.1.1's layout offline and loads it with its bundle", async () => {
    const repository = fresh('offline/cosign3')
    await pushRandomImage(client, {registry: registry.host, repository}, 'v1')
    const ref = `${registry.host}/${repository}:v1`
    expect((await run(['sign', '--key', 'cosign.key', '-y', '--new-bundle-format', ref])).code).toBe(0)
    const theirs = join(dir, fresh('cosign3-layout'))
    const save = await runCosign(['save', '--allow-http-registry', '--dir', theirs, ref], {cwd: dir, cosign: cosign3})
    expect(save.code, save.stderr).toBe(0)
    expect((JSON.parse(readFileSync(join(theirs, 'index.json'), 'utf8')) as {manifests: unknown[]}).manifests).toHaveLength(1)
    const local = await offline(['verify', '--key', 'cosign.pub', '--local-image', theirs])
    expect(local.code, local.stderr).toBe(0)
    expect(local.attempts).toEqual([])
    expect(types(local.stdout)).toEqual([BUNDLE])
    const dest = `${registry.host}/${fresh('offline/fromcosign3')}:v1`
    expect((await run(['load', '--dir', theirs, dest])).code).toBe(0)
    const v = await run(['verify', '--key', 'cosign.pub', dest])
    expect(v.code, v.stderr).toBe(0)
    expect(types(v.stdout)).toEqual([BUNDLE])
  })
})

describe('bad input: a clear error, the right exit code, nothing half-written or half-pushed', () => {
  let layout: string
  let ref: string
  let digest: string
  beforeAll(async () => {
    const repository = fresh('offline/bad')
    digest = (await pushRandomImage(client, {registry: registry.host, repository}, 'v1')).digest
    ref = `${registry.host}/${repository}:v1`
    expect((await run(['sign', '--key', 'cosign.key', '-y', ref])).code).toBe(0)
    layout = join(dir, fresh('layout'))
    expect((await run(['save', '--dir', layout, ref])).code).toBe(0)
  })

  /** A copy of the good layout, damaged by `damage`. */
  function damaged(damage: (copy: string) => void): string {
    const copy = join(dir, fresh('damaged'))
    spawnSync('cp', ['-r', layout, copy])
    damage(copy)
    return copy
  }
  const blobs = (d: string) => join(d, 'blobs', 'sha256')
  /** The image's layer: the largest blob. */
  const largest = (d: string) => join(blobs(d), readdirSync(blobs(d)).sort((a, b) => statSync(join(blobs(d), b)).size - statSync(join(blobs(d), a)).size)[0]!)
  const noTrace = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at |node:internal/)

  async function expectNothingPushed(repository: string) {
    const repo = {registry: registry.host, repository}
    expect(await client.getManifestIfExists(repo, 'v1')).toBeUndefined()
    expect(await client.getManifestIfExists(repo, `sha256-${digest.slice(7)}.sig`)).toBeUndefined()
  }

  test.each([
    ['a missing blob', (d: string) => rmSync(largest(d)), /incomplete: blob sha256:[0-9a-f]{64} is missing/],
    ['a blob whose content is not its digest', (d: string) => {
      const f = largest(d)
      const bytes = readFileSync(f)
      bytes[10] = bytes[10]! ^ 1
      writeFileSync(f, bytes)
    }, /corrupt: blob sha256:[0-9a-f]{64} does not match its digest/],
    ['a truncated index.json', (d: string) => truncateSync(join(d, 'index.json'), 40), /index\.json: invalid index\.json: not JSON/],
    ['no oci-layout file (not a layout)', (d: string) => rmSync(join(d, 'oci-layout')), /is not an OCI image layout: it has no oci-layout file/],
  ] as const)('load and verify --local-image of a layout with %s: exit 1, nothing pushed', async (_name, damage, message) => {
    const bad = damaged(damage)
    const repository = fresh('offline/bad-dest')
    const load = await run(['load', '--dir', bad, `${registry.host}/${repository}:v1`])
    expect(load.code).toBe(1)
    expect(load.stderr).toMatch(message)
    noTrace(load.stderr)
    await expectNothingPushed(repository)
    const verify = await offline(['verify', '--key', 'cosign.pub', '--local-image', bad])
    expect(verify.code).toBe(1)
    expect(verify.stderr).not.toContain('no signatures')
    expect(verify.attempts).toEqual([])
    noTrace(verify.stderr)
  })

  test('a directory that does not exist, or a file: exit 1, a clear error', async () => {
    const missing = await offline(['verify', '--key', 'cosign.pub', '--local-image', join(dir, 'nowhere')])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/nowhere: no such directory/)
    const load = await run(['load', '--dir', join(dir, 'cosign.pub'), `${registry.host}/offline/x:v1`])
    expect(load.code).toBe(1)
    expect(load.stderr).toMatch(/is not a directory/)
  })

  test('save refuses a non-empty directory that is not a layout, and an existing layout without --force; --force replaces it whole', async () => {
    const busy = join(dir, fresh('busy'))
    mkdirSync(busy)
    writeFileSync(join(busy, 'notes.txt'), 'mine')
    const r = await run(['save', '--dir', busy, ref])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/is not empty and is not an OCI image layout/)
    expect(readdirSync(busy)).toEqual(['notes.txt'])
    const again = await run(['save', '--dir', layout, ref])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/already holds an OCI image layout; pass --force/)
    writeFileSync(join(layout, 'stale'), 'x')
    const forced = await run(['save', '--force', '--dir', layout, ref])
    expect(forced.code, forced.stderr).toBe(0)
    expect(existsSync(join(layout, 'stale'))).toBe(false)
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.old'))).toEqual([])
  })

  test('save where the layout cannot be written (its parent is a file): exit 1, nothing left behind', async () => {
    const r = await run(['save', '--dir', join(dir, 'cosign.pub', 'layout'), ref])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/cannot write the layout .*cosign\.pub\/layout/)
    noTrace(r.stderr)
  })

  test('save of an image that does not exist: exit 11, no layout', async () => {
    const target = join(dir, fresh('none'))
    const r = await run(['save', '--dir', target, `${registry.host}/offline/none:v1`])
    expect(r.code).toBe(11)
    expect(existsSync(target)).toBe(false)
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  test('verify --local-image takes an env:// key; load to a digest that is not the layout image is a usage error (exit 2), nothing pushed', async () => {
    const pem = readFileSync(join(dir, 'cosign.pub'), 'utf8')
    env.SIGIL_TEST_PUB = pem
    try {
      const r = await offline(['verify', '--key', 'env://SIGIL_TEST_PUB', '--local-image', layout])
      expect(r.code, r.stderr).toBe(0)
      expect(r.attempts).toEqual([])
    } finally {
      delete env.SIGIL_TEST_PUB
    }
    const repository = fresh('offline/bad-digest')
    const wrong = `${registry.host}/${repository}@sha256:${'0'.repeat(64)}`
    const load = await run(['load', '--dir', layout, wrong])
    expect(load.code).toBe(2)
    expect(load.stderr).toContain(`the layout holds ${digest}`)
    await expectNothingPushed(repository)
  })

  test('verify --local-image: a KMS key or a key URL is refused (exit 2) before anything is read; an unsigned layout is exit 10', async () => {
    const kms = await offline(['verify', '--key', 'awskms:///alias/release', '--local-image', layout])
    expect(kms.code).toBe(2)
    expect(kms.stderr).toMatch(/the key must be local .*sigil public-key --key awskms:\/\/\/alias\/release > key\.pub/)
    expect(kms.attempts).toEqual([])
    const url = await offline(['verify', '--key', 'https://example.com/key.pub', '--local-image', layout])
    expect(url.code).toBe(2)
    expect(url.attempts).toEqual([])
    const repository = fresh('offline/unsigned')
    await pushRandomImage(client, {registry: registry.host, repository}, 'v1')
    const unsigned = join(dir, fresh('layout'))
    expect((await run(['save', '--dir', unsigned, `${registry.host}/${repository}:v1`])).code).toBe(0)
    const none = await offline(['verify', '--key', 'cosign.pub', '--local-image', unsigned])
    expect(none.code).toBe(10)
    expect(none.attempts).toEqual([])
    const two = await offline(['verify', '--key', 'cosign.pub', '--local-image', unsigned, layout])
    expect(two.code).toBe(2)
  })
})
