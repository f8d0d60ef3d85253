/**
 * attestImage and verifyAttestations over the AttachmentStore contract alone: the in-memory
 * reference store stands in for any store (an offline layout, say); images by digest need no
 * registry request.
 */
import {describe, expect, test} from 'vitest'
import {COSIGN_SIGN_PREDICATE_TYPE, attestationPredicate, buildCosignSignStatement, buildDsseBundle, parseReference, publicKeyHint} from '@sigil/core'
import {createSigner, createVerifier, generatePrivateKey, publicKeyFromPkcs8} from '@sigil/key-file'
import {RegistryClient} from '@sigil/oci'
import {memoryAttachmentStore} from '@sigil/testkit'
import {attestImage, signStatement, verifyAttestations} from '../src/index.js'

const pkcs8 = generatePrivateKey()
const signer = createSigner(pkcs8)
const verifier = createVerifier(publicKeyFromPkcs8(pkcs8))
const other = createVerifier(publicKeyFromPkcs8(generatePrivateKey()))
// Never contacted: every image is named by digest and the store is in memory.
const client = new RegistryClient()
const digest = `sha256:${'ab'.repeat(32)}`
const image = parseReference(`registry.test/team/app@${digest}`)
const utf8 = (s: string) => new TextEncoder().encode(s)

describe('attestations through any AttachmentStore', () => {
  test('attest then verify; --type filters; another key or another digest does not verify', async () => {
    const store = memoryAttachmentStore()
    for (const [type, file] of [
      ['slsaprovenance', '{"builder":{"id":"b"},"buildType":"t"}'],
      ['cyclonedx', '{"bomFormat":"CycloneDX"}'],
    ] as const) {
      const {predicateType, predicate} = attestationPredicate({type, predicate: utf8(file)})
      const r = await attestImage(image, {client, signer, predicateType, predicate, store})
      expect(r.added).toBe(true)
    }
    const all = await verifyAttestations(image, {client, verifier, stores: [store]})
    expect(all.attestations.map((a) => a.statement.predicateType)).toEqual(['https://slsa.dev/provenance/v0.2', 'https://cyclonedx.org/bom'])
    expect(all.attestations[0]!.statement.subject).toEqual([{name: 'registry.test/team/app', digest: {sha256: digest.slice(7)}}])

    const slsa = await verifyAttestations(image, {client, verifier, stores: [store], predicateType: 'https://slsa.dev/provenance/v0.2'})
    expect(slsa.attestations).toHaveLength(1)
    await expect(verifyAttestations(image, {client, verifier, stores: [store], predicateType: 'https://openvex.dev/ns'})).rejects.toMatchObject({
      code: 'NO_MATCHING_SIGNATURES',
      message: 'none of the attestations matched the predicate type: https://openvex.dev/ns, found: https://slsa.dev/provenance/v0.2,https://cyclonedx.org/bom',
    })
    await expect(verifyAttestations(image, {client, verifier: other, stores: [store]})).rejects.toMatchObject({code: 'NO_MATCHING_SIGNATURES'})
    await expect(verifyAttestations(parseReference(`registry.test/team/app@sha256:${'cd'.repeat(32)}`), {client, verifier, stores: [store]})).rejects.toMatchObject({
      code: 'NO_SIGNATURES_FOUND',
    })
  })

  test('a cosign 3 signature bundle in the store is not an attestation, even unchecked', async () => {
    const store = memoryAttachmentStore({formats: {signature: 'sigstore-bundle', attestation: 'sigstore-bundle'}})
    const envelope = await signStatement(signer, buildCosignSignStatement({digest}))
    const bundle = buildDsseBundle({envelope, publicKeyHint: publicKeyHint((await signer.publicKey()).spki)})
    await store.seed({registry: image.registry, repository: image.repository, digest}, 'signature', [{format: 'sigstore-bundle', bundle, predicateType: COSIGN_SIGN_PREDICATE_TYPE}])
    for (const checkClaims of [true, false]) {
      await expect(verifyAttestations(image, {client, verifier, stores: [store], checkClaims})).rejects.toMatchObject({code: 'NO_SIGNATURES_FOUND'})
    }
    // Listed as an attestation (a referrer annotated with another type): the statement still decides.
    const subject = {registry: image.registry, repository: image.repository, digest}
    await store.seed(subject, 'attestation', [{format: 'sigstore-bundle', bundle, predicateType: 'https://example.com/not-really'}])
    for (const checkClaims of [true, false]) {
      await expect(verifyAttestations(image, {client, verifier, stores: [store], checkClaims})).rejects.toMatchObject({
        code: 'NO_MATCHING_SIGNATURES',
        message: expect.stringContaining('is an image signature, not an attestation'),
      })
    }
  })
})
