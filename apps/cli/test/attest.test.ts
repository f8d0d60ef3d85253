/**
 * `sigil attest` / `verify-attestation` / `attest-blob` / `verify-blob-attestation` through the
 * built binary against the real registry: both storage formats, --replace, the type filter,
 * signatures and attestations never counted as each other, bad input, and an AWS KMS key.
 */
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {parseSignatureManifest, referrersTag, signatureTag} from '@sigil/core'
import {RegistryClient} from '@sigil/oci'
import {AWS_OFFLINE_ENV, GCP_OFFLINE_ENV, pushRandomImage, requireRegistry, startAwsKmsServer, startFaultProxy, startGcpKmsServer, startRegistry} from '@sigil/test-servers'
import type {AwsKmsTestServer, FaultProxy, GcpKmsServer, TestRegistry} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

let registry: TestRegistry
let dir: string
let env: Record<string, string | undefined>
const client = new RegistryClient()

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  dir = mkdtempSync(join(tmpdir(), 'sigil-attest-'))
  for (const sub of ['home', 'data', 'docker', 'config']) mkdirSync(join(dir, sub))
  env = {COSIGN_PASSWORD: 'pw', SIGIL_PASSWORD: undefined, HOME: join(dir, 'home'), SIGIL_DATA_DIR: join(dir, 'data'), DOCKER_CONFIG: join(dir, 'docker'), SIGIL_CONFIG_DIR: join(dir, 'config'), SIGIL_NEW_BUNDLE_FORMAT: undefined}
  for (const name of ['cosign', 'other']) expect((await sigil(['generate-key-pair', '--output-key-prefix', name], {cwd: dir, env})).code).toBe(0)
  writeFileSync(join(dir, 'slsa.json'), JSON.stringify({builder: {id: 'https://ci.example.com/b@v1'}, buildType: 'https://ci.example.com/build@v1', materials: []}))
  writeFileSync(join(dir, 'bom.json'), JSON.stringify({bomFormat: 'CycloneDX', specVersion: '1.5'}))
  writeFileSync(join(dir, 'notes.txt'), 'free text, not JSON {')
})
afterAll(async () => {
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

let n = 0
async function image(): Promise<{ref: string; digest: string; repository: string}> {
  const repository = `attest/app${++n}`
  const {digest} = await pushRandomImage(client, {registry: registry.host, repository}, 'v1')
  return {ref: `${registry.host}/${repository}@${digest}`, digest, repository}
}
const run = (args: string[], extra: Record<string, string | undefined> = {}) => sigil(args, {cwd: dir, env: {...env, ...extra}})
const attLayers = async (repository: string, digest: string) => {
  const m = await client.getManifestIfExists({registry: registry.host, repository}, signatureTag(digest, 'att'))
  return m ? parseSignatureManifest(m.bytes).layers : []
}

describe('attest and verify-attestation, legacy .att tag', () => {
  test('the .att layer is cosign\'s shape; verify prints the envelope; --type filters with cosign\'s message', async () => {
    const {ref, digest, repository} = await image()
    const a = await run(['attest', '--key', 'cosign.key', '--type', 'slsaprovenance', '--predicate', 'slsa.json', '--tlog-upload=false', '-y', ref])
    expect(a.code, a.stderr).toBe(0)
    expect(a.stderr).toContain(`Pushing attestation to: ${registry.host}/${repository}:${signatureTag(digest, 'att')}`)
    const layers = await attLayers(repository, digest)
    expect(layers).toHaveLength(1)
    expect(layers[0]).toMatchObject({mediaType: 'application/vnd.dsse.envelope.v1+json', annotations: {'dev.cosignproject.cosign/signature': '', predicateType: 'https://slsa.dev/provenance/v0.2'}})

    const v = await run(['verify-attestation', '--key', 'cosign.pub', '--type', 'slsaprovenance', ref])
    expect(v.code, v.stderr).toBe(0)
    expect(v.stderr).toContain(`Verification for ${ref} --`)
    const lines = v.stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    const envelope = JSON.parse(lines[0]!)
    expect(Object.keys(envelope)).toEqual(['payloadType', 'payload', 'signatures'])
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString())
    expect(statement).toEqual({
      _type: 'https://in-toto.io/Statement/v0.1',
      subject: [{name: `${registry.host}/${repository}`, digest: {sha256: digest.slice(7)}}],
      predicateType: 'https://slsa.dev/provenance/v0.2',
      predicate: {builder: {id: 'https://ci.example.com/b@v1'}, buildType: 'https://ci.example.com/build@v1'},
    })
    // The stored layer is byte for byte what verify printed.
    const blob = await client.getBlob({registry: registry.host, repository}, layers[0]!.digest)
    expect(Buffer.from(blob).toString()).toBe(lines[0])

    const other = await run(['verify-attestation', '--key', 'cosign.pub', '--type', 'cyclonedx', ref])
    expect(other.code).toBe(12)
    expect(other.stderr).toContain('none of the attestations matched the predicate type: https://cyclonedx.org/bom, found: https://slsa.dev/provenance/v0.2')
    const wrongKey = await run(['verify-attestation', '--key', 'other.pub', ref])
    expect(wrongKey.code).toBe(12)
    expect(wrongKey.stderr).toMatch(/no matching attestations: .*invalid signature/)
    const json = await run(['verify-attestation', '--key', 'cosign.pub', '--json', ref])
    expect(json.code, json.stderr).toBe(0)
    expect(JSON.parse(json.stdout).images[0]).toMatchObject({verified: true, digest, attestations: [{predicateType: 'https://slsa.dev/provenance/v0.2', format: 'dsse-envelope'}]})
  })

  test('a second type appends; --replace drops only the same type, in the same write', async () => {
    const {ref, digest, repository} = await image()
    for (const args of [
      ['--type', 'slsaprovenance', '--predicate', 'slsa.json'],
      ['--type', 'cyclonedx', '--predicate', 'bom.json'],
      ['--type', 'slsaprovenance', '--predicate', 'slsa.json'],
    ]) {
      const a = await run(['attest', '--key', 'cosign.key', ...args, ref])
      expect(a.code, a.stderr).toBe(0)
    }
    expect((await attLayers(repository, digest)).map((l) => l.annotations?.predicateType)).toEqual([
      'https://slsa.dev/provenance/v0.2',
      'https://cyclonedx.org/bom',
      'https://slsa.dev/provenance/v0.2',
    ])
    const r = await run(['attest', '--key', 'cosign.key', '--type', 'slsaprovenance', '--predicate', 'slsa.json', '--replace', ref])
    expect(r.code, r.stderr).toBe(0)
    expect((await attLayers(repository, digest)).map((l) => l.annotations?.predicateType)).toEqual(['https://cyclonedx.org/bom', 'https://slsa.dev/provenance/v0.2'])
    const v = await run(['verify-attestation', '--key', 'cosign.pub', ref])
    expect(v.code, v.stderr).toBe(0)
    expect(v.stdout.trim().split('\n')).toHaveLength(2)
  })

  test('four attest processes at once on one image: all four layers are kept', async () => {
    const {ref, digest, repository} = await image()
    const types = ['slsaprovenance', 'cyclonedx', 'spdxjson', 'https://example.com/report/v1']
    const results = await Promise.all(types.map((type) => run(['attest', '--key', 'cosign.key', '--type', type, '--predicate', type === 'slsaprovenance' ? 'slsa.json' : 'bom.json', ref])))
    for (const r of results) expect(r.code, r.stderr).toBe(0)
    const kept = (await attLayers(repository, digest)).map((l) => l.annotations?.predicateType)
    expect(kept.sort()).toEqual(['https://cyclonedx.org/bom', 'https://example.com/report/v1', 'https://slsa.dev/provenance/v0.2', 'https://spdx.dev/Document'])
  })

  test('the default type wraps the file as cosign does; --no-upload prints the envelope and pushes nothing', async () => {
    const {ref, digest, repository} = await image()
    const a = await run(['attest', '--key', 'cosign.key', '--predicate', 'notes.txt', '--no-upload', ref])
    expect(a.code, a.stderr).toBe(0)
    const statement = JSON.parse(Buffer.from(JSON.parse(a.stdout).payload, 'base64').toString())
    expect(statement.predicateType).toBe('https://cosign.sigstore.dev/attestation/v1')
    expect(statement.predicate.Data).toBe('free text, not JSON {')
    expect(statement.predicate.Timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(await attLayers(repository, digest)).toEqual([])
  })
})

describe('the bundle format (cosign 3): referrers', () => {
  test('--new-bundle-format pushes a referrer with cosign 3\'s annotations; verify-attestation reads it; --replace deletes the earlier one', async () => {
    const {ref, digest, repository} = await image()
    const a = await run(['attest', '--key', 'cosign.key', '--type', 'slsaprovenance', '--predicate', 'slsa.json', '--new-bundle-format', '--json', ref])
    expect(a.code, a.stderr).toBe(0)
    const first = JSON.parse(a.stdout).attested[0]
    const referrer = first.location.slice(first.location.lastIndexOf('@') + 1)
    const manifest = JSON.parse(Buffer.from((await client.getManifest({registry: registry.host, repository}, referrer)).bytes).toString())
    expect(manifest.annotations).toMatchObject({'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': 'https://slsa.dev/provenance/v0.2'})
    expect(manifest.subject.digest).toBe(digest)
    const bundle = JSON.parse(Buffer.from(first.bundle, 'base64').toString())
    expect(JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString()).subject).toEqual([{name: `${registry.host}/${repository}`, digest: {sha256: digest.slice(7)}}])
    // No .att tag was written.
    expect(await attLayers(repository, digest)).toEqual([])

    const v = await run(['verify-attestation', '--key', 'cosign.pub', '--type', 'https://slsa.dev/provenance/v0.2', ref])
    expect(v.code, v.stderr).toBe(0)
    expect(v.stdout.trim().split('\n')).toHaveLength(1)

    const again = await run(['attest', '--key', 'cosign.key', '--type', 'slsaprovenance', '--predicate', 'slsa.json', '--new-bundle-format', '--replace', ref], {})
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toContain('Replaced 1 earlier attestation of the same predicate type')
    const index = JSON.parse(Buffer.from((await client.getManifest({registry: registry.host, repository}, referrersTag(digest))).bytes).toString())
    expect(index.manifests.map((m: {digest: string}) => m.digest)).not.toContain(referrer)
    expect(index.manifests).toHaveLength(1)
  })

  test('the per-user default (config.json) picks the bundle format, as for sign', async () => {
    const {ref, digest, repository} = await image()
    const config = join(dir, 'config-bundle')
    mkdirSync(config, {recursive: true})
    writeFileSync(join(config, 'config.json'), JSON.stringify({signatureFormat: 'bundle'}))
    const a = await run(['attest', '--key', 'cosign.key', '--type', 'cyclonedx', '--predicate', 'bom.json', ref], {SIGIL_CONFIG_DIR: config})
    expect(a.code, a.stderr).toBe(0)
    expect(await attLayers(repository, digest)).toEqual([])
    expect((await client.getManifestIfExists({registry: registry.host, repository}, referrersTag(digest)))?.bytes).toBeDefined()
  })

  test('signatures and attestations are never counted as each other, in either format', async () => {
    const {ref} = await image()
    expect((await run(['sign', '--key', 'cosign.key', '--new-bundle-format', ref])).code).toBe(0)
    expect((await run(['sign', '--key', 'cosign.key', ref])).code).toBe(0)
    const noAtt = await run(['verify-attestation', '--key', 'cosign.pub', ref])
    expect(noAtt.code, noAtt.stderr).toBe(10)
    expect(noAtt.stderr).toContain('no attestations found')

    const other = await image()
    expect((await run(['attest', '--key', 'cosign.key', '--type', 'cyclonedx', '--predicate', 'bom.json', '--new-bundle-format', other.ref])).code).toBe(0)
    expect((await run(['attest', '--key', 'cosign.key', '--type', 'cyclonedx', '--predicate', 'bom.json', other.ref])).code).toBe(0)
    const noSig = await run(['verify', '--key', 'cosign.pub', other.ref])
    expect(noSig.code, noSig.stderr).toBe(10)
  })
})

describe('bad input: a clear error, the right exit code, nothing pushed', () => {
  test.each([
    ['a predicate that is not JSON for a JSON type', ['--type', 'cyclonedx', '--predicate', 'notes.txt'], /^Error: the predicate for --type cyclonedx is not valid JSON/],
    ['a missing predicate file', ['--predicate', 'nope.json'], /^Error: cannot read predicate nope\.json: no such file/],
    ['a directory as predicate', ['--predicate', 'home'], /^Error: cannot read predicate home: it is a directory/],
    ['an unknown --type', ['--type', 'slsa', '--predicate', 'slsa.json'], /^Error: invalid predicate type: slsa/],
    ['a SLSA predicate without its required fields', ['--type', 'slsaprovenance', '--predicate', 'bom.json'], /^Error: provenance predicate: required field builder missing/],
  ])('%s: exit 2', async (_what, args, message) => {
    const {ref, digest, repository} = await image()
    const a = await run(['attest', '--key', 'cosign.key', ...args, ref])
    expect(a.code).toBe(2)
    expect(a.stderr).toMatch(message)
    expect(a.stderr).not.toMatch(/\n\s+at /)
    expect(await attLayers(repository, digest)).toEqual([])
  })

  test('a 200 MB predicate is refused from its size, before it is read', async () => {
    const {ref, digest, repository} = await image()
    const big = join(dir, 'big.json')
    writeFileSync(big, '')
    truncateSync(big, 200 * 1024 * 1024) // sparse: no 200 MB written to disk
    const started = performance.now()
    const a = await run(['attest', '--key', 'cosign.key', '--type', 'spdxjson', '--predicate', 'big.json', ref])
    expect(a.code).toBe(2)
    expect(a.stderr).toMatch(/^Error: predicate big\.json is 209715200 bytes, over the 8388608-byte limit/)
    expect(performance.now() - started).toBeLessThan(10_000)
    expect(await attLayers(repository, digest)).toEqual([])
    rmSync(big)
  })

  test('verify-attestation: no such image is 11, an unknown --type is 2', async () => {
    const missing = await run(['verify-attestation', '--key', 'cosign.pub', `${registry.host}/attest/none:v1`])
    expect(missing.code, missing.stderr).toBe(11)
    const {ref} = await image()
    const badType = await run(['verify-attestation', '--key', 'cosign.pub', '--type', 'nonsense', ref])
    expect(badType.code).toBe(2)
    expect(badType.stderr).toContain('invalid predicate type: nonsense')
  })
})

describe('a faulty registry: a fault is an error (exit 1), never "no attestations", and a failed attest leaves the .att tag as it was', () => {
  let proxy: FaultProxy
  beforeAll(async () => {
    proxy = await startFaultProxy(registry.host)
  })
  afterAll(async () => {
    await proxy?.close()
  })

  test('500 on the .att manifest: verify-attestation exit 1; 500 on its upload: attest exit 1, the old layer kept', async () => {
    const {digest, repository} = await image()
    const ref = `${proxy.host}/${repository}@${digest}`
    proxy.setRule(() => ({kind: 'pass'}))
    expect((await run(['attest', '--key', 'cosign.key', '--type', 'cyclonedx', '--predicate', 'bom.json', ref])).code).toBe(0)
    const attPath = `/v2/${repository}/manifests/${signatureTag(digest, 'att')}`
    const fire = {kind: 'respond' as const, status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"disk on fire"}]}'}
    proxy.setRule((_m, p) => (p === attPath ? fire : {kind: 'pass'}))
    const v = await run(['verify-attestation', '--key', 'cosign.pub', ref])
    expect(v.code, v.stderr).toBe(1)
    expect(v.stderr).toMatch(/500|disk on fire/)
    expect(v.stderr).not.toMatch(/no attestations|no matching|\n\s+at /)

    proxy.setRule((m, p) => (p === attPath && m === 'PUT' ? fire : {kind: 'pass'}))
    const a = await run(['attest', '--key', 'cosign.key', '--type', 'slsaprovenance', '--predicate', 'slsa.json', ref])
    expect(a.code, a.stderr).toBe(1)
    expect(a.stderr).not.toMatch(/\n\s+at /)
    proxy.setRule(() => ({kind: 'pass'}))
    expect((await attLayers(repository, digest)).map((l) => l.annotations?.predicateType)).toEqual(['https://cyclonedx.org/bom'])
  })
})

describe('attest-blob and verify-blob-attestation', () => {
  test('envelope and bundle outputs verify; the subject is the file name and sha256; a changed file does not', async () => {
    const file = join(dir, 'artifact.bin')
    writeFileSync(file, 'the artifact\n')
    const hex = createHash('sha256').update('the artifact\n').digest('hex')
    const a = await run(['attest-blob', '--key', 'cosign.key', '--type', 'slsaprovenance', '--predicate', 'slsa.json', '--output-signature', 'artifact.att.json', '--bundle', 'artifact.sigstore.json', 'artifact.bin'])
    expect(a.code, a.stderr).toBe(0)
    const envelope = JSON.parse(readFileSync(join(dir, 'artifact.att.json'), 'utf8'))
    expect(JSON.parse(Buffer.from(envelope.payload, 'base64').toString()).subject).toEqual([{name: 'artifact.bin', digest: {sha256: hex}}])
    const bundle = JSON.parse(readFileSync(join(dir, 'artifact.sigstore.json'), 'utf8'))
    expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json')
    expect(bundle.dsseEnvelope.payload).toBe(envelope.payload)

    for (const how of [['--signature', 'artifact.att.json'], ['--bundle', 'artifact.sigstore.json']]) {
      const v = await run(['verify-blob-attestation', '--key', 'cosign.pub', ...how, '--type', 'slsaprovenance', 'artifact.bin'])
      expect(v.code, v.stderr).toBe(0)
      expect(v.stderr).toContain('Verified OK')
      const wrongType = await run(['verify-blob-attestation', '--key', 'cosign.pub', ...how, '--type', 'cyclonedx', 'artifact.bin'])
      expect(wrongType.code).toBe(12)
      const wrongKey = await run(['verify-blob-attestation', '--key', 'other.pub', ...how, 'artifact.bin'])
      expect(wrongKey.code).toBe(12)
    }
    writeFileSync(join(dir, 'changed.bin'), 'another artifact\n')
    const changed = await run(['verify-blob-attestation', '--key', 'cosign.pub', '--signature', 'artifact.att.json', 'changed.bin'])
    expect(changed.code).toBe(12)
    expect(changed.stderr).toContain('no matching subject digest found')

    // Existing outputs are not overwritten without --force.
    const again = await run(['attest-blob', '--key', 'cosign.key', '--predicate', 'slsa.json', '--output-signature', 'artifact.att.json', 'artifact.bin'])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('artifact.att.json already exists; pass --force to overwrite it')
    expect(JSON.parse(readFileSync(join(dir, 'artifact.att.json'), 'utf8'))).toEqual(envelope)
    // An output that cannot be written leaves the other one unwritten too.
    const blocked = await run(['attest-blob', '--key', 'cosign.key', '--predicate', 'slsa.json', '--output-signature', 'fresh.att.json', '--bundle', 'no-such-dir/b.json', 'artifact.bin'])
    expect(blocked.code).toBe(2)
    expect(blocked.stderr).toMatch(/cannot write/)
    expect(() => readFileSync(join(dir, 'fresh.att.json'))).toThrow()
    const forced = await run(['attest-blob', '--key', 'cosign.key', '--predicate', 'slsa.json', '--output-signature', 'artifact.att.json', '--force', 'artifact.bin'])
    expect(forced.code, forced.stderr).toBe(0)
  })

  test('bad input: a missing file, a directory, neither or both of --signature/--bundle', async () => {
    const missing = await run(['attest-blob', '--key', 'cosign.key', '--predicate', 'slsa.json', 'nope.bin'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^Using payload from: nope\.bin\nError: cannot read file nope\.bin: no such file/)
    const directory = await run(['attest-blob', '--key', 'cosign.key', '--predicate', 'slsa.json', 'home'])
    expect(directory.code).toBe(2)
    expect(directory.stderr).toMatch(/\nError: cannot read file home: it is a directory/)
    const neither = await run(['verify-blob-attestation', '--key', 'cosign.pub', 'slsa.json'])
    expect(neither.code).toBe(2)
    expect(neither.stderr).toContain('pass exactly one of --signature and --bundle')
  })
})

describe('an AWS KMS key (the real SDK against the loopback KMS server)', () => {
  let kms: AwsKmsTestServer
  beforeAll(async () => {
    kms = await startAwsKmsServer({region: 'eu-west-1'})
  })
  afterAll(async () => {
    await kms?.close()
  })

  test('attest with awskms:// in both formats, verify by URI and by the exported PEM; attest-blob too', async () => {
    const kenv = {...AWS_OFFLINE_ENV, AWS_ENDPOINT_URL_KMS: kms.endpoint}
    const uri = 'awskms:///alias/attest'
    expect((await run(['generate-key-pair', '--kms', uri, '--output-key-prefix', 'aws'], kenv)).code).toBe(0)
    const {ref} = await image()
    const before = kms.count('Sign')
    for (const format of [[], ['--new-bundle-format']]) {
      const a = await run(['attest', '--key', uri, '--type', 'slsaprovenance', '--predicate', 'slsa.json', ...format, ref], kenv)
      expect(a.code, a.stderr).toBe(0)
    }
    expect(kms.count('Sign') - before).toBe(2)
    const byUri = await run(['verify-attestation', '--key', uri, ref], kenv)
    expect(byUri.code, byUri.stderr).toBe(0)
    expect(byUri.stdout.trim().split('\n')).toHaveLength(2)
    const byPem = await run(['verify-attestation', '--key', 'aws.pub', '--type', 'slsaprovenance', ref])
    expect(byPem.code, byPem.stderr).toBe(0)

    writeFileSync(join(dir, 'kms.bin'), 'kms artifact')
    const b = await run(['attest-blob', '--key', uri, '--predicate', 'bom.json', '--type', 'cyclonedx', '--bundle', 'kms.sigstore.json', 'kms.bin'], kenv)
    expect(b.code, b.stderr).toBe(0)
    const v = await run(['verify-blob-attestation', '--key', 'aws.pub', '--bundle', 'kms.sigstore.json', 'kms.bin'])
    expect(v.code, v.stderr).toBe(0)
  })
})

describe('a GCP KMS key (the real SDK against the loopback KMS server)', () => {
  let kms: GcpKmsServer
  beforeAll(async () => {
    kms = await startGcpKmsServer()
  })
  afterAll(async () => {
    await kms?.close()
  })

  test('attest with gcpkms:// (legacy format); verify-attestation by the exported PEM', async () => {
    const genv = {
      CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS: `${kms.endpoint}/`,
      ...GCP_OFFLINE_ENV,
      CLOUDSDK_CONFIG: join(dir, 'home'),
    }
    const uri = 'gcpkms://projects/p/locations/global/keyRings/release/cryptoKeys/attest'
    const g = await run(['generate-key-pair', '--kms', uri, '--output-key-prefix', 'gcp'], genv)
    expect(g.code, g.stderr).toBe(0)
    const {ref} = await image()
    const a = await run(['attest', '--key', uri, '--type', 'slsaprovenance', '--predicate', 'slsa.json', ref], genv)
    expect(a.code, a.stderr).toBe(0)
    const v = await run(['verify-attestation', '--key', 'gcp.pub', '--type', 'slsaprovenance', ref])
    expect(v.code, v.stderr).toBe(0)
    expect((await run(['verify-attestation', '--key', 'cosign.pub', ref])).code).toBe(12)
  })
})
