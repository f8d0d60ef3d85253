/**
 * cosign 3.1.1 signs images as sigstore bundles in OCI 1.1 referrers; `sigil verify` reads them
 * (and the legacy `.sig` tag) through the binary, against the real registry (tag-schema
 * fallback) and through a loopback proxy that serves the referrers API.
 */
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {
  COSIGN3_VERIFY_KEY_ARGS,
  cosign3SignArgs,
  cosign3SigningConfig,
  pushRandomImage,
  requireCosign3,
  requireRegistry,
  runCosign,
  startReferrersProxy,
  startRegistry,
} from '@sigil/test-servers'
import type {ReferrersProxy, TestRegistry} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

const cosign3 = requireCosign3()
let registry: TestRegistry
let proxy: ReferrersProxy
let dir: string
let signingConfig: string
const env = {COSIGN_PASSWORD: 'pw', SIGIL_PASSWORD: undefined}
const client = new RegistryClient()

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  proxy = await startReferrersProxy(registry)
  dir = mkdtempSync(join(tmpdir(), 'sigil-cosign3-'))
  for (const name of ['cosign', 'other']) expect((await sigil(['generate-key-pair', '--output-key-prefix', name], {cwd: dir, env})).code).toBe(0)
  signingConfig = await cosign3SigningConfig(dir)
})
afterAll(async () => {
  await proxy?.close()
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

let n = 0
async function image(host = registry.host): Promise<{ref: string; digest: string}> {
  const repository = `cosign3/app${++n}`
  const {digest} = await pushRandomImage(client, {registry: registry.host, repository}, 'v1')
  return {ref: `${host}/${repository}@${digest}`, digest}
}

function cosign3Sign(ref: string, extra: string[] = []) {
  return runCosign(['sign', '--key', 'cosign.key', ...cosign3SignArgs(signingConfig), ...extra, ref], {cwd: dir, env: {COSIGN_PASSWORD: 'pw'}, cosign: cosign3})
}

describe.skipIf(!cosign3)('verify what cosign 3.1.1 signs (bundles as referrers)', () => {
  test('on a registry without the referrers API (tag schema): exit 0, and stdout as cosign 3 prints it', async () => {
    const {ref, digest} = await image()
    const s = await cosign3Sign(ref, ['-a', 'env=prod'])
    expect(s.code, s.stderr).toBe(0)
    const v = await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir})
    expect(v.code, v.stderr).toBe(0)
    const theirs = await runCosign(['verify', '--key', 'cosign.pub', ...COSIGN3_VERIFY_KEY_ARGS, ref], {cwd: dir, cosign: cosign3})
    expect(theirs.code, theirs.stderr).toBe(0)
    expect(v.stdout.trim()).toBe(theirs.stdout.trim())
    expect(JSON.parse(v.stdout)).toEqual([
      {critical: {identity: {'docker-reference': ref}, image: {'docker-manifest-digest': digest}, type: 'https://sigstore.dev/cosign/sign/v1'}, optional: {env: 'prod'}},
    ])
    const wantAnnotation = await sigil(['verify', '--key', 'cosign.pub', '-a', 'env=staging', ref], {cwd: dir})
    expect(wantAnnotation.code).toBe(12)
  })

  test('another key: exit 12 (no matching signatures), not an error', async () => {
    const {ref} = await image()
    expect((await cosign3Sign(ref)).code).toBe(0)
    const v = await sigil(['verify', '--key', 'other.pub', ref], {cwd: dir})
    expect(v.code).toBe(12)
    expect(v.stderr).toMatch(/^Error: no matching signatures: bundle .* was made with another key/)
  })

  test('an attestation made with the signing key is not an image signature (cosign 3 counts it)', async () => {
    const {ref} = await image()
    writeFileSync(join(dir, 'predicate.json'), JSON.stringify({buildType: 'https://example.com/build'}))
    const a = await runCosign(['attest', '--key', 'cosign.key', '--predicate', 'predicate.json', '--type', 'custom', ...cosign3SignArgs(signingConfig), ref], {
      cwd: dir,
      env: {COSIGN_PASSWORD: 'pw'},
      cosign: cosign3,
    })
    expect(a.code, a.stderr).toBe(0)
    const attestedOnly = await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir})
    expect(attestedOnly.code, attestedOnly.stderr).toBe(10)
    expect((await cosign3Sign(ref)).code).toBe(0)
    const v = await sigil(['verify', '--key', 'cosign.pub', '--json', ref], {cwd: dir})
    expect(v.code, v.stderr).toBe(0)
    expect(JSON.parse(v.stdout).images[0].signatures).toHaveLength(1)
  })

  test('a legacy sigil signature and a cosign 3 bundle on one image: both are found', async () => {
    const {ref} = await image()
    expect((await sigil(['sign', '--key', 'other.key', ref], {cwd: dir, env})).code).toBe(0)
    expect((await cosign3Sign(ref)).code).toBe(0)
    for (const key of ['cosign.pub', 'other.pub']) {
      const v = await sigil(['verify', '--key', key, '--json', ref], {cwd: dir})
      expect(v.code, `${key}: ${v.stderr}`).toBe(0)
      expect(JSON.parse(v.stdout).images[0].signatures).toHaveLength(1)
    }
  })

  test('through a registry with the referrers API: read from the API, no fallback tag', async () => {
    const {ref} = await image(proxy.host)
    expect((await cosign3Sign(ref)).code).toBe(0)
    proxy.take()
    const v = await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir})
    expect(v.code, v.stderr).toBe(0)
    const requests = proxy.take()
    expect(requests.some((r) => r.startsWith('GET /v2/cosign3/') && r.includes('/referrers/'))).toBe(true)
    expect(requests.some((r) => /manifests\/sha256-[0-9a-f]{64}$/.test(r))).toBe(false)
  })

  test("sigil's legacy .sig signature verifies with cosign 3.1.1 too", async () => {
    const {ref} = await image()
    expect((await sigil(['sign', '--key', 'cosign.key', ref], {cwd: dir, env})).code).toBe(0)
    const theirs = await runCosign(['verify', '--key', 'cosign.pub', ...COSIGN3_VERIFY_KEY_ARGS, ref], {cwd: dir, cosign: cosign3})
    expect(theirs.code, theirs.stderr).toBe(0)
    expect(JSON.parse(theirs.stdout)).toHaveLength(1)
  })

  test('bundles and legacy signatures of both tools on one image: each tool sees what it should', async () => {
    const {ref} = await image()
    expect((await sigil(['sign', '--key', 'other.key', '--new-bundle-format', ref], {cwd: dir, env})).code).toBe(0)
    expect((await cosign3Sign(ref)).code).toBe(0)
    // cosign 3 reads bundles when there are any: both keys' bundles are there.
    for (const key of ['cosign.pub', 'other.pub']) {
      const theirs = await runCosign(['verify', '--key', key, ...COSIGN3_VERIFY_KEY_ARGS, ref], {cwd: dir, cosign: cosign3})
      expect(theirs.code, `${key}: ${theirs.stderr}`).toBe(0)
      const ours = await sigil(['verify', '--key', key, ref], {cwd: dir})
      expect(ours.code, `${key}: ${ours.stderr}`).toBe(0)
      expect(ours.stdout.trim()).toBe(theirs.stdout.trim())
    }
    // A legacy signature added on top: sigil sees it beside the bundles.
    expect((await sigil(['sign', '--key', 'cosign.key', ref], {cwd: dir, env})).code).toBe(0)
    const all = await sigil(['verify', '--key', 'cosign.pub', '--json', ref], {cwd: dir})
    expect(JSON.parse(all.stdout).images[0].signatures).toHaveLength(2)
  })

  test('a referrer deleted after it was listed is skipped; the other signatures still verify', async () => {
    const {ref, digest} = await image()
    expect((await sigil(['sign', '--key', 'other.key', '--new-bundle-format', ref], {cwd: dir, env})).code).toBe(0)
    expect((await cosign3Sign(ref)).code).toBe(0)
    const repo = {registry: registry.host, repository: ref.slice(registry.host.length + 1, ref.indexOf('@'))}
    const index = JSON.parse(Buffer.from((await client.getManifest(repo, `sha256-${digest.slice(7)}`)).bytes).toString('utf8')) as {manifests: Array<{digest: string}>}
    expect(index.manifests).toHaveLength(2)
    // Delete the referrer made with other.key (its bundle names that key's hint).
    for (const m of index.manifests) {
      const manifest = JSON.parse(Buffer.from((await client.getManifest(repo, m.digest)).bytes).toString('utf8')) as {layers: Array<{digest: string}>}
      const bundle = Buffer.from(await client.getBlob(repo, manifest.layers[0]!.digest)).toString('utf8')
      const mine = await sigil(['public-key', '--key', 'other.pub'], {cwd: dir})
      const hint = createHash('sha256').update(Buffer.from(mine.stdout.replace(/-----[^-]+-----|\s/g, ''), 'base64')).digest('base64')
      if (bundle.includes(hint)) await client.deleteManifest(repo, m.digest)
    }
    expect((await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir})).code).toBe(0)
    // The image still has a signature, just none by other.key: 12, not 10.
    expect((await sigil(['verify', '--key', 'other.pub', ref], {cwd: dir})).code).toBe(12)
  })

  test('a fallback tag that is not an index is a registry fault (exit 1), never "no signatures"', async () => {
    const {ref, digest} = await image()
    const repo = {registry: registry.host, repository: ref.slice(registry.host.length + 1, ref.indexOf('@'))}
    // The fallback tag holds an image manifest (the image's own), not a referrers index.
    const own = await client.getManifest(repo, digest)
    await client.putManifest(repo, `sha256-${digest.slice(7)}`, own.bytes, own.mediaType)
    const v = await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir})
    expect(v.code).toBe(1)
    expect(v.stderr).toMatch(/^Error: .*sha256-[0-9a-f]{64}: /)
    expect(v.stderr).not.toContain('no signatures')
  })
})

describe.skipIf(!cosign3)("sign --new-bundle-format writes what cosign 3.1.1 writes", () => {
  test('cosign 3 verifies it, sigil verifies it; on a registry without the API: 9 requests, the index tag lists it', async () => {
    proxy.setReferrersApi(false, {ociSubject: false})
    try {
      const {ref, digest} = await image(proxy.host)
      proxy.take()
      const s = await sigil(['sign', '--key', 'cosign.key', '--new-bundle-format', '-a', 'env=prod', ref], {cwd: dir, env})
      expect(s.code, s.stderr).toBe(0)
      const requests = proxy.take()
      expect(requests.length, requests.join('\n')).toBeLessThanOrEqual(9)
      const theirs = await runCosign(['verify', '--key', 'cosign.pub', ...COSIGN3_VERIFY_KEY_ARGS, ref], {cwd: dir, cosign: cosign3})
      expect(theirs.code, theirs.stderr).toBe(0)
      const ours = await sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir})
      expect(ours.code, ours.stderr).toBe(0)
      expect(ours.stdout.trim()).toBe(theirs.stdout.trim())
      expect(JSON.parse(ours.stdout)[0].optional).toEqual({env: 'prod'})
      const repo = {registry: registry.host, repository: ref.slice(proxy.host.length + 1, ref.indexOf('@'))}
      const index = JSON.parse(Buffer.from((await client.getManifest(repo, `sha256-${digest.slice(7)}`)).bytes).toString('utf8')) as {manifests: unknown[]}
      expect(index.manifests).toHaveLength(1)
    } finally {
      proxy.setReferrersApi(true)
    }
  })

  test('on a registry with the referrers API: no index tag is written, and cosign 3 finds it through the API', async () => {
    const {ref, digest} = await image(proxy.host)
    const s = await sigil(['sign', '--key', 'cosign.key', '--new-bundle-format', ref], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    const repo = {registry: registry.host, repository: ref.slice(proxy.host.length + 1, ref.indexOf('@'))}
    expect(await client.getManifestIfExists(repo, `sha256-${digest.slice(7)}`)).toBeUndefined()
    const theirs = await runCosign(['verify', '--key', 'cosign.pub', ...COSIGN3_VERIFY_KEY_ARGS, ref], {cwd: dir, cosign: cosign3})
    expect(theirs.code, theirs.stderr).toBe(0)
  })

  test('the user default in config.json (signatureFormat: bundle) makes sign write bundles; --no-new-bundle-format overrides it', async () => {
    const config = join(dir, 'config-bundle')
    mkdirSync(config, {recursive: true})
    writeFileSync(join(config, 'config.json'), '{"signatureFormat": "bundle"}')
    const {ref, digest} = await image()
    const repo = {registry: registry.host, repository: ref.slice(registry.host.length + 1, ref.indexOf('@'))}
    expect((await sigil(['sign', '--key', 'cosign.key', ref], {cwd: dir, env: {...env, SIGIL_CONFIG_DIR: config}})).code).toBe(0)
    expect(await client.getManifestIfExists(repo, `sha256-${digest.slice(7)}`)).toBeDefined()
    expect(await client.getManifestIfExists(repo, `sha256-${digest.slice(7)}.sig`)).toBeUndefined()
    expect((await sigil(['sign', '--key', 'cosign.key', '--no-new-bundle-format', ref], {cwd: dir, env: {...env, SIGIL_CONFIG_DIR: config}})).code).toBe(0)
    expect(await client.getManifestIfExists(repo, `sha256-${digest.slice(7)}.sig`)).toBeDefined()
    const theirs = await runCosign(['verify', '--key', 'cosign.pub', ...COSIGN3_VERIFY_KEY_ARGS, ref], {cwd: dir, cosign: cosign3})
    expect(theirs.code, theirs.stderr).toBe(0)
  })

  test('8 signers at once on one image (no referrers API): every signature survives and verifies', async () => {
    const {ref, digest} = await image()
    const keys = Array.from({length: 8}, (_, i) => `racer${i}`)
    await Promise.all(keys.map((k) => sigil(['generate-key-pair', '--output-key-prefix', k], {cwd: dir, env})))
    const results = await Promise.all(keys.map((k) => sigil(['sign', '--key', `${k}.key`, '--new-bundle-format', ref], {cwd: dir, env})))
    for (const r of results) expect(r.code, r.stderr).toBe(0)
    const repo = {registry: registry.host, repository: ref.slice(registry.host.length + 1, ref.indexOf('@'))}
    const index = JSON.parse(Buffer.from((await client.getManifest(repo, `sha256-${digest.slice(7)}`)).bytes).toString('utf8')) as {manifests: unknown[]}
    expect(index.manifests).toHaveLength(8)
    for (const k of keys) {
      const v = await sigil(['verify', '--key', `${k}.pub`, ref], {cwd: dir})
      expect(v.code, `${k}: ${v.stderr}`).toBe(0)
    }
  })
})
