/**
 * Attestations between sigil and the real cosign 2.5 and 3.1.1, offline against the real
 * registry: each verifies what the other writes, in both formats, for images and blobs.
 * Missing peers fail under CI=true (requireCosign / requireCosign3), else the tests are skipped.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {parseSigstoreBundle} from '@sigil/core'
import {RegistryClient} from '@sigil/oci'
import {COSIGN3_VERIFY_KEY_ARGS, cosign3SignArgs, cosign3SigningConfig, pushRandomImage, requireCosign, requireCosign3, requireRegistry, runCosign, startRegistry} from '@sigil/test-servers'
import type {TestRegistry} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

const cosign2 = requireCosign()
const cosign3 = requireCosign3()
const pw = {COSIGN_PASSWORD: 'pw', SIGIL_PASSWORD: undefined}
const SLSA = 'https://slsa.dev/provenance/v0.2'
let registry: TestRegistry
let dir: string
let signingConfig: string
const client = new RegistryClient()

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  dir = mkdtempSync(join(tmpdir(), 'sigil-attest-interop-'))
  expect((await sigil(['generate-key-pair', '--output-key-prefix', 'sigil'], {cwd: dir, env: pw})).code).toBe(0)
  if (cosign2) expect((await runCosign(['generate-key-pair', '--output-key-prefix', 'cosign'], {cwd: dir, env: pw})).code).toBe(0)
  if (cosign3) signingConfig = await cosign3SigningConfig(dir)
  writeFileSync(
    join(dir, 'slsa.json'),
    JSON.stringify({builder: {id: 'https://ci.example.com/b@v1'}, buildType: 'https://ci.example.com/build@v1', invocation: {configSource: {uri: 'git+https://git.example.com/a', digest: {sha1: 'abc'}, entryPoint: 'b.yml'}}, materials: []}),
  )
  writeFileSync(join(dir, 'artifact.txt'), 'an artifact\n')
})
afterAll(async () => {
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

let n = 0
async function image(): Promise<{ref: string; digest: string}> {
  const repository = `attest-interop/app${++n}`
  const {digest} = await pushRandomImage(client, {registry: registry.host, repository}, 'v1')
  return {ref: `${registry.host}/${repository}@${digest}`, digest}
}
const ours = (args: string[]) => sigil(args, {cwd: dir, env: pw})

describe.skipIf(!cosign2)('cosign 2.5 and the legacy .att tag', () => {
  test('cosign verify-attestation --type verifies what sigil attest wrote, and prints the same envelope line', async () => {
    const {ref} = await image()
    const a = await ours(['attest', '--key', 'sigil.key', '--type', 'slsaprovenance', '--predicate', 'slsa.json', ref])
    expect(a.code, a.stderr).toBe(0)
    const theirs = await runCosign(['verify-attestation', '--key', 'sigil.pub', '--insecure-ignore-tlog=true', '--allow-http-registry', '--type', 'slsaprovenance', ref], {cwd: dir, cosign: cosign2})
    expect(theirs.code, theirs.stderr).toBe(0)
    const mine = await ours(['verify-attestation', '--key', 'sigil.pub', '--type', 'slsaprovenance', ref])
    expect(mine.code, mine.stderr).toBe(0)
    expect(mine.stdout.trim()).toBe(theirs.stdout.trim())
  })

  test('sigil verify-attestation verifies what cosign attest wrote, alongside its own', async () => {
    const {ref} = await image()
    const c = await runCosign(['attest', '--key', 'cosign.key', '--type', 'slsaprovenance', '--predicate', 'slsa.json', '--tlog-upload=false', '-y', '--allow-http-registry', ref], {cwd: dir, env: pw, cosign: cosign2})
    expect(c.code, c.stderr).toBe(0)
    expect((await ours(['attest', '--key', 'sigil.key', '--type', 'cyclonedx', '--predicate', 'slsa.json', ref])).code).toBe(0)
    const v = await ours(['verify-attestation', '--key', 'cosign.pub', '--type', 'slsaprovenance', '--json', ref])
    expect(v.code, v.stderr).toBe(0)
    const [found] = JSON.parse(v.stdout).images[0].attestations
    expect(found).toMatchObject({predicateType: SLSA, format: 'dsse-envelope'})
    // cosign's appended layer is kept by sigil's append, and cosign still verifies its own.
    const still = await runCosign(['verify-attestation', '--key', 'cosign.pub', '--insecure-ignore-tlog=true', '--allow-http-registry', '--type', 'slsaprovenance', ref], {cwd: dir, cosign: cosign2})
    expect(still.code, still.stderr).toBe(0)
  })

  test('a sigstore-kms-* executable plugin key: sigil attests through it, cosign verifies with the exported .pub', async () => {
    const fixtures = new URL('../../../packages/sigstore-kms-bridge/test/fixtures', import.meta.url).pathname
    const env = {...pw, PATH: `${fixtures}:${process.env.PATH}`}
    const key = `pyfile://${join(dir, 'plugin-key.pem')}`
    expect((await sigil(['generate-key-pair', '--kms', key, '--output-key-prefix', 'plugin'], {cwd: dir, env})).code).toBe(0)
    const {ref} = await image()
    const a = await sigil(['attest', '--key', key, '--type', 'slsaprovenance', '--predicate', 'slsa.json', ref], {cwd: dir, env})
    expect(a.code, a.stderr).toBe(0)
    const theirs = await runCosign(['verify-attestation', '--key', 'plugin.pub', '--insecure-ignore-tlog=true', '--allow-http-registry', '--type', 'slsaprovenance', ref], {cwd: dir, cosign: cosign2})
    expect(theirs.code, theirs.stderr).toBe(0)
  })

  test('blobs: cosign verify-blob-attestation checks sigil attest-blob\'s envelope; sigil checks cosign\'s envelope and legacy bundle', async () => {
    const a = await ours(['attest-blob', '--key', 'sigil.key', '--type', 'slsaprovenance', '--predicate', 'slsa.json', '--output-signature', 'sigil.att.json', 'artifact.txt'])
    expect(a.code, a.stderr).toBe(0)
    const theirs = await runCosign(['verify-blob-attestation', '--key', 'sigil.pub', '--insecure-ignore-tlog', '--signature', 'sigil.att.json', '--type', 'slsaprovenance', 'artifact.txt'], {cwd: dir, cosign: cosign2})
    expect(theirs.code, theirs.stderr).toBe(0)
    expect(theirs.stderr).toContain('Verified OK')

    const c = await runCosign(['attest-blob', '--key', 'cosign.key', '--type', 'slsaprovenance', '--predicate', 'slsa.json', '--tlog-upload=false', '-y', '--output-signature', 'cosign.att.json', '--bundle', 'cosign.bundle.json', 'artifact.txt'], {
      cwd: dir,
      env: pw,
      cosign: cosign2,
    })
    expect(c.code, c.stderr).toBe(0)
    for (const how of [['--signature', 'cosign.att.json'], ['--bundle', 'cosign.bundle.json']]) {
      const v = await ours(['verify-blob-attestation', '--key', 'cosign.pub', ...how, '--type', 'slsaprovenance', 'artifact.txt'])
      expect(v.code, `${how.join(' ')}: ${v.stderr}`).toBe(0)
    }
    const wrong = await ours(['verify-blob-attestation', '--key', 'sigil.pub', '--signature', 'cosign.att.json', 'artifact.txt'])
    expect(wrong.code).toBe(12)
  })
})

describe.skipIf(!cosign3)('cosign 3.1.1 and sigstore bundle referrers', () => {
  test('cosign 3 verify-attestation verifies sigil attest --new-bundle-format; the statement is the one cosign 3 signs', async () => {
    const {ref} = await image()
    const a = await ours(['attest', '--key', 'sigil.key', '--type', 'slsaprovenance', '--predicate', 'slsa.json', '--new-bundle-format', '--json', ref])
    expect(a.code, a.stderr).toBe(0)
    const theirs = await runCosign(['verify-attestation', '--key', 'sigil.pub', ...COSIGN3_VERIFY_KEY_ARGS, '--type', 'slsaprovenance', ref], {cwd: dir, cosign: cosign3})
    expect(theirs.code, theirs.stderr).toBe(0)
    const mine = await ours(['verify-attestation', '--key', 'sigil.pub', '--type', 'slsaprovenance', ref])
    expect(mine.code, mine.stderr).toBe(0)
    expect(mine.stdout).toBe(theirs.stdout)

    // cosign 3 attesting the same image with the same predicate signs the same statement bytes.
    const c = await runCosign(['attest', '--key', 'sigil.key', '--type', 'slsaprovenance', '--predicate', 'slsa.json', ...cosign3SignArgs(signingConfig), ref], {cwd: dir, env: pw, cosign: cosign3})
    expect(c.code, c.stderr).toBe(0)
    const v = await ours(['verify-attestation', '--key', 'sigil.pub', '--type', 'slsaprovenance', '--json', ref])
    expect(v.code, v.stderr).toBe(0)
    const statements = JSON.parse(v.stdout).images[0].attestations.map((x: {statement: unknown}) => JSON.stringify(x.statement))
    expect(statements).toHaveLength(2)
    const sigilBundle = parseSigstoreBundle(Buffer.from(JSON.parse(a.stdout).attested[0].bundle, 'base64'))
    const bytes = Buffer.from(sigilBundle.dsseEnvelope!.payload).toString()
    expect(JSON.stringify(JSON.parse(bytes))).toBe(statements[0])
    expect(statements[0]).toBe(statements[1])
  })

  test('sigil verify-attestation verifies cosign 3 attest; sigil verify still ignores it', async () => {
    const {ref} = await image()
    const c = await runCosign(['attest', '--key', 'sigil.key', '--type', 'slsaprovenance', '--predicate', 'slsa.json', ...cosign3SignArgs(signingConfig), ref], {cwd: dir, env: pw, cosign: cosign3})
    expect(c.code, c.stderr).toBe(0)
    const v = await ours(['verify-attestation', '--key', 'sigil.pub', '--type', 'slsaprovenance', ref])
    expect(v.code, v.stderr).toBe(0)
    expect(v.stdout.trim().split('\n')).toHaveLength(1)
    expect((await ours(['verify', '--key', 'sigil.pub', ref])).code).toBe(10)
    // A cosign 3 signature is not an attestation either.
    const {ref: signedOnly} = await image()
    expect((await runCosign(['sign', '--key', 'sigil.key', ...cosign3SignArgs(signingConfig), signedOnly], {cwd: dir, env: pw, cosign: cosign3})).code).toBe(0)
    expect((await ours(['verify-attestation', '--key', 'sigil.pub', signedOnly])).code).toBe(10)
  })

  test('blobs: cosign 3 verify-blob-attestation checks sigil attest-blob --bundle; sigil checks cosign 3\'s bundle', async () => {
    const a = await ours(['attest-blob', '--key', 'sigil.key', '--type', 'slsaprovenance', '--predicate', 'slsa.json', '--bundle', 'sigil.sigstore.json', 'artifact.txt'])
    expect(a.code, a.stderr).toBe(0)
    const theirs = await runCosign(['verify-blob-attestation', '--key', 'sigil.pub', '--insecure-ignore-tlog', '--bundle', 'sigil.sigstore.json', '--type', 'slsaprovenance', 'artifact.txt'], {cwd: dir, cosign: cosign3})
    expect(theirs.code, theirs.stderr).toBe(0)
    const args = cosign3SignArgs(signingConfig).filter((x) => x !== '--allow-http-registry')
    const c = await runCosign(['attest-blob', '--key', 'sigil.key', '--type', 'slsaprovenance', '--predicate', 'slsa.json', ...args, '--bundle', 'cosign3.sigstore.json', 'artifact.txt'], {cwd: dir, env: pw, cosign: cosign3})
    expect(c.code, c.stderr).toBe(0)
    const v = await ours(['verify-blob-attestation', '--key', 'sigil.pub', '--bundle', 'cosign3.sigstore.json', '--type', 'slsaprovenance', 'artifact.txt'])
    expect(v.code, v.stderr).toBe(0)
    // Same statement bytes as cosign 3 signs for the blob.
    const mine = JSON.parse(readFileSync(join(dir, 'sigil.sigstore.json'), 'utf8')).dsseEnvelope.payload
    expect(JSON.parse(readFileSync(join(dir, 'cosign3.sigstore.json'), 'utf8')).dsseEnvelope.payload).toBe(mine)
  })
})
