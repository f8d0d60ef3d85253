/** `sigil tree`: signatures, attestations and SBOMs attached to an image, through the binary. */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {pushRandomImage, requireCosign, requireRegistry, runCosign, startRegistry} from '@sigil/test-servers'
import type {TestRegistry} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

const cosign = requireCosign()
let registry: TestRegistry
let dir: string
const env = {COSIGN_PASSWORD: 'pw', SIGIL_PASSWORD: undefined}

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  dir = mkdtempSync(join(tmpdir(), 'sigil-tree-'))
  for (const name of ['alice', 'bob']) expect((await sigil(['generate-key-pair', '--output-key-prefix', name], {cwd: dir, env})).code).toBe(0)
})
afterAll(async () => {
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
    expect(r.stdout).toBe(
      [
        `📦 Supply Chain Security Related artifacts for an image: ${registry.host}/tree/signed@${digest}`,
        `└── 🔐 Signatures for an image tag: ${registry.host}/tree/signed:sha256-${digest.slice(7)}.sig`,
        ...layers.map((d) => `   └── 🍒 ${d}`),
        '',
      ].join('\n'),
    )
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
    expect(text.stdout).toContain('└── 🔐 Signatures for an image referrer: ')
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
