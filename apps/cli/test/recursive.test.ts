/**
 * `sigil sign --recursive` on multi-platform images (spec §2.5), through the binary against the
 * real registry (distribution 2.8, behind a counting proxy that adds nothing: no referrers API):
 * the index and every platform manifest are signed, in the legacy format and in cosign 3's
 * bundle format; sigil verifies each digest, cosign 2.5 verifies each platform's legacy signature
 * and cosign 3.1.1 each platform's bundle; skopeo 1.18 (trixie's, sigstore compiled in) copies
 * every platform only when each is signed, under a `sigstoreSigned` policy.
 */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {
  COSIGN3_VERIFY_KEY_ARGS,
  DEAD_PROXY,
  pushIndex,
  pushMultiPlatformImage,
  pushRandomImage,
  requireCosign,
  requireCosign3,
  requireRegistry,
  requireSkopeoSigstore,
  runCosign,
  startReferrersProxy,
  startRegistry,
} from '@sigil/test-servers'
import type {ImageFormat, MultiPlatformImage, ReferrersProxy, TestRegistry} from '@sigil/test-servers'
import type {SignResultJson} from '../src/commands/sign.js'
import {runProgram, sigil} from './run-cli.js'

const cosign2 = requireCosign()
const cosign3 = requireCosign3()
const skopeo = requireSkopeoSigstore()
let registry: TestRegistry
let proxy: ReferrersProxy
let dir: string
const env = {COSIGN_PASSWORD: 'pw', SIGIL_PASSWORD: undefined}
const client = new RegistryClient()

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  // A plain registry, counted: no referrers API, no OCI-Subject.
  proxy = await startReferrersProxy(registry, {referrersApi: false})
  dir = mkdtempSync(join(tmpdir(), 'sigil-recursive-'))
  expect((await sigil(['generate-key-pair', '--output-key-prefix', 'cosign'], {cwd: dir, env})).code).toBe(0)
})
afterAll(async () => {
  await proxy?.close()
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

let n = 0
/** A fresh 3-platform image in its own repository; `ref` is its tag, through the proxy. */
async function multiArch(format: ImageFormat = 'oci'): Promise<{ref: string; repo: string; pushed: MultiPlatformImage}> {
  const repository = `recursive/app${++n}`
  const pushed = await pushMultiPlatformImage(client, {registry: registry.host, repository}, 'v1', {format})
  return {ref: `${proxy.host}/${repository}:v1`, repo: `${proxy.host}/${repository}`, pushed}
}

const verify = (ref: string) => sigil(['verify', '--key', 'cosign.pub', ref], {cwd: dir})

describe('sign --recursive, legacy format', () => {
  test('signs each platform manifest, then the index; --json lists every digest; sigil verifies each; requests counted', async () => {
    const {ref, repo, pushed} = await multiArch()
    proxy.take()
    const s = await sigil(['sign', '--key', 'cosign.key', '--recursive', '--json', ref], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    const requests = proxy.take()
    // 1 GET of the index, then per digest what signing one digest costs (≤ 8, read-back included).
    expect(requests.length, requests.join('\n')).toBeLessThanOrEqual(1 + 4 * 8)
    expect(requests.filter((r) => r.startsWith('GET ') && r.endsWith('/manifests/v1'))).toHaveLength(1)
    console.info(`legacy sign --recursive, index + 3 platforms: ${requests.length} requests`)

    const out = JSON.parse(s.stdout) as SignResultJson
    expect(out.signed.map((e) => e.digest)).toEqual([...pushed.platforms.map((p) => p.digest), pushed.digest])
    expect(out.signed.map((e) => e.image)).toEqual([...pushed.platforms.map((p) => `${repo}@${p.digest}`), `${repo}@${pushed.digest}`])
    expect(out.signed.map((e) => e.platform)).toEqual(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7', undefined])
    expect(out.signed.map((e) => e.index)).toEqual([pushed.digest, pushed.digest, pushed.digest, undefined])
    for (const e of out.signed) {
      expect(e.appended).toBe(true)
      expect(e.signatureTag).toBe(`${repo}:sha256-${e.digest.slice(7)}.sig`)
      // Each payload names its own digest and the repository (cosign: the child's digest, the same repository name).
      const payload = JSON.parse(Buffer.from(e.payload, 'base64').toString('utf8'))
      expect(payload.critical).toEqual({identity: {'docker-reference': repo}, image: {'docker-manifest-digest': e.digest}, type: 'cosign container image signature'})
    }
    const verifyCounts = []
    for (const digest of [pushed.digest, ...pushed.platforms.map((p) => p.digest)]) {
      proxy.take()
      const v = await verify(`${repo}@${digest}`)
      expect(v.code, `${digest}: ${v.stderr}`).toBe(0)
      expect(JSON.parse(v.stdout)[0].critical.image['docker-manifest-digest']).toBe(digest)
      verifyCounts.push(proxy.take().length)
    }
    console.info(`verify of the index, then of each platform, by digest: ${verifyCounts.join(', ')} requests`)
    for (const count of verifyCounts) expect(count).toBeLessThanOrEqual(6)
    // Signing again adds nothing (cosign's dedup), for every digest.
    const again = await sigil(['sign', '--key', 'cosign.key', '-r', '--json', ref], {cwd: dir, env})
    expect(again.code, again.stderr).toBe(0)
    expect((JSON.parse(again.stdout) as SignResultJson).signed.map((e) => e.appended)).toEqual([false, false, false, false])
  })

  test('text output: the tag warning once, then one push per digest', async () => {
    const {ref, repo, pushed} = await multiArch()
    const s = await sigil(['sign', '--key', 'cosign.key', '--recursive', ref], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    expect(s.stderr.match(/uses a tag, not a digest/g)).toHaveLength(1)
    expect(s.stderr).toContain(`Signing ${repo}@${pushed.digest} and the 3 manifests it lists`)
    expect(s.stderr.match(/^Pushing signature to: /gm)).toHaveLength(4)
  })

  test('without --recursive only the index is signed: a platform digest is unsigned (exit 10)', async () => {
    const {ref, repo, pushed} = await multiArch()
    proxy.take()
    const s = await sigil(['sign', '--key', 'cosign.key', '--json', ref], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    expect(proxy.take().length).toBeLessThanOrEqual(8)
    expect((JSON.parse(s.stdout) as SignResultJson).signed.map((e) => e.digest)).toEqual([pushed.digest])
    expect((await verify(`${repo}@${pushed.digest}`)).code).toBe(0)
    const platform = await verify(`${repo}@${pushed.platforms[1]!.digest}`)
    expect(platform.code).toBe(10)
    expect(platform.stderr).toMatch(/no signatures found/)
  })

  test('a Docker manifest list: each schema 2 manifest and the list are signed', async () => {
    const {ref, repo, pushed} = await multiArch('docker')
    const s = await sigil(['sign', '--key', 'cosign.key', '--recursive', '--json', ref], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    expect((JSON.parse(s.stdout) as SignResultJson).signed.map((e) => e.digest)).toEqual([...pushed.platforms.map((p) => p.digest), pushed.digest])
    for (const p of pushed.platforms) expect((await verify(`${repo}@${p.digest}`)).code).toBe(0)
  })

  test('a single image with --recursive: just it', async () => {
    const repository = `recursive/single${++n}`
    const {digest} = await pushRandomImage(client, {registry: registry.host, repository}, 'v1')
    const s = await sigil(['sign', '--key', 'cosign.key', '--recursive', '--json', `${proxy.host}/${repository}:v1`], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    const out = JSON.parse(s.stdout) as SignResultJson
    expect(out.signed.map((e) => [e.digest, e.index])).toEqual([[digest, undefined]])
  })

  test('a nested index: its manifests, then it, then the outer index are signed; each verifies', async () => {
    const {repo, pushed: inner} = await multiArch()
    const repository = repo.slice(proxy.host.length + 1)
    const outer = await pushIndex(client, {registry: registry.host, repository}, 'outer', [inner, inner.platforms[0]!])
    const s = await sigil(['sign', '--key', 'cosign.key', '-r', '--json', `${repo}:outer`], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    const out = JSON.parse(s.stdout) as SignResultJson
    expect(out.signed.map((e) => e.digest)).toEqual([...inner.platforms.map((p) => p.digest), inner.digest, outer.digest])
    expect(out.signed.map((e) => e.index)).toEqual([inner.digest, inner.digest, inner.digest, outer.digest, undefined])
    for (const e of out.signed) expect((await verify(`${repo}@${e.digest}`)).code, e.digest).toBe(0)
  })

  test('an index listing a manifest of unknown media type: exit 1 and nothing signed, not even the index (cosign signs the index first)', async () => {
    const {repo, pushed} = await multiArch()
    const repository = repo.slice(proxy.host.length + 1)
    const schema1 = 'application/vnd.docker.distribution.manifest.v1+prettyjws'
    const odd = await pushIndex(client, {registry: registry.host, repository}, 'odd', [pushed.platforms[0]!, {...pushed.platforms[1]!, mediaType: schema1}])
    const s = await sigil(['sign', '--key', 'cosign.key', '-r', `${repo}:odd`], {cwd: dir, env})
    expect(s.code).toBe(1)
    expect(s.stderr).toContain(`lists ${pushed.platforms[1]!.digest} with media type "${schema1}", which is neither an image manifest nor an index; refusing to sign`)
    for (const digest of [odd.digest, pushed.platforms[0]!.digest]) expect((await verify(`${repo}@${digest}`)).code).toBe(10)
  })

  test('a tag that does not exist: exit 11, nothing signed', async () => {
    const {repo} = await multiArch()
    const s = await sigil(['sign', '--key', 'cosign.key', '--recursive', `${repo}:nope`], {cwd: dir, env})
    expect(s.code).toBe(11)
  })

  describe.skipIf(!cosign2)('cosign 2.5', () => {
    test("verifies each platform's legacy signature, and the index's", async () => {
      const {ref, repo, pushed} = await multiArch()
      expect((await sigil(['sign', '--key', 'cosign.key', '--recursive', ref], {cwd: dir, env})).code).toBe(0)
      for (const digest of [...pushed.platforms.map((p) => p.digest), pushed.digest]) {
        const v = await runCosign(['verify', '--key', 'cosign.pub', '--insecure-ignore-tlog=true', '--offline=true', '--allow-http-registry', `${repo}@${digest}`], {cwd: dir})
        expect(v.code, `${digest}: ${v.stderr}`).toBe(0)
        expect(JSON.parse(v.stdout)[0].critical.image['docker-manifest-digest']).toBe(digest)
      }
    })
  })
})

describe.skipIf(!skopeo)("skopeo's sigstore policy (containers/image)", () => {
  /**
   * `skopeo copy --all` of `repo@digest` into an OCI layout under a policy that accepts only
   * images with a sigstore signature by cosign.pub for that repository (containers/image checks
   * each platform manifest it copies). skopeo reads legacy `.sig` attachments
   * (`use-sigstore-attachments`); it does not read cosign 3 bundles, so only the legacy format is
   * tested here.
   */
  async function skopeoCopyAll(repo: string, digest: string): Promise<{code: number; stderr: string}> {
    const work = mkdtempSync(join(dir, 'skopeo-'))
    const policy = join(work, 'policy.json')
    const registriesD = join(work, 'registries.d')
    mkdirSync(registriesD)
    writeFileSync(join(registriesD, 'default.yaml'), 'default-docker:\n  use-sigstore-attachments: true\n')
    writeFileSync(
      policy,
      JSON.stringify({
        default: [{type: 'reject'}],
        transports: {
          docker: {[repo]: [{type: 'sigstoreSigned', keyPath: join(dir, 'cosign.pub'), signedIdentity: {type: 'matchRepository'}}]},
          oci: {'': [{type: 'insecureAcceptAnything'}]},
        },
      }),
    )
    const r = await runProgram(
      skopeo!,
      ['--policy', policy, '--registries.d', registriesD, 'copy', '--all', '--remove-signatures', '--src-tls-verify=false', `docker://${repo}@${digest}`, `oci:${join(work, 'layout')}:copied`],
      {env: {HOME: work, XDG_RUNTIME_DIR: work, HTTPS_PROXY: DEAD_PROXY, HTTP_PROXY: DEAD_PROXY}},
    )
    return {code: r.code, stderr: r.stderr}
  }

  test('every platform signed (sign --recursive): skopeo copies all of them', async () => {
    const {ref, repo, pushed} = await multiArch()
    expect((await sigil(['sign', '--key', 'cosign.key', '--recursive', ref], {cwd: dir, env})).code).toBe(0)
    const r = await skopeoCopyAll(repo, pushed.digest)
    expect(r.code, r.stderr).toBe(0)
  })

  test('only the index signed (no --recursive): skopeo refuses the unsigned platforms', async () => {
    const {ref, repo, pushed} = await multiArch()
    expect((await sigil(['sign', '--key', 'cosign.key', ref], {cwd: dir, env})).code).toBe(0)
    const r = await skopeoCopyAll(repo, pushed.digest)
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/Source image rejected: A signature was required, but no signature exists/)
  })

  test('what skopeo checks: each platform it copies (signing the platforms alone is enough)', async () => {
    const {repo, pushed} = await multiArch()
    for (const p of pushed.platforms) expect((await sigil(['sign', '--key', 'cosign.key', `${repo}@${p.digest}`], {cwd: dir, env})).code).toBe(0)
    // containers/image checks the policy on each platform manifest it copies, not on the index
    // (so, for skopeo, "every platform must be signed" is exactly what --recursive provides).
    const r = await skopeoCopyAll(repo, pushed.digest)
    expect(r.code, r.stderr).toBe(0)
  })

  test('nothing signed: refused; a signature by another key: refused', async () => {
    const {ref, repo, pushed} = await multiArch()
    const none = await skopeoCopyAll(repo, pushed.digest)
    expect(none.code).not.toBe(0)
    expect(none.stderr).toMatch(/Source image rejected: A signature was required, but no signature exists/)
    const other = mkdtempSync(join(dir, 'other-key-'))
    expect((await sigil(['generate-key-pair'], {cwd: other, env})).code).toBe(0)
    expect((await sigil(['sign', '--key', 'cosign.key', '--recursive', ref], {cwd: other, env})).code).toBe(0)
    const r = await skopeoCopyAll(repo, pushed.digest)
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/Source image rejected: .*(signature|verif)/i)
    console.info(`skopeo, signature by another key: ${r.stderr.trim().split('\n').pop()}`)
  })
})

describe('sign --recursive --new-bundle-format', () => {
  test('a bundle for each platform manifest and the index; sigil verifies each; requests counted', async () => {
    const {ref, repo, pushed} = await multiArch()
    proxy.take()
    const s = await sigil(['sign', '--key', 'cosign.key', '--new-bundle-format', '--recursive', '--json', ref], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    const requests = proxy.take()
    // 1 GET of the index, then per digest what signing one digest in this format costs (≤ 9).
    expect(requests.length, requests.join('\n')).toBeLessThanOrEqual(1 + 4 * 9)
    console.info(`bundle sign --recursive, index + 3 platforms: ${requests.length} requests`)
    const out = JSON.parse(s.stdout) as SignResultJson
    expect(out.signed.map((e) => e.digest)).toEqual([...pushed.platforms.map((p) => p.digest), pushed.digest])
    expect(out.signed.map((e) => e.signatureTag)).toEqual(out.signed.map((e) => `${repo}:sha256-${e.digest.slice(7)}`))
    expect(out.signed.every((e) => e.bundle !== undefined && e.referrer !== undefined)).toBe(true)
    const verifyCounts = []
    for (const digest of [pushed.digest, ...pushed.platforms.map((p) => p.digest)]) {
      proxy.take()
      const v = await verify(`${repo}@${digest}`)
      expect(v.code, `${digest}: ${v.stderr}`).toBe(0)
      expect(JSON.parse(v.stdout)[0].critical.image['docker-manifest-digest']).toBe(digest)
      verifyCounts.push(proxy.take().length)
    }
    console.info(`verify of the bundle-signed index, then of each platform, by digest: ${verifyCounts.join(', ')} requests`)
    for (const count of verifyCounts) expect(count).toBeLessThanOrEqual(6)
  })

  test('without --recursive only the index gets a bundle: a platform digest is unsigned (exit 10)', async () => {
    const {ref, repo, pushed} = await multiArch()
    expect((await sigil(['sign', '--key', 'cosign.key', '--new-bundle-format', ref], {cwd: dir, env})).code).toBe(0)
    expect((await verify(`${repo}@${pushed.digest}`)).code).toBe(0)
    expect((await verify(`${repo}@${pushed.platforms[0]!.digest}`)).code).toBe(10)
  })

  describe.skipIf(!cosign3)('cosign 3.1.1', () => {
    test("verifies each platform's bundle, and the index's", async () => {
      const {ref, repo, pushed} = await multiArch()
      const s = await sigil(['sign', '--key', 'cosign.key', '--new-bundle-format', '--recursive', ref], {cwd: dir, env})
      expect(s.code, s.stderr).toBe(0)
      for (const digest of [...pushed.platforms.map((p) => p.digest), pushed.digest]) {
        const v = await runCosign(['verify', '--key', 'cosign.pub', ...COSIGN3_VERIFY_KEY_ARGS, `${repo}@${digest}`], {cwd: dir, cosign: cosign3})
        expect(v.code, `${digest}: ${v.stderr}`).toBe(0)
        expect(JSON.parse(v.stdout)[0].critical.image['docker-manifest-digest']).toBe(digest)
      }
    })
  })
})
