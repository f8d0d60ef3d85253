/** `sigil tree`: signatures, attestations and SBOMs attached to an image, through the binary. */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {cosign3SignArgs, cosign3SigningConfig, pushRandomImage, requireCosign, requireCosign3, requireRegistry, runCosign, startReferrersProxy, startRegistry} from '@sigil/test-servers'
import type {ReferrersProxy, TestRegistry} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

const cosign = requireCosign()
const cosign3 = requireCosign3()
let registry: TestRegistry
/** The registry through a counting proxy without the referrers API. */
let proxy: ReferrersProxy
let dir: string
const env = {COSIGN_PASSWORD: 'pw', SIGIL_PASSWORD: undefined}

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  proxy = await startReferrersProxy(registry, {referrersApi: false})
  dir = mkdtempSync(join(tmpdir(), 'sigil-tree-'))
  for (const name of ['alice', 'bob']) expect((await sigil(['generate-key-pair', '--output-key-prefix', name], {cwd: dir, env})).code).toBe(0)
})
afterAll(async () => {
  await proxy?.close()
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

describe('sigil tree', () => {
  test('an image with nothing attached says so (exit 0)', async () => {
    const {digest} = await pushRandomImage(new RegistryClient(), {registry: registry.host, repository: 'tree/bare'}, 'v1')
    const r = await sigil(['tree', `${registry.host}/tree/bare:v1`], {cwd: dir})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(`No supply chain security related artifacts found for ${registry.host}/tree/bare@${digest}; sign it with: sigil sign --key cosign.key ${registry.host}/tree/bare@${digest}\n`)
  })

  test('two signatures are two layers under the .sig tag; --json gives the same', async () => {
    const client = new RegistryClient()
    const {digest} = await pushRandomImage(client, {registry: registry.host, repository: 'tree/signed'}, 'v1')
    const ref = `${registry.host}/tree/signed:v1`
    for (const key of ['alice.key', 'bob.key']) expect((await sigil(['sign', '--key', key, ref], {cwd: dir, env})).code).toBe(0)
    const sig = await client.getManifest({registry: registry.host, repository: 'tree/signed'}, `sha256-${digest.slice(7)}.sig`)
    const layers = (JSON.parse(Buffer.from(sig.bytes).toString('utf8')) as {layers: Array<{digest: string}>}).layers.map((l) => l.digest)
    expect(layers).toHaveLength(2)

    const r = await sigil(['tree', ref], {cwd: dir})
    expect(r.code, r.stderr).toBe(0)
    // As cosign prints it: the reference as given, then each layer (├──, the last └──).
    expect(r.stdout).toBe(
      [
        `📦 Supply Chain Security Related artifacts for an image: ${ref}`,
        `└── 🔐 Signatures for an image tag: ${registry.host}/tree/signed:sha256-${digest.slice(7)}.sig`,
        `   ├── 🍒 ${layers[0]}`,
        `   └── 🍒 ${layers[1]}`,
        '',
      ].join('\n'),
    )
    if (cosign) {
      const theirs = await runCosign(['tree', '--allow-http-registry', ref], {cwd: dir})
      expect(theirs.stdout).toBe(r.stdout)
    }
    const j = await sigil(['tree', '--json', ref], {cwd: dir})
    expect(JSON.parse(j.stdout)).toMatchObject({digest, branches: [{kind: 'signature', layers: layers.map((d) => ({digest: d}))}]})
  })

  test.skipIf(!cosign)("an attestation made by cosign shows under the .att tag", async () => {
    const {digest} = await pushRandomImage(new RegistryClient(), {registry: registry.host, repository: 'tree/attested'}, 'v1')
    const ref = `${registry.host}/tree/attested@${digest}`
    writeFileSync(join(dir, 'predicate.json'), JSON.stringify({buildType: 'https://example.com/build'}))
    const a = await runCosign(['attest', '--key', 'alice.key', '--predicate', 'predicate.json', '--type', 'custom', '--tlog-upload=false', '--yes', '--allow-http-registry', ref], {cwd: dir, env: {COSIGN_PASSWORD: 'pw'}})
    expect(a.code, a.stderr).toBe(0)
    const r = await sigil(['tree', '--json', ref], {cwd: dir})
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({branches: [{kind: 'attestation', location: `${registry.host}/tree/attested:sha256-${digest.slice(7)}.att`, layers: [{mediaType: 'application/vnd.dsse.envelope.v1+json'}]}]})
  })

  test("cosign 3's format: a bundle signature made with --new-bundle-format shows as a referrer", async () => {
    const {digest} = await pushRandomImage(new RegistryClient(), {registry: registry.host, repository: 'tree/bundled'}, 'v1')
    const ref = `${registry.host}/tree/bundled@${digest}`
    expect((await sigil(['sign', '--key', 'alice.key', '--new-bundle-format', ref], {cwd: dir, env})).code).toBe(0)
    const r = await sigil(['tree', '--json', ref], {cwd: dir})
    expect(r.code, r.stderr).toBe(0)
    const tree = JSON.parse(r.stdout) as {branches: Array<{kind: string; location: string; layers: Array<{mediaType: string}>}>}
    expect(tree.branches).toHaveLength(1)
    expect(tree.branches[0]).toMatchObject({kind: 'signature', location: expect.stringMatching(new RegExp(`^${registry.host}/tree/bundled@sha256:[0-9a-f]{64}$`)), layers: [{mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json'}]})
    const text = await sigil(['tree', ref], {cwd: dir})
    expect(text.stdout).toContain(`└── 🔗 https://sigstore.dev/cosign/sign/v1 artifacts via OCI referrer: ${tree.branches[0]!.location}\n`)
  })

  test.skipIf(!cosign || !cosign3)("signatures, attestations and an SBOM in both formats: sigil's tree prints what cosign 2.5's and 3.1.1's print", async () => {
    const {digest} = await pushRandomImage(new RegistryClient(), {registry: registry.host, repository: 'tree/everything'}, 'v1')
    const ref = `${registry.host}/tree/everything@${digest}`
    writeFileSync(join(dir, 'slsa.json'), readFileSync(new URL('../../../../shared/spec/vectors/cosign3/attestation/predicate-slsa02.json', import.meta.url)))
    writeFileSync(join(dir, 'sbom.spdx.json'), JSON.stringify({spdxVersion: 'SPDX-2.3', name: 'x'}))
    const cenv = {COSIGN_PASSWORD: 'pw'}
    const run = async (args: string[], bin?: string) => {
      const r = await runCosign(args, {cwd: dir, env: cenv, ...(bin === undefined ? {} : {cosign: bin})})
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
      return r
    }
    expect((await sigil(['sign', '--key', 'alice.key', ref], {cwd: dir, env})).code).toBe(0)
    await run(['attest', '--key', 'alice.key', '--predicate', 'slsa.json', '--type', 'slsaprovenance', '--tlog-upload=false', '--yes', '--allow-http-registry', ref])
    await run(['attach', 'sbom', '--sbom', 'sbom.spdx.json', '--type', 'spdx', '--allow-http-registry', ref])
    const config = await cosign3SigningConfig(dir)
    await run(['sign', '--key', 'bob.key', ...cosign3SignArgs(config), ref], cosign3)
    await run(['attest', '--key', 'bob.key', '--predicate', 'slsa.json', '--type', 'slsaprovenance', ...cosign3SignArgs(config), ref], cosign3)
    const ours = await sigil(['tree', ref], {cwd: dir})
    expect(ours.code, ours.stderr).toBe(0)
    // cosign prints its branches in Go map order (random); sigil prints the legacy tags
    // (signatures, attestations, SBOMs), then the referrers. Same lines, same branches.
    const branchesOf = (out: string): string[] => out.trimEnd().split(/\n(?=└── )/).slice(1).sort()
    const header = ours.stdout.split('\n')[0]
    expect(header).toBe(`📦 Supply Chain Security Related artifacts for an image: ${ref}`)
    const theirs3 = await run(['tree', '--allow-http-registry', ref], cosign3)
    expect(theirs3.stdout.split('\n')[0]).toBe(header)
    expect(branchesOf(ours.stdout)).toEqual(branchesOf(theirs3.stdout))
    expect(branchesOf(ours.stdout)).toHaveLength(5)
    expect(ours.stdout).toContain('└── 🔗 https://sigstore.dev/cosign/sign/v1 artifacts via OCI referrer: ')
    expect(ours.stdout).toContain('└── 🔗 https://slsa.dev/provenance/v0.2 artifacts via OCI referrer: ')
    // cosign 2.5 knows only the legacy tags: those three branches, the same.
    const theirs2 = await run(['tree', '--allow-http-registry', ref])
    expect(branchesOf(theirs2.stdout)).toEqual(branchesOf(ours.stdout).filter((b) => !b.includes('via OCI referrer')))
    // The first branches are the tags, in sigil's order.
    expect(ours.stdout.split('\n').filter((l) => l.startsWith('└── ')).map((l) => l.slice(4, 6))).toEqual(['🔐', '💾', '📦', '🔗', '🔗'])
    const j = JSON.parse((await sigil(['tree', '--json', ref], {cwd: dir})).stdout) as {branches: Array<{kind: string; predicateType?: string}>}
    expect(j.branches.map((b) => [b.kind, b.predicateType])).toEqual([
      ['signature', undefined],
      ['attestation', undefined],
      ['sbom', undefined],
      ['signature', 'https://sigstore.dev/cosign/sign/v1'],
      ['attestation', 'https://slsa.dev/provenance/v0.2'],
    ])
  })

  test('referrers in the sha256-<hex> index: tree reads the index once and each referrer once, for every kind', async () => {
    const {digest} = await pushRandomImage(new RegistryClient(), {registry: proxy.host, repository: 'tree/counted'}, 'v1')
    const ref = `${proxy.host}/tree/counted@${digest}`
    writeFileSync(join(dir, 'counted.json'), JSON.stringify({buildType: 'https://example.com/build'}))
    for (const key of ['alice.key', 'bob.key']) expect((await sigil(['sign', '--key', key, '--new-bundle-format', ref], {cwd: dir, env})).code).toBe(0)
    expect((await sigil(['attest', '--key', 'alice.key', '--new-bundle-format', '--predicate', 'counted.json', '--type', 'custom', ref], {cwd: dir, env})).code).toBe(0)
    proxy.take()
    // A fresh cache: nothing known about the proxy's referrers API, so it is asked (once).
    const r = await sigil(['tree', ref], {cwd: dir, env: {SIGIL_CACHE_DIR: mkdtempSync(join(dir, 'cache-'))}})
    expect(r.code, r.stderr).toBe(0)
    const requests = proxy.take()
    console.info(`tree of an image with 3 referrers in the sha256-<hex> index: ${requests.length} requests\n  ${requests.join('\n  ')}`)
    const index = `/v2/tree/counted/manifests/sha256-${digest.slice(7)}`
    expect(requests.filter((q) => q === `GET ${index}`)).toHaveLength(1)
    expect(requests.filter((q) => q.includes('/referrers/'))).toHaveLength(1)
    const referrers = r.stdout.split('\n').flatMap((l) => /via OCI referrer: .*@(sha256:[0-9a-f]{64})$/.exec(l)?.[1] ?? [])
    expect(referrers).toHaveLength(3)
    for (const d of referrers) expect(requests.filter((q) => q === `GET /v2/tree/counted/manifests/${d}`), d).toHaveLength(1)
    expect(r.stdout).toContain('└── 🔗 https://sigstore.dev/cosign/sign/v1 artifacts via OCI referrer: ')
    if (cosign3) {
      const theirs = await runCosign(['tree', '--allow-http-registry', ref], {cwd: dir, cosign: cosign3})
      expect(theirs.code, theirs.stderr).toBe(0)
      const branchesOf = (out: string): string[] => out.trimEnd().split(/\n(?=└── )/).slice(1).sort()
      expect(branchesOf(r.stdout)).toEqual(branchesOf(theirs.stdout))
      expect(r.stdout.split('\n')[0]).toBe(theirs.stdout.split('\n')[0])
    }
  })

  test('a registry that is down is an error (exit 1), not "nothing attached"', async () => {
    const r = await sigil(['tree', '127.0.0.1:9/tree/app:v1'], {cwd: dir})
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^Error: .*127\.0\.0\.1:9/)
    expect(r.stdout).toBe('')
  })

  test('an image that does not exist: exit 11, as verify', async () => {
    const r = await sigil(['tree', `${registry.host}/tree/none:v1`], {cwd: dir})
    expect(r.code).toBe(11)
  })
})
