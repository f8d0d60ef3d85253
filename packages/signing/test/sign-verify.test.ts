import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  buildPayload,
  buildSignatureConfig,
  buildSignatureManifest,
  parseReference,
  parseSignatureManifest,
  sha256Digest,
} from '@sigil/core'
import type {ImageReference} from '@sigil/core'
import {createSigner, createVerifier, generatePrivateKey, publicKeyFromPkcs8} from '@sigil/key-file'
import {RegistryClient} from '@sigil/oci'
import {pushRandomImage, requireRegistry, startRegistry} from '@sigil/test-servers'
import type {TestRegistry} from '@sigil/test-servers'
import {signImage, verifyImage, triangulate} from '../src/index.js'

function newKey() {
  const pkcs8 = generatePrivateKey()
  return {signer: createSigner(pkcs8), verifier: createVerifier(publicKeyFromPkcs8(pkcs8))}
}

let registry: TestRegistry
let client: RegistryClient
let requests: Array<{method: string; url: string; status?: number}> = []
const alice = newKey()
const bob = newKey()

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  client = new RegistryClient({onRequest: (e) => requests.push(e)})
})
afterAll(async () => {
  await registry?.stop()
})

let counter = 0
async function freshImage(tag = 'v1'): Promise<{ref: ImageReference; digest: string}> {
  const repository = `sigil-test/app${++counter}-${Date.now().toString(36)}`
  const pushed = await pushRandomImage(client, {registry: registry.host, repository}, tag)
  return {ref: parseReference(`${registry.host}/${repository}:${tag}`), digest: pushed.digest}
}

describe('signImage then verifyImage against a real registry', () => {
  test('a signed tag verifies and the payload names the digest and repository', async () => {
    const {ref, digest} = await freshImage()
    const signed = await signImage(ref, {client, signer: alice.signer, verifier: alice.verifier})
    expect(signed.digest).toBe(digest)
    expect(signed.appended).toBe(true)
    expect(signed.signatureLocation).toBe(`${ref.repositoryName}:sha256-${digest.slice(7)}.sig`)

    const result = await verifyImage(ref, {client, verifier: alice.verifier})
    expect(result.signatures).toHaveLength(1)
    expect(result.signatures[0]!.payload.critical.image['docker-manifest-digest']).toBe(digest)
    expect(result.signatures[0]!.payload.critical.identity['docker-reference']).toBe(ref.repositoryName)
    expect(result.signatures[0]!.payload.optional).toBeNull()
  })

  test('what is pushed is byte-for-byte what cosign would push', async () => {
    const {ref, digest} = await freshImage()
    const signed = await signImage(ref, {client, signer: alice.signer})
    const repo = {registry: ref.registry, repository: ref.repository}
    const manifest = await client.getManifest(repo, `sha256-${digest.slice(7)}.sig`)
    const payload = buildPayload({dockerReference: ref.repositoryName, manifestDigest: digest})
    expect(Buffer.from(signed.payload).equals(Buffer.from(payload))).toBe(true)
    const config = buildSignatureConfig([sha256Digest(payload)])
    const expected = buildSignatureManifest({
      config: {mediaType: 'application/vnd.oci.image.config.v1+json', size: config.length, digest: sha256Digest(config)},
      layers: [
        {
          mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
          size: payload.length,
          digest: sha256Digest(payload),
          annotations: {[SIGNATURE_ANNOTATION]: signed.signature},
        },
      ],
    })
    expect(Buffer.from(manifest.bytes).toString()).toBe(Buffer.from(expected).toString())
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json')
    expect(Buffer.from(await client.getBlob(repo, sha256Digest(config))).equals(Buffer.from(config))).toBe(true)
  })

  test('an unsigned image throws NO_SIGNATURES_FOUND', async () => {
    const {ref} = await freshImage()
    await expect(verifyImage(ref, {client, verifier: alice.verifier})).rejects.toMatchObject({code: 'NO_SIGNATURES_FOUND'})
  })

  test('a missing tag throws IMAGE_NOT_FOUND for sign and verify', async () => {
    const {ref} = await freshImage()
    const missing = parseReference(`${ref.repositoryName}:does-not-exist`)
    await expect(verifyImage(missing, {client, verifier: alice.verifier})).rejects.toMatchObject({code: 'IMAGE_NOT_FOUND'})
    await expect(signImage(missing, {client, signer: alice.signer})).rejects.toMatchObject({code: 'IMAGE_NOT_FOUND'})
  })

  test('another key throws NO_MATCHING_SIGNATURES', async () => {
    const {ref} = await freshImage()
    await signImage(ref, {client, signer: alice.signer})
    const err = await verifyImage(ref, {client, verifier: bob.verifier}).catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'NO_MATCHING_SIGNATURES'})
    expect((err as Error).message).toContain('invalid signature')
  })

  test('a tag re-pushed with another image no longer verifies', async () => {
    const {ref} = await freshImage()
    await signImage(ref, {client, signer: alice.signer})
    await pushRandomImage(client, {registry: ref.registry, repository: ref.repository}, ref.tag!)
    // The new digest has no .sig tag at all: "no signatures" is the honest answer.
    await expect(verifyImage(ref, {client, verifier: alice.verifier})).rejects.toMatchObject({code: 'NO_SIGNATURES_FOUND'})
  })

  test('a valid signature whose payload names another digest is rejected', async () => {
    const a = await freshImage()
    const b = await freshImage()
    const repo = {registry: b.ref.registry, repository: b.ref.repository}
    // An attacker copies image A's valid .sig (signed by alice) onto image B's .sig tag.
    await signImage(a.ref, {client, signer: alice.signer})
    const aRepo = {registry: a.ref.registry, repository: a.ref.repository}
    const sig = await client.getManifest(aRepo, `sha256-${a.digest.slice(7)}.sig`)
    const parsed = parseSignatureManifest(sig.bytes)
    for (const d of [parsed.config, ...parsed.layers]) {
      await client.uploadBlob(repo, d.digest, await client.getBlob(aRepo, d.digest))
    }
    await client.putManifest(repo, `sha256-${b.digest.slice(7)}.sig`, sig.bytes, sig.mediaType)
    const err = await verifyImage(b.ref, {client, verifier: alice.verifier}).catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'NO_MATCHING_SIGNATURES'})
    expect((err as Error).message).toContain(`invalid or missing digest in claim: ${a.digest}`)
    // Without claim checks only the cryptography is checked, as cosign --check-claims=false.
    await expect(verifyImage(b.ref, {client, verifier: alice.verifier, checkClaims: false})).resolves.toBeTruthy()
  })

  test('annotations round-trip and a mismatching -a fails', async () => {
    const {ref} = await freshImage()
    await signImage(ref, {client, signer: alice.signer, annotations: {env: 'prod', git: 'abc'}})
    const ok = await verifyImage(ref, {client, verifier: alice.verifier, annotations: {env: 'prod'}})
    expect(ok.signatures[0]!.payload.optional).toEqual({env: 'prod', git: 'abc'})
    await expect(verifyImage(ref, {client, verifier: alice.verifier, annotations: {env: 'dev'}})).rejects.toMatchObject({
      code: 'NO_MATCHING_SIGNATURES',
      message: expect.stringContaining('missing or incorrect annotation'),
    })
  })

  test('signatures by two keys both survive, and re-signing with the same key adds nothing', async () => {
    const {ref, digest} = await freshImage()
    await signImage(ref, {client, signer: alice.signer, verifier: alice.verifier})
    await signImage(ref, {client, signer: bob.signer, verifier: bob.verifier})
    const again = await signImage(ref, {client, signer: alice.signer, verifier: alice.verifier})
    expect(again.appended).toBe(false)
    const repo = {registry: ref.registry, repository: ref.repository}
    const sig = parseSignatureManifest((await client.getManifest(repo, `sha256-${digest.slice(7)}.sig`)).bytes)
    expect(sig.layers).toHaveLength(2)
    expect((await verifyImage(ref, {client, verifier: alice.verifier})).signatures).toHaveLength(1)
    expect((await verifyImage(ref, {client, verifier: bob.verifier})).signatures).toHaveLength(1)
    // Different annotations by the same key are a new signature.
    const withNote = await signImage(ref, {client, signer: alice.signer, verifier: alice.verifier, annotations: {n: '1'}})
    expect(withNote.appended).toBe(true)
  })

  test('an invalid existing .sig manifest is never overwritten', async () => {
    const {ref, digest} = await freshImage()
    const repo = {registry: ref.registry, repository: ref.repository}
    // Something the registry accepts but that is no signature image: an (empty) OCI index.
    const planted = Buffer.from(JSON.stringify({schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: []}))
    await client.putManifest(repo, `sha256-${digest.slice(7)}.sig`, planted, 'application/vnd.oci.image.index.v1+json')
    await expect(signImage(ref, {client, signer: alice.signer})).rejects.toMatchObject({code: 'INVALID_SIGNATURE_MANIFEST'})
    const still = await client.getManifest(repo, `sha256-${digest.slice(7)}.sig`)
    expect(Buffer.from(still.bytes).equals(planted)).toBe(true)
    // Verification reports the broken manifest as such, not as "no signatures".
    await expect(verifyImage(ref, {client, verifier: alice.verifier})).rejects.toMatchObject({code: 'INVALID_SIGNATURE_MANIFEST'})
  })

  // 8 with the read-back of the .sig tag that keeps concurrent signers lossless (issue 10: "legacy sign ≤ 8 with its read-back").
  test('signing a tag of an unsigned image takes 8 requests, verifying it 3', async () => {
    const {ref} = await freshImage()
    requests = []
    await signImage(ref, {client, signer: alice.signer, verifier: alice.verifier})
    const signCount = requests.length
    requests = []
    await verifyImage(ref, {client, verifier: alice.verifier})
    expect({sign: signCount, verify: requests.length}).toEqual({sign: 8, verify: 3})
  })

  test('for rate-limited registries a tag is resolved with HEAD when verifying, still 3 requests', async () => {
    const {ref, digest} = await freshImage()
    await signImage(ref, {client, signer: alice.signer})
    requests = []
    const result = await verifyImage(ref, {client, verifier: alice.verifier, resolveWithHead: true})
    expect(result.digest).toBe(digest)
    expect(requests.map((r) => r.method)).toEqual(['HEAD', 'GET', 'GET'])
  })

  test('triangulate names the .sig tag', async () => {
    const {ref, digest} = await freshImage()
    expect(await triangulate(ref, {client})).toBe(`${ref.repositoryName}:sha256-${digest.slice(7)}.sig`)
  })

  test('a multi-platform index is signed by its own digest', async () => {
    const repository = `sigil-test/multi-${Date.now().toString(36)}`
    const pushed = await pushRandomImage(client, {registry: registry.host, repository}, 'v1', {
      platforms: [
        {os: 'linux', architecture: 'amd64'},
        {os: 'linux', architecture: 'arm64'},
      ],
    })
    const ref = parseReference(`${registry.host}/${repository}:v1`)
    const signed = await signImage(ref, {client, signer: alice.signer})
    expect(signed.digest).toBe(pushed.digest)
    const verified = await verifyImage(ref, {client, verifier: alice.verifier})
    expect(verified.digest).toBe(pushed.digest)
  })
})

describe('verify reads each distinct blob once', () => {
  test('many layers sharing one payload: one GET of the payload blob', async () => {
    const {ref} = await freshImage()
    // The same payload signed by three keys: three layers, one payload blob.
    for (const key of [newKey(), newKey(), newKey()]) await signImage(ref, {client, signer: key.signer, verifier: key.verifier})
    const blobs: string[] = []
    const counting = new RegistryClient({onRequest: (e) => e.url.includes('/blobs/') && blobs.push(`${e.method} ${e.url}`)})
    const outsider = newKey()
    await expect(verifyImage(ref, {client: counting, verifier: outsider.verifier})).rejects.toMatchObject({
      code: 'NO_MATCHING_SIGNATURES',
      // one line, the shared reason once
      message: 'no matching signatures: invalid signature when validating ASN.1 encoded signature',
    })
    expect(blobs).toHaveLength(1)
  })
})
