import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {parseSignatureManifest} from '@sigil/core'
import {RegistryClient} from '@sigil/oci'
import {GCP_OFFLINE_ENV, pushRandomImage, requireRegistry, startGcpKmsServer, startRegistry} from '@sigil/test-servers'
import type {GcpKmsServer, TestRegistry} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

// The built sigil binary with the real @google-cloud/kms client, over gRPC to a loopback
// server speaking the real protocol, and a real registry. Nothing leaves loopback.
let registry: TestRegistry
let kms: GcpKmsServer
let dir: string
let env: Record<string, string | undefined>
const KEY = 'projects/p/locations/global/keyRings/release/cryptoKeys/signing'

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  kms = await startGcpKmsServer()
  dir = mkdtempSync(join(tmpdir(), 'sigil-gcpkms-'))
  env = {
    CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS: `${kms.endpoint}/`,
    ...GCP_OFFLINE_ENV,
    HOME: dir,
    CLOUDSDK_CONFIG: dir,
    COSIGN_PASSWORD: 'pw',
  }
})
afterAll(async () => {
  await kms?.close()
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

describe('gcpkms:// keys through the sigil binary', () => {
  test('generate, sign, verify by URI and by exported PEM; another key fails', async () => {
    const uri = `gcpkms://${KEY}`
    const g = await sigil(['generate-key-pair', '--kms', uri, '--output-key-prefix', 'gcp'], {cwd: dir, env})
    expect(g.code, g.stderr).toBe(0)
    expect(readFileSync(join(dir, 'gcp.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/)
    const again = await sigil(['generate-key-pair', '--kms', uri, '--output-key-prefix', 'gcp2'], {cwd: dir, env})
    expect(again.code, again.stderr).toBe(0)
    expect(readFileSync(join(dir, 'gcp2.pub'), 'utf8')).toBe(readFileSync(join(dir, 'gcp.pub'), 'utf8'))

    const client = new RegistryClient()
    const repo = {registry: registry.host, repository: 'gcp/app'}
    const pushed = await pushRandomImage(client, repo, 'v1')
    const ref = `${registry.host}/gcp/app:v1`
    const s = await sigil(['sign', '--key', uri, ref], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    expect((await sigil(['verify', '--key', uri, ref], {cwd: dir, env})).code).toBe(0)
    expect((await sigil(['verify', '--key', 'gcp.pub', ref], {cwd: dir, env})).code).toBe(0)
    expect((await sigil(['public-key', '--key', uri], {cwd: dir, env})).stdout).toBe(readFileSync(join(dir, 'gcp.pub'), 'utf8'))

    // A file-key signature of the same image: the same payload bytes, on the same .sig tag.
    expect((await sigil(['generate-key-pair'], {cwd: dir, env})).code).toBe(0)
    expect((await sigil(['sign', '--key', 'cosign.key', ref], {cwd: dir, env})).code).toBe(0)
    const sig = parseSignatureManifest((await client.getManifest(repo, `sha256-${pushed.digest.slice(7)}.sig`)).bytes)
    expect(sig.layers).toHaveLength(2)
    expect(sig.layers[0]!.digest).toBe(sig.layers[1]!.digest)
    const wrong = await sigil(['verify', '--key', 'cosign.pub', '-a', 'x=y', ref], {cwd: dir, env})
    expect(wrong.code).toBe(12)

    const other = `gcpkms://projects/p/locations/global/keyRings/release/cryptoKeys/other`
    expect((await sigil(['generate-key-pair', '--kms', other, '--output-key-prefix', 'other', '--force'], {cwd: dir, env})).code).toBe(0)
    const unsignedByOther = await sigil(['verify', '--key', other, ref], {cwd: dir, env})
    expect(unsignedByOther.code).toBe(12)
  })

  test('a missing key is a one-line error naming it, exit 1', async () => {
    const r = await sigil(['sign', '--key', 'gcpkms://projects/p/locations/global/keyRings/release/cryptoKeys/nope', `${registry.host}/gcp/app:v1`], {cwd: dir, env})
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^Error: .*nope/m)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})
