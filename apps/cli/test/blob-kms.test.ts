/**
 * sign-blob / verify-blob with KMS keys through the built binary: the real AWS and Google Cloud
 * SDK clients against the loopback KMS servers. A multi-chunk file is signed with one Sign call
 * (the digest, streamed), and verifies by URI, by exported PEM, and with cosign 2.5. Two-step
 * signing with a KMS key: `generate` → `sign-blob` of the payload → `attach signature` → `verify`
 * (sigil and cosign 2.5) against the real registry.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {AWS_OFFLINE_ENV, GCP_OFFLINE_ENV, pushRandomImage, requireCosign, requireRegistry, runCosign, startAwsKmsServer, startGcpKmsServer, startRegistry} from '@sigil/test-servers'
import type {AwsKmsTestServer, GcpKmsServer, TestRegistry} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

const cosign2 = requireCosign()
let aws: AwsKmsTestServer
let registry: TestRegistry
let gcp: GcpKmsServer
let dir: string
let awsEnv: Record<string, string | undefined>
let gcpEnv: Record<string, string | undefined>
const SIZE = 9 * 1024 * 1024 + 3

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  aws = await startAwsKmsServer({region: 'eu-west-1'})
  gcp = await startGcpKmsServer()
  dir = mkdtempSync(join(tmpdir(), 'sigil-blob-kms-'))
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(SIZE, 0x5a))
  writeFileSync(join(dir, 'tampered.bin'), Buffer.concat([Buffer.alloc(SIZE - 1, 0x5a), Buffer.from([0x5b])]))
  awsEnv = {...AWS_OFFLINE_ENV, AWS_ENDPOINT_URL_KMS: aws.endpoint, HOME: dir}
  gcpEnv = {
    CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS: `${gcp.endpoint}/`,
    ...GCP_OFFLINE_ENV,
    HOME: dir,
    CLOUDSDK_CONFIG: dir,
  }
})
afterAll(async () => {
  await registry?.stop()
  await aws?.close()
  await gcp?.close()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

const cases = [
  {name: 'awskms', uri: 'awskms:///alias/blob-signing', env: () => awsEnv, signs: () => aws.count('Sign')},
  {name: 'gcpkms', uri: 'gcpkms://projects/p/locations/global/keyRings/blob/cryptoKeys/signing', env: () => gcpEnv, signs: () => gcp.count('AsymmetricSign')},
]

describe.each(cases)('$name keys', ({name, uri, env, signs}) => {
  test('a 9 MiB file: one Sign call, a v0.3 bundle; verifies by URI and by the exported PEM; a tampered file does not', async () => {
    const g = await sigil(['generate-key-pair', '--kms', uri, '--output-key-prefix', name], {cwd: dir, env: env()})
    expect(g.code, g.stderr).toBe(0)
    const before = signs()
    const s = await sigil(['sign-blob', '--key', uri, '--output-signature', `${name}.sig`, '--bundle', `${name}.sigstore.json`, 'big.bin'], {cwd: dir, env: env()})
    expect(s.code, s.stderr).toBe(0)
    expect(signs() - before).toBe(1)
    for (const key of [uri, `${name}.pub`]) {
      for (const args of [['--signature', `${name}.sig`], ['--bundle', `${name}.sigstore.json`]]) {
        const v = await sigil(['verify-blob', '--key', key, ...args, 'big.bin'], {cwd: dir, env: env()})
        expect(v.code, `${key} ${args.join(' ')}: ${v.stderr}`).toBe(0)
        expect(v.stderr).toBe('Verified OK\n')
      }
    }
    const t = await sigil(['verify-blob', '--key', uri, '--signature', `${name}.sig`, 'tampered.bin'], {cwd: dir, env: env()})
    expect(t.code).toBe(12)
  })

  test.skipIf(!cosign2)('cosign 2.5 verify-blob accepts the KMS signature with the exported PEM', async () => {
    const r = await runCosign(['verify-blob', '--key', `${name}.pub`, '--insecure-ignore-tlog', '--signature', `${name}.sig`, 'big.bin'], {cwd: dir})
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(join(dir, `${name}.sig`), 'utf8')).toMatch(/^[A-Za-z0-9+/]+=*$/)
  })
})

describe.each(cases)('two-step signing with a $name key', ({name, uri, env}) => {
  test('generate → sign-blob of the payload → attach signature → verify (sigil, and cosign 2.5 with the exported PEM)', async () => {
    const repository = `twostep/${name}`
    const {digest} = await pushRandomImage(new RegistryClient(), {registry: registry.host, repository}, 'v1')
    const ref = `${registry.host}/${repository}@${digest}`
    const pub = `${name}-twostep.pub`
    expect((await sigil(['public-key', '--key', uri, '--outfile', pub], {cwd: dir, env: env()})).code).toBe(0)
    // Step 1, on the connected machine: the payload to sign.
    const g = await sigil(['generate', ref], {cwd: dir, env: env()})
    expect(g.code, g.stderr).toBe(0)
    writeFileSync(join(dir, `${name}.payload.json`), g.stdout)
    // Step 2, where the key is (here: the KMS): a detached signature over the payload bytes.
    const s = await sigil(['sign-blob', '--key', uri, '--output-signature', `${name}.payload.sig`, `${name}.payload.json`], {cwd: dir, env: env()})
    expect(s.code, s.stderr).toBe(0)
    // Step 3: attach it, with no key at hand; then verify as anyone would.
    const a = await sigil(['attach', 'signature', '--payload', `${name}.payload.json`, '--signature', `${name}.payload.sig`, ref], {cwd: dir})
    expect(a.code, a.stderr).toBe(0)
    const v = await sigil(['verify', '--key', pub, ref], {cwd: dir})
    expect(v.code, v.stderr).toBe(0)
    expect(JSON.parse(v.stdout)[0].critical.image['docker-manifest-digest']).toBe(digest)
    const other = await sigil(['verify', '--key', 'awskms' === name ? 'gcpkms.pub' : 'awskms.pub', ref], {cwd: dir})
    expect(other.code).toBe(12)
    if (cosign2) {
      const c = await runCosign(['verify', '--key', pub, '--insecure-ignore-tlog=true', '--offline=true', '--allow-http-registry', ref], {cwd: dir})
      expect(c.code, c.stderr).toBe(0)
      expect(JSON.parse(c.stdout)[0].critical.image['docker-manifest-digest']).toBe(digest)
    }
  })
})
