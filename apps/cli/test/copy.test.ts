/**
 * `sigil copy SRC DST` through the binary, on two real registries (distribution 2.8, no
 * referrers API) behind counting proxies, plus a proxy that serves the referrers API: images
 * signed in both formats (and attested by cosign) are copied, and sigil, cosign 2.5 and cosign
 * 3.1.1 verify them at the destination.
 */
import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {parseReferrersIndex, sha256Digest} from '@sigil/core'
import {
  COSIGN3_VERIFY_KEY_ARGS,
  cosign3SignArgs,
  cosign3SigningConfig,
  pushMultiPlatformImage,
  pushRandomImage,
  requireCosign,
  requireCosign3,
  requireRegistry,
  runCosign,
  startFaultProxy,
  startReferrersProxy,
  startRegistry,
} from '@sigil/test-servers'
import type {FaultProxy, MultiPlatformImage, ReferrersProxy, TestRegistry} from '@sigil/test-servers'
import type {CopyResultJson} from '../src/commands/copy.js'
import {sigil, sigilOnTerminal} from './run-cli.js'

const cosign2 = requireCosign()
const cosign3 = requireCosign3()
let a: TestRegistry
let b: TestRegistry
/** Registry A, no referrers API: the source of every test. */
let pa: ReferrersProxy
/** Registry A through a proxy serving the referrers API. */
let papi: ReferrersProxy
/** Registry B, no referrers API. */
let pb: ReferrersProxy
let dir: string
let signingConfig: string
/** A home of the tests' own: no docker config, data or cache of the user's is read or written. */
const home = mkdtempSync(join(tmpdir(), 'sigil-copy-home-'))
const env = {COSIGN_PASSWORD: 'pw', SIGIL_PASSWORD: undefined, HOME: home, DOCKER_CONFIG: join(home, '.docker'), SIGIL_DATA_DIR: join(home, 'data'), XDG_CONFIG_HOME: join(home, '.config')}
const client = new RegistryClient()
const WRITES = /^(PUT|POST|PATCH|DELETE) /

beforeAll(async () => {
  requireRegistry()
  ;[a, b] = await Promise.all([startRegistry(), startRegistry()])
  ;[pa, papi, pb] = await Promise.all([startReferrersProxy(a, {referrersApi: false}), startReferrersProxy(a), startReferrersProxy(b, {referrersApi: false})])
  dir = mkdtempSync(join(tmpdir(), 'sigil-copy-'))
  for (const name of ['cosign', 'other']) expect((await sigil(['generate-key-pair', '--output-key-prefix', name], {cwd: dir, env})).code).toBe(0)
  writeFileSync(join(dir, 'predicate.json'), JSON.stringify({buildType: 'https://example.com/build'}))
  if (cosign3) signingConfig = await cosign3SigningConfig(dir)
})
afterAll(async () => {
  await Promise.all([pa?.close(), papi?.close(), pb?.close()])
  await Promise.all([a?.stop(), b?.stop()])
  if (dir) rmSync(dir, {recursive: true, force: true})
  rmSync(home, {recursive: true, force: true})
})

let n = 0
/** A fresh 3-platform image on registry A; `repo` is reached through `pa`. */
async function multiArch(): Promise<{repository: string; repo: string; pushed: MultiPlatformImage}> {
  const repository = `copy/src${++n}`
  const pushed = await pushMultiPlatformImage(client, {registry: a.host, repository}, 'v1')
  return {repository, repo: `${pa.host}/${repository}`, pushed}
}
async function single(): Promise<{repository: string; repo: string; digest: string}> {
  const repository = `copy/one${++n}`
  const {digest} = await pushRandomImage(client, {registry: a.host, repository}, 'v1')
  return {repository, repo: `${pa.host}/${repository}`, digest}
}
const run = (args: string[]) => sigil(args, {cwd: dir, env})
const sign = (ref: string, ...extra: string[]) => run(['sign', '--key', 'cosign.key', ...extra, ref])
const verifyJson = async (ref: string, key = 'cosign.pub') => {
  const v = await sigil(['verify', '--key', key, '--json', ref], {cwd: dir, env})
  expect(v.code, `${ref}: ${v.stderr}`).toBe(0)
  return JSON.parse(v.stdout) as {images: Array<{signatures: unknown[]}>}
}
const cosign2Verify = (ref: string, key = 'cosign.pub') =>
  runCosign(['verify', '--key', key, '--insecure-ignore-tlog=true', '--offline=true', '--allow-http-registry', ref], {cwd: dir})
const cosign3Verify = (ref: string, key = 'cosign.pub') => runCosign(['verify', '--key', key, ...COSIGN3_VERIFY_KEY_ARGS, ref], {cwd: dir, cosign: cosign3})
const cosign2Attest = (ref: string) =>
  runCosign(['attest', '--key', 'cosign.key', '--predicate', 'predicate.json', '--type', 'custom', '--tlog-upload=false', '--yes', '--allow-http-registry', ref], {cwd: dir, env: {COSIGN_PASSWORD: 'pw'}})

describe('copy an index signed in both formats, with attestations', () => {
  test('to another registry: everything arrives, sigil and both cosigns verify there, the fallback index is rewritten; a second run writes nothing', async () => {
    const {repo, pushed} = await multiArch()
    const digests = [pushed.digest, ...pushed.platforms.map((p) => p.digest)]
    expect((await sign(`${repo}:v1`, '--recursive')).code).toBe(0)
    expect((await sign(`${repo}:v1`, '--recursive', '--new-bundle-format')).code).toBe(0)
    if (cosign2) expect((await cosign2Attest(`${repo}@${pushed.digest}`)).code).toBe(0)
    if (cosign3) {
      const att = await runCosign(['attest', '--key', 'cosign.key', '--predicate', 'predicate.json', '--type', 'custom', ...cosign3SignArgs(signingConfig), `${repo}@${pushed.platforms[0]!.digest}`], {
        cwd: dir,
        env: {COSIGN_PASSWORD: 'pw'},
        cosign: cosign3,
      })
      expect(att.code, att.stderr).toBe(0)
    }
    const dstRepository = `copy/dst${++n}`
    const dst = `${pb.host}/${dstRepository}`
    pb.take()
    const c = await run(['copy', '--json', `${repo}:v1`, `${dst}:v2`])
    expect(c.code, c.stderr).toBe(0)
    const requests = pb.take()
    console.info(`copy of a signed 3-platform index across registries: ${requests.length} requests at the destination`)
    const out = JSON.parse(c.stdout) as CopyResultJson
    expect(out.digest).toBe(pushed.digest)
    expect(out.destination).toBe(`${dst}:v2`)
    expect(out.tag).toEqual({name: `${dst}:v2`, written: true})
    // Children first, the index last.
    expect(out.manifests.map((m) => m.digest)).toEqual([...pushed.platforms.map((p) => p.digest), pushed.digest])
    expect(out.manifests.every((m) => m.written)).toBe(true)
    expect(out.blobs.uploaded).toBe(out.blobs.total)
    expect(out.blobs.mounted).toBe(0)
    const legacySigs = out.attachments.filter((x) => x.format === 'legacy-tag' && x.kind === 'signature')
    const bundleSigs = out.attachments.filter((x) => x.format === 'referrer' && x.kind === 'signature')
    expect(legacySigs.map((x) => x.subject).sort()).toEqual([...digests].sort())
    expect(bundleSigs.map((x) => x.subject).sort()).toEqual([...digests].sort())
    if (cosign2) expect(out.attachments.filter((x) => x.kind === 'attestation' && x.format === 'legacy-tag').map((x) => x.subject)).toEqual([pushed.digest])
    if (cosign3) expect(out.attachments.filter((x) => x.kind === 'attestation' && x.format === 'referrer').map((x) => x.subject)).toEqual([pushed.platforms[0]!.digest])
    expect(out.referrersIndexes.map((x) => x.location).sort()).toEqual(digests.map((d) => `${dst}:sha256-${d.slice(7)}`).sort())

    // The fallback index at the destination names manifests the destination has.
    for (const d of digests) {
      const index = await client.getManifest({registry: b.host, repository: dstRepository}, `sha256-${d.slice(7)}`)
      const entries = parseReferrersIndex(index.bytes).manifests
      expect(entries.length).toBeGreaterThanOrEqual(1)
      for (const e of entries) expect((await client.resolveDigest({registry: b.host, repository: dstRepository}, e.digest)).digest).toBe(e.digest)
    }
    expect((await client.resolveDigest({registry: b.host, repository: dstRepository}, 'v2')).digest).toBe(pushed.digest)

    for (const d of digests) {
      // Both formats found and verified by sigil.
      expect((await verifyJson(`${dst}@${d}`)).images[0]!.signatures).toHaveLength(2)
      if (cosign2) {
        const v = await cosign2Verify(`${dst}@${d}`)
        expect(v.code, `cosign 2.5 ${d}: ${v.stderr}`).toBe(0)
      }
      if (cosign3) {
        const v = await cosign3Verify(`${dst}@${d}`)
        expect(v.code, `cosign 3.1.1 ${d}: ${v.stderr}`).toBe(0)
      }
    }
    if (cosign2) {
      const va = await runCosign(['verify-attestation', '--key', 'cosign.pub', '--type', 'custom', '--insecure-ignore-tlog=true', '--offline=true', '--allow-http-registry', `${dst}@${pushed.digest}`], {cwd: dir})
      expect(va.code, va.stderr).toBe(0)
    }
    if (cosign3) {
      const va = await runCosign(['verify-attestation', '--key', 'cosign.pub', '--type', 'custom', ...COSIGN3_VERIFY_KEY_ARGS, `${dst}@${pushed.platforms[0]!.digest}`], {cwd: dir, cosign: cosign3})
      expect(va.code, va.stderr).toBe(0)
    }

    // Idempotent: the second run only reads.
    pb.take()
    const again = await run(['copy', '--json', `${repo}:v1`, `${dst}:v2`])
    expect(again.code, again.stderr).toBe(0)
    const second = pb.take()
    expect(second.filter((r) => WRITES.test(r))).toEqual([])
    const out2 = JSON.parse(again.stdout) as CopyResultJson
    expect(out2.manifests.some((m) => m.written) || out2.attachments.some((x) => x.written) || out2.tag?.written).toBe(false)
    expect(out2.blobs.present).toBe(out2.blobs.total)
    console.info(`the same copy again: ${second.length} requests, none writing`)
  })

  test('between repositories of one registry: blobs are mounted, not sent; requests counted', async () => {
    const {repo, digest} = await single()
    expect((await sign(repo + ':v1')).code).toBe(0)
    pa.take()
    const c = await run(['copy', '--json', `${repo}:v1`, `${pa.host}/copy/mounted${++n}:v1`])
    expect(c.code, c.stderr).toBe(0)
    const requests = pa.take()
    console.info(`copy of a signed single-platform image between two repositories: ${requests.length} requests\n  ${requests.join('\n  ')}`)
    const out = JSON.parse(c.stdout) as CopyResultJson
    expect(out.digest).toBe(digest)
    expect(out.blobs.uploaded).toBe(0)
    expect(out.blobs.mounted).toBe(out.blobs.total)
    expect(requests.filter((r) => r.startsWith('POST ') && r.includes('mount='))).toHaveLength(out.blobs.total)
    expect(requests.filter((r) => r.startsWith('GET ') && r.includes('/blobs/sha256:'))).toEqual([])
    expect(requests.length).toBeLessThanOrEqual(20)
    expect((await verifyJson(`${pa.host}/copy/mounted${n}:v1`)).images[0]!.signatures).toHaveLength(1)
  })

  test('to a registry with the referrers API: referrers pushed with their subject, no fallback index; cosign 3.1.1 and sigil verify', async () => {
    const {repo, digest} = await single()
    expect((await sign(`${repo}@${digest}`, '--new-bundle-format')).code).toBe(0)
    const dstRepository = `copy/api${++n}`
    const c = await run(['copy', '--json', `${repo}:v1`, `${papi.host}/${dstRepository}:v1`])
    expect(c.code, c.stderr).toBe(0)
    const out = JSON.parse(c.stdout) as CopyResultJson
    expect(out.attachments.map((x) => [x.format, x.kind, x.written])).toEqual([['referrer', 'signature', true]])
    expect(out.referrersIndexes).toEqual([])
    expect(papi.referrers(dstRepository, digest)).toHaveLength(1)
    expect(await client.getManifestIfExists({registry: a.host, repository: dstRepository}, `sha256-${digest.slice(7)}`)).toBeUndefined()
    expect((await verifyJson(`${papi.host}/${dstRepository}:v1`)).images[0]!.signatures).toHaveLength(1)
    if (cosign3) {
      const v = await cosign3Verify(`${papi.host}/${dstRepository}@${digest}`)
      expect(v.code, v.stderr).toBe(0)
    }
  })

  test('from a registry with the referrers API to one without: the fallback index is written for the destination', async () => {
    const {repository, digest} = await single()
    const src = `${papi.host}/${repository}`
    expect((await sign(`${src}@${digest}`, '--new-bundle-format')).code).toBe(0)
    // The source lists the referrer through its API only: no index tag there.
    expect(await client.getManifestIfExists({registry: a.host, repository}, `sha256-${digest.slice(7)}`)).toBeUndefined()
    const dstRepository = `copy/fromapi${++n}`
    const c = await run(['copy', '--json', `${src}:v1`, `${pb.host}/${dstRepository}:v1`])
    expect(c.code, c.stderr).toBe(0)
    const out = JSON.parse(c.stdout) as CopyResultJson
    expect(out.attachments.map((x) => [x.format, x.kind, x.written])).toEqual([['referrer', 'signature', true]])
    expect(out.referrersIndexes).toEqual([{location: `${pb.host}/${dstRepository}:sha256-${digest.slice(7)}`, added: 1}])
    const index = parseReferrersIndex((await client.getManifest({registry: b.host, repository: dstRepository}, `sha256-${digest.slice(7)}`)).bytes)
    expect(index.manifests.map((d) => d.digest)).toEqual([out.attachments[0]!.destination.split('@')[1]])
    expect((await verifyJson(`${pb.host}/${dstRepository}:v1`)).images[0]!.signatures).toHaveLength(1)
    if (cosign3) {
      const v = await cosign3Verify(`${pb.host}/${dstRepository}@${digest}`)
      expect(v.code, v.stderr).toBe(0)
    }
  })

  test('a destination that already has other signatures keeps them: .sig layers and fallback index entries are merged', async () => {
    const {repo, digest} = await single()
    const dst = `${pb.host}/copy/merge${++n}`
    // The unsigned image first, then signed at the destination with another key, in both formats.
    expect((await run(['copy', `${repo}:v1`, `${dst}:v1`])).code).toBe(0)
    expect((await run(['sign', '--key', 'other.key', `${dst}@${digest}`])).code).toBe(0)
    expect((await run(['sign', '--key', 'other.key', '--new-bundle-format', `${dst}@${digest}`])).code).toBe(0)
    expect((await sign(`${repo}@${digest}`)).code).toBe(0)
    expect((await sign(`${repo}@${digest}`, '--new-bundle-format')).code).toBe(0)
    const c = await run(['copy', '--json', `${repo}:v1`, `${dst}:v1`])
    expect(c.code, c.stderr).toBe(0)
    const out = JSON.parse(c.stdout) as CopyResultJson
    expect(out.attachments.map((x) => [x.format, x.written])).toEqual([
      ['legacy-tag', true],
      ['referrer', true],
    ])
    expect(out.referrersIndexes).toEqual([{location: `${dst}:sha256-${digest.slice(7)}`, added: 1}])
    for (const key of ['cosign.pub', 'other.pub']) {
      expect((await verifyJson(`${dst}@${digest}`, key)).images[0]!.signatures, key).toHaveLength(2)
      if (cosign2) expect((await cosign2Verify(`${dst}@${digest}`, key)).code, `cosign 2.5 ${key}`).toBe(0)
      if (cosign3) expect((await cosign3Verify(`${dst}@${digest}`, key)).code, `cosign 3.1.1 ${key}`).toBe(0)
    }
  })
})

describe('flags', () => {
  test('--only sig: the signatures and the image by digest, no attestations, and the destination tag is left alone', async () => {
    const {repo, digest} = await single()
    expect((await sign(`${repo}@${digest}`)).code).toBe(0)
    if (cosign2) expect((await cosign2Attest(`${repo}@${digest}`)).code).toBe(0)
    const dstRepository = `copy/only${++n}`
    const c = await run(['copy', '--only', 'sig', '--json', `${repo}:v1`, `${pb.host}/${dstRepository}:v1`])
    expect(c.code, c.stderr).toBe(0)
    const out = JSON.parse(c.stdout) as CopyResultJson
    expect(out.tag).toBeUndefined()
    expect(out.attachments.map((x) => x.kind)).toEqual(['signature'])
    const at = {registry: b.host, repository: dstRepository}
    expect(await client.getManifestIfExists(at, 'v1')).toBeUndefined()
    expect(await client.getManifestIfExists(at, `sha256-${digest.slice(7)}.att`)).toBeUndefined()
    expect((await client.resolveDigest(at, digest)).digest).toBe(digest)
    expect((await verifyJson(`${pb.host}/${dstRepository}@${digest}`)).images[0]!.signatures).toHaveLength(1)

    const deprecated = await run(['copy', '--sig-only', `${repo}:v1`, `${pb.host}/${dstRepository}:v1`])
    expect(deprecated.code, deprecated.stderr).toBe(0)
    expect(deprecated.stderr).toContain('--sig-only is deprecated, use --only=sig instead')
    const bad = await run(['copy', '--only', 'sig,foo', `${repo}:v1`, `${pb.host}/${dstRepository}:v1`])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toBe('Error: invalid value for --only: foo; use sig, att or sbom (comma-separated)\n')
  })

  test.skipIf(!cosign2)('--only sbom: the .sbom tag cosign 2.5 attached, byte for byte, and nothing else', async () => {
    const {repository, repo, digest} = await single()
    expect((await sign(`${repo}@${digest}`)).code).toBe(0)
    writeFileSync(join(dir, 'sbom.spdx.json'), JSON.stringify({spdxVersion: 'SPDX-2.3', name: 'app'}))
    const attach = await runCosign(['attach', 'sbom', '--sbom', 'sbom.spdx.json', '--type', 'spdx', '--allow-http-registry', `${repo}@${digest}`], {cwd: dir})
    expect(attach.code, attach.stderr).toBe(0)
    const dstRepository = `copy/sbom${++n}`
    const c = await run(['copy', '--only', 'sbom', '--json', `${repo}:v1`, `${pb.host}/${dstRepository}:v1`])
    expect(c.code, c.stderr).toBe(0)
    const out = JSON.parse(c.stdout) as CopyResultJson
    expect(out.attachments.map((x) => [x.kind, x.format, x.destination])).toEqual([['sbom', 'legacy-tag', `${pb.host}/${dstRepository}:sha256-${digest.slice(7)}.sbom`]])
    const tag = `sha256-${digest.slice(7)}.sbom`
    const theirs = await client.getManifest({registry: a.host, repository}, tag)
    const ours = await client.getManifest({registry: b.host, repository: dstRepository}, tag)
    expect(ours.digest).toBe(theirs.digest)
    expect(await client.getManifestIfExists({registry: b.host, repository: dstRepository}, `sha256-${digest.slice(7)}.sig`)).toBeUndefined()
    const tree = await run(['tree', '--json', `${pb.host}/${dstRepository}@${digest}`])
    expect(tree.code, tree.stderr).toBe(0)
    expect(JSON.parse(tree.stdout).branches.map((br: {kind: string}) => br.kind)).toEqual(['sbom'])
  })

  test('a destination tag naming another image: exit 1 and nothing written; -f overwrites it', async () => {
    const {repo, digest} = await single()
    const dstRepository = `copy/force${++n}`
    const other = await pushRandomImage(client, {registry: b.host, repository: dstRepository}, 'v1')
    pb.take()
    const c = await run(['copy', `${repo}:v1`, `${pb.host}/${dstRepository}:v1`])
    expect(c.code).toBe(1)
    expect(c.stderr).toBe(`Error: ${pb.host}/${dstRepository}:v1 already exists and names ${other.digest}, not ${digest}; use -f (--force) to overwrite it\n`)
    expect(pb.take().filter((r) => WRITES.test(r))).toEqual([])
    const f = await run(['copy', '-f', `${repo}:v1`, `${pb.host}/${dstRepository}:v1`])
    expect(f.code, f.stderr).toBe(0)
    expect((await client.resolveDigest({registry: b.host, repository: dstRepository}, 'v1')).digest).toBe(digest)
  })

  test('--platform: one platform of the index becomes the copy, with its signature; an absent platform is exit 11', async () => {
    const {repo, pushed} = await multiArch()
    expect((await sign(`${repo}:v1`, '--recursive')).code).toBe(0)
    const dstRepository = `copy/platform${++n}`
    const c = await run(['copy', '--platform', 'linux/arm64', '--json', `${repo}:v1`, `${pb.host}/${dstRepository}:arm`])
    expect(c.code, c.stderr).toBe(0)
    const arm = pushed.platforms[1]!.digest
    const out = JSON.parse(c.stdout) as CopyResultJson
    expect(out.digest).toBe(arm)
    expect(out.manifests.map((m) => [m.digest, m.platform])).toEqual([[arm, 'linux/arm64/v8']])
    const at = {registry: b.host, repository: dstRepository}
    expect((await client.resolveDigest(at, 'arm')).digest).toBe(arm)
    expect(await client.getManifestIfExists(at, pushed.digest)).toBeUndefined()
    expect(await client.getManifestIfExists(at, pushed.platforms[0]!.digest)).toBeUndefined()
    expect((await verifyJson(`${pb.host}/${dstRepository}:arm`)).images[0]!.signatures).toHaveLength(1)
    const none = await run(['copy', '--platform', 'linux/s390x', `${repo}:v1`, `${pb.host}/${dstRepository}:s390x`])
    expect(none.code).toBe(11)
    expect(none.stderr).toBe(`Error: ${repo}:v1 has no platform linux/s390x (it has linux/amd64, linux/arm64/v8, linux/arm/v7)\n`)
  })
})

describe('output', () => {
  test('a big copy on a terminal shows a progress line on stderr, then the summary', async () => {
    // A 10 MiB layer: over the size from which progress is shown.
    const repository = `copy/big${++n}`
    const repo = {registry: a.host, repository}
    const layer = randomBytes(10 * 1024 * 1024)
    const config = new TextEncoder().encode(JSON.stringify({architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: []}}))
    await client.uploadBlob(repo, sha256Digest(layer), layer)
    await client.uploadBlob(repo, sha256Digest(config), config)
    const manifest = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {mediaType: 'application/vnd.oci.image.config.v1+json', size: config.length, digest: sha256Digest(config)},
        layers: [{mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: layer.length, digest: sha256Digest(layer)}],
      }),
    )
    await client.putManifest(repo, 'v1', manifest, 'application/vnd.oci.image.manifest.v1+json')
    const dst = `${pb.host}/copy/big${n}:v1`
    const t = await sigilOnTerminal(['copy', `${pa.host}/${repository}:v1`, dst], {cwd: dir, env}, [['expect', 'Copied ']])
    expect(t.code, t.output).toBe(0)
    expect(t.output).toMatch(/Copying blobs: 2\/2, 10\.0 MiB sent/)
    expect(t.output).toContain(`to ${dst}: 1 of 1 manifest written, 2 blobs (2 uploaded, 0 mounted, 0 already there)`)
    // Not on a pipe.
    const piped = await run(['copy', '-f', `${pa.host}/${repository}:v1`, `${pb.host}/copy/big${n}-again:v1`])
    expect(piped.code, piped.stderr).toBe(0)
    expect(piped.stderr).not.toContain('Copying blobs')
  })
})

describe('bad input and faults', () => {
  let fault: FaultProxy
  beforeAll(async () => {
    fault = await startFaultProxy(b.host)
  })
  afterAll(async () => {
    await fault?.close()
  })

  test('a source that does not exist: exit 11', async () => {
    const c = await run(['copy', `${pa.host}/copy/nothing:v1`, `${pb.host}/copy/nothing:v1`])
    expect(c.code).toBe(11)
    expect(c.stderr).toBe(`Error: image tag not found: ${pa.host}/copy/nothing:v1\n`)
  })

  test('a destination that refuses writes (403): a clear error, exit 1, no stack trace', async () => {
    const {repo} = await single()
    fault.setRule((method) =>
      method === 'POST' || method === 'PUT'
        ? {kind: 'respond', status: 403, body: JSON.stringify({errors: [{code: 'DENIED', message: 'requested access to the resource is denied'}]}), headers: {'content-type': 'application/json'}}
        : {kind: 'pass'},
    )
    try {
      const c = await run(['copy', `${repo}:v1`, `${fault.host}/copy/denied${++n}:v1`])
      expect(c.code).toBe(1)
      expect(c.stderr).toMatch(/^Error: .*denied/m)
      expect(c.stderr).not.toMatch(/\n\s+at /)
    } finally {
      fault.setRule(() => ({kind: 'pass'}))
    }
  })

  test('a destination that wants credentials (401): exit 1 naming the registry and docker login; the right ones copy', async () => {
    const {repo} = await single()
    const locked = await startRegistry({htpasswd: {username: 'ci', password: 'secret-pw'}})
    try {
      const c = await run(['copy', `${repo}:v1`, `${locked.host}/copy/locked:v1`])
      expect(c.code).toBe(1)
      expect(c.stderr).toBe(
        `Error: authentication failed for manifest ${locked.host}/copy/locked:v1 (HEAD http://${locked.host}/v2/copy/locked/manifests/v1 → 401 Unauthorized); no credentials configured for ${locked.host} (docker login ${locked.host})\n`,
      )
      const ok = await sigil(['copy', '--registry-username', 'ci', `${repo}:v1`, `${locked.host}/copy/locked:v1`], {cwd: dir, env: {...env, SIGIL_REGISTRY_PASSWORD: 'secret-pw'}})
      expect(ok.code, ok.stderr).toBe(0)
      expect(ok.stderr).not.toContain('secret-pw')
    } finally {
      await locked.stop()
    }
  })

  test('a destination that stops answering mid-copy: exit 1 within --timeout, naming the registry', async () => {
    const {repo} = await single()
    fault.setRule((method) => (method === 'PUT' ? {kind: 'hang'} : {kind: 'pass'}))
    try {
      const t0 = Date.now()
      const c = await run(['copy', '--timeout', '3s', `${repo}:v1`, `${fault.host}/copy/stalled${++n}:v1`])
      const took = Date.now() - t0
      expect(c.code).toBe(1)
      expect(c.stderr).toMatch(new RegExp(`^Error: registry ${fault.host.replace(/\./g, '\\.')} did not answer the request for .* within 2\\.\\d+s\n$`))
      expect(took).toBeLessThan(9000)
    } finally {
      fault.setRule(() => ({kind: 'pass'}))
    }
  })

  test('a registry fault mid-copy: exit 1, the destination tag is not there; a rerun completes the copy', async () => {
    const {repo, pushed} = await multiArch()
    expect((await sign(`${repo}:v1`, '--recursive')).code).toBe(0)
    const dstRepository = `copy/fault${++n}`
    // The index manifest (pushed after its platforms) fails: the registry keeps failing.
    fault.setRule((method, path) => (method === 'PUT' && path.endsWith(`/manifests/${pushed.digest}`) ? {kind: 'respond', status: 500, body: 'boom'} : {kind: 'pass'}))
    try {
      const c = await run(['copy', `${repo}:v1`, `${fault.host}/${dstRepository}:v1`])
      expect(c.code).toBe(1)
      expect(c.stderr).toMatch(/^Error: .*500/m)
      expect(c.stderr).not.toMatch(/\n\s+at /)
    } finally {
      fault.setRule(() => ({kind: 'pass'}))
    }
    const at = {registry: b.host, repository: dstRepository}
    expect(await client.getManifestIfExists(at, 'v1')).toBeUndefined()
    expect(await client.getManifestIfExists(at, `sha256-${pushed.digest.slice(7)}.sig`)).toBeUndefined()
    const again = await run(['copy', '--json', `${repo}:v1`, `${fault.host}/${dstRepository}:v1`])
    expect(again.code, again.stderr).toBe(0)
    const out = JSON.parse(again.stdout) as CopyResultJson
    // The platforms came the first time; the index and everything after it now.
    expect(out.manifests.map((m) => m.written)).toEqual([false, false, false, true])
    for (const d of [pushed.digest, ...pushed.platforms.map((p) => p.digest)]) expect((await verifyJson(`${pb.host}/${dstRepository}@${d}`)).images[0]!.signatures).toHaveLength(1)
  })
})
