/**
 * `copyImage` on the real registry (distribution 2.8, no referrers API): the write order, the
 * lossless merge into destination tags other signers write at the same time, and a destination
 * `sha256-<hex>` tag that is not an index (what cosign 2's copy leaves there).
 */
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {parseReference, parseReferrersIndex, parseSignatureManifest, referrersTag, signatureTag} from '@sigil/core'
import {createSigner, createVerifier, generatePrivateKey, publicKeyFromPkcs8} from '@sigil/key-file'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {RegistryClient, openOciLayout} from '@sigil/oci'
import {pushIndex, pushMultiPlatformImage, pushRandomImage, requireRegistry, startRegistry} from '@sigil/test-servers'
import type {TestRegistry} from '@sigil/test-servers'
import {copyImage, legacyTagStore, loadImage, referrersStore, saveImage, signImage, signImageBundle, verifyImage} from '../src/index.js'
import type {CopyEvent} from '../src/index.js'

let registry: TestRegistry
const client = new RegistryClient()
beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
})
afterAll(async () => {
  await registry?.stop()
})

function key() {
  const pkcs8 = generatePrivateKey()
  return {signer: createSigner(pkcs8), verifier: createVerifier(publicKeyFromPkcs8(pkcs8))}
}
let n = 0
const ref = (repository: string, rest: string) => parseReference(`${registry.host}/${repository}${rest}`)

describe('copyImage', () => {
  test('writes blobs, then manifests children first, then attachments, then the tag', async () => {
    const src = `copylib/src${++n}`
    const pushed = await pushMultiPlatformImage(client, {registry: registry.host, repository: src}, 'v1')
    const k = key()
    for (const d of [pushed.digest, ...pushed.platforms.map((p) => p.digest)]) await signImage(ref(src, `@${d}`), {client, signer: k.signer, verifier: k.verifier})
    const dst = `copylib/dst${n}`
    const writes: string[] = []
    const result = await copyImage(ref(src, ':v1'), ref(dst, ':v2'), {client, onEvent: (e: CopyEvent) => e.kind === 'write' && writes.push(e.location)})
    const kindOf = (w: string) => (w.endsWith(':v2') ? 'tag' : w.endsWith('.sig') ? 'sig' : pushed.platforms.some((p) => w.endsWith(p.digest)) ? 'platform' : w.endsWith(pushed.digest) ? 'index' : 'blob')
    const kinds = writes.map(kindOf)
    // Blobs (image blobs and the .sig blobs) come before what names them.
    expect(kinds.lastIndexOf('platform')).toBeLessThan(kinds.indexOf('index'))
    expect(kinds.indexOf('index')).toBeLessThan(kinds.indexOf('sig'))
    expect(kinds.at(-1)).toBe('tag')
    expect(kinds.filter((x) => x === 'sig')).toHaveLength(4)
    expect(kinds.slice(0, kinds.indexOf('platform')).every((x) => x === 'blob')).toBe(true)
    // One registry: every blob mounted, none sent.
    expect(result.blobs.mounted).toBe(result.blobs.total)
    expect(result.blobs.uploaded).toBe(0)
    for (const d of [pushed.digest, ...pushed.platforms.map((p) => p.digest)]) {
      const v = await verifyImage(ref(dst, `@${d}`), {client, verifier: k.verifier})
      expect(v.signatures).toHaveLength(1)
    }
  })

  test('a Docker manifest list nested in an OCI index: every manifest and blob arrives with its digest and media type', async () => {
    const src = `copylib/nested${++n}`
    const srcRepo = {registry: registry.host, repository: src}
    const inner = await pushMultiPlatformImage(client, srcRepo, 'inner', {format: 'docker'})
    const outer = await pushIndex(client, srcRepo, 'outer', [inner, inner.platforms[0]!])
    const dst = `copylib/nested-dst${n}`
    const dstRepo = {registry: registry.host, repository: dst}
    const result = await copyImage(ref(src, ':outer'), ref(dst, ':outer'), {client})
    expect(result.manifests.map((m) => m.digest)).toEqual([...inner.platforms.map((p) => p.digest), inner.digest, outer.digest])
    for (const m of result.manifests) {
      const theirs = await client.getManifest(srcRepo, m.digest)
      const ours = await client.getManifest(dstRepo, m.digest)
      expect(ours.mediaType).toBe(theirs.mediaType)
      expect(Buffer.from(ours.bytes).equals(Buffer.from(theirs.bytes))).toBe(true)
    }
    expect((await client.resolveDigest(dstRepo, 'outer')).digest).toBe(outer.digest)
    expect(result.blobs.mounted).toBe(result.blobs.total)
    expect(result.blobs.total).toBe(6)
  })

  test('signers writing the destination .sig tag and referrers index during the copy: nobody loses a signature', async () => {
    const src = `copylib/race${++n}`
    const {digest} = await pushRandomImage(client, {registry: registry.host, repository: src}, 'v1')
    const dst = `copylib/race-dst${n}`
    // The image at the destination first (unsigned), then signed in both formats at the source.
    await copyImage(ref(src, ':v1'), ref(dst, ':v1'), {client})
    const ours = key()
    await signImage(ref(src, `@${digest}`), {client, signer: ours.signer, verifier: ours.verifier})
    await signImageBundle(ref(src, `@${digest}`), {client, signer: ours.signer, settleMs: 1})
    const others = Array.from({length: 4}, key)
    const target = ref(dst, `@${digest}`)
    await Promise.all([
      copyImage(ref(src, ':v1'), ref(dst, ':v1'), {client, settleMs: 5}),
      ...others.map((o) => signImage(target, {client, signer: o.signer, verifier: o.verifier, settleMs: 5})),
      ...others.map((o) => signImageBundle(target, {client, signer: o.signer, settleMs: 5})),
    ])
    const dstRepo = {registry: registry.host, repository: dst}
    const sig = parseSignatureManifest((await client.getManifest(dstRepo, signatureTag(digest))).bytes)
    expect(sig.layers).toHaveLength(5)
    expect(parseReferrersIndex((await client.getManifest(dstRepo, referrersTag(digest))).bytes).manifests).toHaveLength(5)
    for (const k of [ours, ...others]) {
      const v = await verifyImage(target, {client, verifier: k.verifier, stores: [referrersStore({client}), legacyTagStore({client})]})
      // Its legacy signature and its bundle, both still there.
      expect(v.signatures).toHaveLength(2)
    }
  })

  test("a destination sha256-<hex> tag that is not an index (cosign 2 copy's image tag): refused, replaced with force", async () => {
    const src = `copylib/cosigncopy${++n}`
    const pushed = await pushRandomImage(client, {registry: registry.host, repository: src}, 'v1')
    const k = key()
    await signImageBundle(ref(src, `@${pushed.digest}`), {client, signer: k.signer, settleMs: 1})
    const dst = `copylib/cosigncopy-dst${n}`
    const dstRepo = {registry: registry.host, repository: dst}
    await copyImage(ref(src, ':v1'), ref(dst, ':v1'), {client, only: ['attestation']})
    // What cosign 2's copy does: the image itself under sha256-<hex>.
    await client.putManifest(dstRepo, referrersTag(pushed.digest), pushed.manifest, pushed.mediaType)
    const err = await copyImage(ref(src, ':v1'), ref(dst, ':v1'), {client}).catch((e: unknown) => e)
    expect((err as {code?: string}).code).toBe('INVALID_SIGNATURE_MANIFEST')
    expect((err as Error).message).toMatch(/refusing to overwrite it \(use -f to replace it\)$/)
    const forced = await copyImage(ref(src, ':v1'), ref(dst, ':v1'), {client, force: true})
    expect(forced.referrersIndexes).toEqual([{location: `${registry.host}/${dst}:${referrersTag(pushed.digest)}`, added: 1}])
    expect((await verifyImage(ref(dst, ':v1'), {client, verifier: k.verifier, stores: [referrersStore({client})]})).signatures).toHaveLength(1)
  })
})

describe('loadImage', () => {
  test('signers writing the destination .sig tag during the load, one of them from a stale read: nobody loses a signature', async () => {
    const src = `copylib/load${++n}`
    const {digest} = await pushRandomImage(client, {registry: registry.host, repository: src}, 'v1')
    const dst = `copylib/load-dst${n}`
    // The image at the destination first (unsigned), then signed at the source and saved.
    await copyImage(ref(src, ':v1'), ref(dst, ':v1'), {client})
    const ours = key()
    await signImage(ref(src, `@${digest}`), {client, signer: ours.signer, verifier: ours.verifier})
    const dir = await mkdtemp(join(tmpdir(), 'sigil-load-race-'))
    try {
      const saved = join(dir, 'layout')
      await saveImage(ref(src, ':v1'), {client, dir: saved})
      const others = Array.from({length: 4}, key)
      const target = ref(dst, `@${digest}`)
      await signImage(target, {client, signer: others[0]!.signer, verifier: others[0]!.verifier, settleMs: 5})
      // A writer that read the tag before load's write puts what it read right after it (every
      // time, so load's first write is lost for sure); meanwhile others sign the image there.
      const dstRepo = {registry: registry.host, repository: dst}
      const tag = signatureTag(digest)
      let stale = 0
      const racing = new (class extends RegistryClient {
        override async putManifest(...args: Parameters<RegistryClient['putManifest']>) {
          const before = args[1] === tag && stale++ === 0 ? await client.getManifestIfExists(dstRepo, tag) : undefined
          const put = await super.putManifest(...args)
          if (before) await client.putManifest(dstRepo, tag, before.bytes, before.mediaType)
          return put
        }
      })()
      await Promise.all([
        loadImage(await openOciLayout(saved), ref(dst, ':v1'), {client: racing}),
        ...others.slice(1).map((o) => signImage(target, {client, signer: o.signer, verifier: o.verifier, settleMs: 5})),
      ])
      expect(stale).toBeGreaterThan(1)
      const sig = parseSignatureManifest((await client.getManifest(dstRepo, tag)).bytes)
      expect(sig.layers).toHaveLength(5)
      for (const k of [ours, ...others]) {
        expect((await verifyImage(target, {client, verifier: k.verifier, stores: [legacyTagStore({client})]})).signatures).toHaveLength(1)
      }
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})
