import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {AWS_OFFLINE_ENV, pushRandomImage, requireRegistry, startAwsKmsServer, startRegistry} from '@sigil/test-servers'
import type {AwsKmsTestServer, TestRegistry} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

// The built sigil binary with the real @aws-sdk/client-kms against a loopback server speaking
// KMS's JSON 1.1 protocol (SigV4, real keys, real signatures), and a real registry.
let registry: TestRegistry
let kms: AwsKmsTestServer
let dir: string
let env: Record<string, string | undefined>

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  kms = await startAwsKmsServer({region: 'eu-west-1'})
  dir = mkdtempSync(join(tmpdir(), 'sigil-awskms-'))
  env = {
    ...AWS_OFFLINE_ENV,
    AWS_ENDPOINT_URL_KMS: kms.endpoint,
    COSIGN_PASSWORD: 'pw',
  }
})
afterAll(async () => {
  await kms?.close()
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

describe('awskms:// keys through the sigil binary', () => {
  test('generate (alias form, idempotent), bulk sign with 2 + N KMS calls, verify by URI and by PEM', async () => {
    const uri = 'awskms:///alias/release-signing'
    const g = await sigil(['generate-key-pair', '--kms', uri, '--output-key-prefix', 'aws'], {cwd: dir, env})
    expect(g.code, g.stderr).toBe(0)
    const again = await sigil(['generate-key-pair', '--kms', uri, '--output-key-prefix', 'aws2'], {cwd: dir, env})
    expect(again.code, again.stderr).toBe(0)
    expect(readFileSync(join(dir, 'aws2.pub'), 'utf8')).toBe(readFileSync(join(dir, 'aws.pub'), 'utf8'))
    expect(kms.count('CreateKey')).toBe(1)

    const client = new RegistryClient()
    const refs: string[] = []
    for (const name of ['a', 'b', 'c']) {
      await pushRandomImage(client, {registry: registry.host, repository: `aws/${name}`}, 'v1')
      refs.push(`${registry.host}/aws/${name}:v1`)
    }
    const before = {describe: kms.count('DescribeKey'), pub: kms.count('GetPublicKey'), sign: kms.count('Sign')}
    const s = await sigil(['sign', '--key', uri, ...refs], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    expect({
      describe: kms.count('DescribeKey') - before.describe,
      pub: kms.count('GetPublicKey') - before.pub,
      sign: kms.count('Sign') - before.sign,
    }).toEqual({describe: 1, pub: 1, sign: 3})

    expect((await sigil(['verify', '--key', uri, ...refs], {cwd: dir, env})).code).toBe(0)
    expect((await sigil(['verify', '--key', 'aws.pub', ...refs], {cwd: dir, env})).code).toBe(0)
    // Verifying with the exported PEM needs no AWS access at all.
    const offline = await sigil(['verify', '--key', 'aws.pub', refs[0]!], {cwd: dir, env: {...env, AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: undefined}})
    expect(offline.code, offline.stderr).toBe(0)

    // Another KMS key's verification fails: exit 12.
    const other = 'awskms:///alias/someone-else'
    expect((await sigil(['generate-key-pair', '--kms', other, '--output-key-prefix', 'other'], {cwd: dir, env})).code).toBe(0)
    const wrong = await sigil(['verify', '--key', other, refs[0]!], {cwd: dir, env})
    expect(wrong.code).toBe(12)
    expect(wrong.stderr).toContain('no matching signatures')
  })

  test('signing twice with an RSA-PSS key adds one signature, not two (the dedup check knows the key\'s scheme)', async () => {
    kms.createKey('RSA_2048', {alias: 'alias/pss-signing', signingAlgorithms: ['RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_256']})
    const uri = 'awskms:///alias/pss-signing'
    const client = new RegistryClient()
    const {digest} = await pushRandomImage(client, {registry: registry.host, repository: 'aws/pss'}, 'v1')
    const ref = `${registry.host}/aws/pss:v1`
    const first = await sigil(['sign', '--key', uri, ref], {cwd: dir, env})
    expect(first.code, first.stderr).toBe(0)
    const second = await sigil(['sign', '--key', uri, ref], {cwd: dir, env})
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toContain('Signature already present')
    const sig = await client.getManifest({registry: registry.host, repository: 'aws/pss'}, `sha256-${digest.slice(7)}.sig`)
    expect((JSON.parse(Buffer.from(sig.bytes).toString('utf8')) as {layers: unknown[]}).layers).toHaveLength(1)
    expect((await sigil(['verify', '--key', uri, ref], {cwd: dir, env})).code).toBe(0)
  })

  test('verify by key ARN asks KMS on the first run only (public key cached in the cache dir); by alias, every run', async () => {
    const key = kms.createKey('ECC_NIST_P256', {alias: 'alias/cached-verify'})
    const client = new RegistryClient()
    await pushRandomImage(client, {registry: registry.host, repository: 'aws/cached'}, 'v1')
    const ref = `${registry.host}/aws/cached:v1`
    const cacheEnv = {...env, SIGIL_CACHE_DIR: mkdtempSync(join(tmpdir(), 'sigil-kms-cache-'))}
    expect((await sigil(['sign', '--key', 'awskms:///alias/cached-verify', ref], {cwd: dir, env: cacheEnv})).code).toBe(0)
    const arn = `awskms:///${key.arn}`
    const before = kms.requests.length
    const first = await sigil(['verify', '--key', arn, ref], {cwd: dir, env: cacheEnv})
    expect(first.code, first.stderr).toBe(0)
    expect(kms.requests.length - before).toBe(2)
    const second = await sigil(['verify', '--key', arn, '--verbose', ref], {cwd: dir, env: cacheEnv})
    expect(second.code, second.stderr).toBe(0)
    expect(kms.requests.length - before).toBe(2)
    expect(second.stderr).toContain(`public key of ${arn} from the cache`)
    const byAlias = kms.requests.length
    expect((await sigil(['verify', '--key', 'awskms:///alias/cached-verify', ref], {cwd: dir, env: cacheEnv})).code).toBe(0)
    expect((await sigil(['verify', '--key', 'awskms:///alias/cached-verify', ref], {cwd: dir, env: cacheEnv})).code).toBe(0)
    expect(kms.requests.length - byAlias).toBe(4)
  })

  test('a key ARN that is not an alias cannot be generated, as with cosign', async () => {
    const r = await sigil(['generate-key-pair', '--kms', 'awskms:///1234abcd-12ab-34cd-56ef-1234567890ab', '--output-key-prefix', 'x'], {cwd: dir, env})
    expect(r.code).toBe(2) // a malformed key reference is a usage error, like a malformed image reference
    expect(r.stderr).toMatch(/must use alias key format/)
  })

  test('missing credentials: a clear error naming the cause, not a stack trace', async () => {
    const r = await sigil(['public-key', '--key', 'awskms:///alias/release-signing'], {
      cwd: dir,
      env: {...env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined},
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^Error: .*credentials/im)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})
