import {thrown} from '../test/thrown.js'
import {createPublicKey, generateKeyPairSync, sign, verify} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {describe, expect, test, vi} from 'vitest'
import {sha256Digest} from './digest.js'
import {
  BUNDLE_ANNOTATION,
  CERTIFICATE_ANNOTATION,
  CHAIN_ANNOTATION,
  DOCKER_CONFIG_MEDIA_TYPE,
  DOCKER_LIST_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  MAX_SIGNATURE_LAYERS,
  OCI_CONFIG_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  SIGNATURE_ANNOTATION,
  appendSignatureLayer,
  buildSignatureConfig,
  buildSignatureManifest,
  isDuplicateSignature,
  parseSignatureManifest,
  signatureTag,
} from './signature-manifest.js'
import type {Descriptor} from './signature-manifest.js'
import {SIMPLE_SIGNING_MEDIA_TYPE} from './simple-signing.js'

const vectors = new URL('../../../../shared/spec/vectors/', import.meta.url)
const readVector = (path: string) => new Uint8Array(readFileSync(new URL(path, vectors)))
const readText = (path: string) => readFileSync(new URL(path, vectors), 'utf8')
const utf8 = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array) => new TextDecoder().decode(b)

const VALID = 'containers-image-cosign-valid'
const REKOR = 'containers-image-cosign-key-rekor-valid'
const payload = readVector(`${VALID}/payload.json`)
const signatureB64 = readText(`${VALID}/signature.b64`)
const payloadDigest = sha256Digest(payload)
const D1 = `sha256:${'1'.repeat(64)}`


function signatureLayer(annotations: Record<string, string> = {[SIGNATURE_ANNOTATION]: signatureB64}): Descriptor {
  return {mediaType: SIMPLE_SIGNING_MEDIA_TYPE, size: payload.length, digest: payloadDigest, annotations}
}

function configFor(layers: readonly Descriptor[], mediaType = OCI_CONFIG_MEDIA_TYPE): Descriptor {
  const config = buildSignatureConfig(layers.map((l) => l.digest))
  return {mediaType, size: config.length, digest: sha256Digest(config)}
}

test('constants', () => {
  expect({
    OCI_MANIFEST_MEDIA_TYPE,
    DOCKER_MANIFEST_MEDIA_TYPE,
    OCI_CONFIG_MEDIA_TYPE,
    DOCKER_CONFIG_MEDIA_TYPE,
    OCI_INDEX_MEDIA_TYPE,
    DOCKER_LIST_MEDIA_TYPE,
    SIGNATURE_ANNOTATION,
    CERTIFICATE_ANNOTATION,
    CHAIN_ANNOTATION,
    BUNDLE_ANNOTATION,
    MAX_SIGNATURE_LAYERS,
  }).toEqual({
    OCI_MANIFEST_MEDIA_TYPE: 'application/vnd.oci.image.manifest.v1+json',
    DOCKER_MANIFEST_MEDIA_TYPE: 'application/vnd.docker.distribution.manifest.v2+json',
    OCI_CONFIG_MEDIA_TYPE: 'application/vnd.oci.image.config.v1+json',
    DOCKER_CONFIG_MEDIA_TYPE: 'application/vnd.docker.container.image.v1+json',
    OCI_INDEX_MEDIA_TYPE: 'application/vnd.oci.image.index.v1+json',
    DOCKER_LIST_MEDIA_TYPE: 'application/vnd.docker.distribution.manifest.list.v2+json',
    SIGNATURE_ANNOTATION: 'dev.cosignproject.cosign/signature',
    CERTIFICATE_ANNOTATION: 'dev.sigstore.cosign/certificate',
    CHAIN_ANNOTATION: 'dev.sigstore.cosign/chain',
    BUNDLE_ANNOTATION: 'dev.sigstore.cosign/bundle',
    MAX_SIGNATURE_LAYERS: 1000,
  })
})

describe('signatureTag', () => {
  const digest = 'sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00'
  const hex = digest.slice('sha256:'.length)

  test.each([
    [undefined, undefined, `sha256-${hex}.sig`],
    ['sig', undefined, `sha256-${hex}.sig`],
    ['att', undefined, `sha256-${hex}.att`],
    ['sbom', undefined, `sha256-${hex}.sbom`],
    ['sig', 'mirror-', `mirror-sha256-${hex}.sig`],
    ['sig', '', `sha256-${hex}.sig`],
  ] as const)('suffix %s, prefix %j', (suffix, prefix, expected) => {
    expect(signatureTag(digest, suffix, prefix)).toBe(expected)
  })

  test.each([
    ['a bad digest', () => signatureTag('sha256:abc'), 'invalid digest'],
    ['a prefix with a space', () => signatureTag(digest, 'sig', 'my prefix'), 'makes the invalid tag'],
    ['a prefix that makes the tag too long', () => signatureTag(digest, 'sig', 'p'.repeat(54)), 'makes the invalid tag'],
  ])('rejects %s', (_, fn, problem) => {
    const err = thrown(fn)
    expect(err.code).toBe('INVALID_REFERENCE')
    expect(err.message).toContain(problem)
  })

  test('allows a prefix up to the 128-character tag limit', () => {
    expect(signatureTag(digest, 'sig', 'p'.repeat(53))).toHaveLength(128)
  })
})

describe('buildSignatureConfig', () => {
  test('matches the derived 233-byte config for the vector payload', () => {
    const config = buildSignatureConfig([payloadDigest])
    expect(config.length).toBe(233)
    expect(text(config)).toBe(readText(`${VALID}/DERIVED-sig-config.json`))
    expect(config).toEqual(readVector(`${VALID}/DERIVED-sig-config.json`))
    expect(sha256Digest(config)).toBe('sha256:be321600a5bd794947dce257829a2f08c21b05dde3edf84706faf6f2ae0f5f60')
  })

  test('adds one history entry and diff_id per layer, in order', () => {
    const config = text(buildSignatureConfig([payloadDigest, D1]))
    expect(config).toBe(
      '{"architecture":"","created":"0001-01-01T00:00:00Z",' +
        '"history":[{"created":"0001-01-01T00:00:00Z"},{"created":"0001-01-01T00:00:00Z"}],' +
        `"os":"","rootfs":{"type":"layers","diff_ids":["${payloadDigest}","${D1}"]},"config":{}}`,
    )
  })

  test.each([
    ['no layers', [], 'at least one layer'],
    ['a bad digest', [payloadDigest, 'sha256:nope'], 'layer digest "sha256:nope" is not a valid digest'],
  ])('rejects %s', (_, digests, problem) => {
    const err = thrown(() => buildSignatureConfig(digests))
    expect(err.code).toBe('INVALID_ARGUMENT')
    expect(err.message).toContain(problem)
  })
})

describe('buildSignatureManifest', () => {
  test('matches the derived 558-byte manifest for the vector signature', () => {
    const layer = signatureLayer()
    const manifest = buildSignatureManifest({config: configFor([layer]), layers: [layer]})
    expect(manifest.length).toBe(558)
    expect(text(manifest)).toBe(readText(`${VALID}/DERIVED-sig-manifest.json`))
    expect(manifest).toEqual(readVector(`${VALID}/DERIVED-sig-manifest.json`))
    expect(sha256Digest(manifest)).toBe('sha256:4e9e18b27581f5046e09644e683cae2a55187345ca64be139bc2d53e12be04c0')
  })

  test('writes layer annotations sorted by key with Go escaping (Rekor vector)', () => {
    const annotations = JSON.parse(readText(`${REKOR}/layer-annotations.json`)) as Record<string, string>
    const rekorPayload = readVector(`${REKOR}/payload.json`)
    const layer: Descriptor = {
      mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
      size: rekorPayload.length,
      digest: sha256Digest(rekorPayload),
      annotations: {[BUNDLE_ANNOTATION]: annotations[BUNDLE_ANNOTATION]!, [SIGNATURE_ANNOTATION]: annotations[SIGNATURE_ANNOTATION]!},
    }
    const json = text(buildSignatureManifest({config: configFor([layer]), layers: [layer]}))
    // The values are plain ASCII without <>&, so JSON.stringify escapes them as Go does.
    expect(json).toContain(
      `"annotations":{"${SIGNATURE_ANNOTATION}":${JSON.stringify(annotations[SIGNATURE_ANNOTATION])},` +
        `"${BUNDLE_ANNOTATION}":${JSON.stringify(annotations[BUNDLE_ANNOTATION])}}}]}`,
    )
    expect(json).toContain('"{\\"SignedEntryTimestamp\\":')
  })

  test('writes a Docker schema 2 manifest when asked', () => {
    const layer = signatureLayer()
    const json = text(
      buildSignatureManifest({mediaType: DOCKER_MANIFEST_MEDIA_TYPE, config: configFor([layer], DOCKER_CONFIG_MEDIA_TYPE), layers: [layer]}),
    )
    expect(json).toMatch(/^\{"schemaVersion":2,"mediaType":"application\/vnd\.docker\.distribution\.manifest\.v2\+json","config":\{"mediaType":"application\/vnd\.docker\.container\.image\.v1\+json",/)
  })

  test('leaves out empty optional fields and writes the rest in Go struct order', () => {
    const layer: Descriptor = {
      mediaType: 'x',
      size: 0,
      digest: D1,
      annotations: {},
      artifactType: '',
      platform: {architecture: 'arm64', os: 'linux', variant: '', 'os.features': []},
    }
    const withAll: Descriptor = {
      mediaType: 'y',
      size: 1,
      digest: D1,
      artifactType: 'a/b',
      platform: {features: ['f'], variant: 'v8', 'os.features': ['g'], 'os.version': '1', os: 'linux', architecture: 'arm64'},
      annotations: {z: '1', a: '<'},
    }
    const json = text(
      buildSignatureManifest({config: {mediaType: 'c', size: 2, digest: D1}, layers: [layer, withAll], subject: layer, annotations: {k: 'v'}}),
    )
    expect(json).toBe(
      `{"schemaVersion":2,"mediaType":"${OCI_MANIFEST_MEDIA_TYPE}","config":{"mediaType":"c","size":2,"digest":"${D1}"},` +
        `"layers":[{"mediaType":"x","size":0,"digest":"${D1}","platform":{"architecture":"arm64","os":"linux"}},` +
        `{"mediaType":"y","size":1,"digest":"${D1}","annotations":{"a":"\\u003c","z":"1"},` +
        `"platform":{"architecture":"arm64","os":"linux","os.version":"1","os.features":["g"],"variant":"v8","features":["f"]},"artifactType":"a/b"}],` +
        `"annotations":{"k":"v"},"subject":{"mediaType":"x","size":0,"digest":"${D1}","platform":{"architecture":"arm64","os":"linux"}}}`,
    )
  })

  test.each([
    ['an index media type', {mediaType: OCI_INDEX_MEDIA_TYPE}, 'unsupported media type'],
    ['a bad layer digest', {layers: [{...signatureLayer(), digest: 'sha256:x'}]}, 'layers[0].digest "sha256:x" is not a valid digest'],
    ['a fractional size', {layers: [{...signatureLayer(), size: 1.5}]}, 'layers[0].size must be a non-negative integer'],
    ['a negative config size', {config: {mediaType: 'c', size: -1, digest: D1}}, 'config.size must be a non-negative integer'],
  ])('rejects %s with INVALID_ARGUMENT', (_, override, problem) => {
    const options = {config: {mediaType: OCI_CONFIG_MEDIA_TYPE, size: 233, digest: D1}, layers: [signatureLayer()], ...override}
    const err = thrown(() => buildSignatureManifest(options))
    expect(err.code).toBe('INVALID_ARGUMENT')
    expect(err.message).toContain(problem)
  })
})

describe('parseSignatureManifest', () => {
  test('reads the derived manifest', () => {
    expect(parseSignatureManifest(readVector(`${VALID}/DERIVED-sig-manifest.json`))).toEqual({
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      config: {mediaType: OCI_CONFIG_MEDIA_TYPE, size: 233, digest: 'sha256:be321600a5bd794947dce257829a2f08c21b05dde3edf84706faf6f2ae0f5f60'},
      layers: [signatureLayer()],
    })
  })

  test('round-trips what buildSignatureManifest writes', () => {
    const layers = [signatureLayer(), {...signatureLayer({[SIGNATURE_ANNOTATION]: '', predicateType: 'p'}), digest: D1}]
    const manifest = {mediaType: DOCKER_MANIFEST_MEDIA_TYPE, config: configFor(layers), layers, annotations: {a: 'b'}, subject: layers[1]!}
    expect(parseSignatureManifest(buildSignatureManifest(manifest))).toEqual(manifest)
  })

  test('reads a pretty-printed Docker manifest (vector image manifest)', () => {
    const parsed = parseSignatureManifest(readVector(`${REKOR}/image-manifest.json`))
    expect(parsed.mediaType).toBe(DOCKER_MANIFEST_MEDIA_TYPE)
    expect(parsed.layers).toHaveLength(1)
  })

  test.each([
    [OCI_CONFIG_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE],
    [DOCKER_CONFIG_MEDIA_TYPE, DOCKER_MANIFEST_MEDIA_TYPE],
    ['application/vnd.dev.cosign.artifact.sig.v1+json', OCI_MANIFEST_MEDIA_TYPE],
  ])('infers the media type from a %s config when none is given', (configType, expected) => {
    const doc = {schemaVersion: 2, config: {mediaType: configType, size: 2, digest: D1}, layers: []}
    expect(parseSignatureManifest(utf8(JSON.stringify(doc))).mediaType).toBe(expected)
  })

  test('ignores unknown fields', () => {
    const doc = {schemaVersion: 2, mediaType: OCI_MANIFEST_MEDIA_TYPE, extra: 1, config: {mediaType: 'c', size: 2, digest: D1, data: 'e30='}, layers: []}
    expect(parseSignatureManifest(utf8(JSON.stringify(doc)))).toEqual({mediaType: OCI_MANIFEST_MEDIA_TYPE, config: {mediaType: 'c', size: 2, digest: D1}, layers: []})
  })

  test(`accepts exactly ${MAX_SIGNATURE_LAYERS} layers`, () => {
    const doc = {schemaVersion: 2, config: {mediaType: 'c', size: 2, digest: D1}, layers: Array(MAX_SIGNATURE_LAYERS).fill(signatureLayer())}
    expect(parseSignatureManifest(utf8(JSON.stringify(doc))).layers).toHaveLength(MAX_SIGNATURE_LAYERS)
  })

  const good = {schemaVersion: 2, mediaType: OCI_MANIFEST_MEDIA_TYPE, config: {mediaType: 'c', size: 2, digest: D1}, layers: [signatureLayer()]}
  const layerWith = (patch: Record<string, unknown>) => ({...good, layers: [{...signatureLayer(), ...patch}]})

  test.each<[string, string]>([
    ['not JSON', 'not JSON ('],
    ['', 'not JSON ('],
    ['[]', 'not a JSON object'],
    ['null', 'not a JSON object'],
    [JSON.stringify({...good, schemaVersion: 1}), 'schemaVersion is 1, expected 2'],
    [JSON.stringify({...good, schemaVersion: '2'}), 'schemaVersion is "2", expected 2'],
    [JSON.stringify({...good, schemaVersion: undefined}), 'schemaVersion is undefined, expected 2'],
    [JSON.stringify({...good, mediaType: OCI_INDEX_MEDIA_TYPE}), `it is an index (${OCI_INDEX_MEDIA_TYPE}), not an image manifest`],
    [JSON.stringify({...good, mediaType: DOCKER_LIST_MEDIA_TYPE}), 'it is an index'],
    [JSON.stringify({...good, mediaType: 'text/plain'}), 'unsupported media type "text/plain"'],
    [JSON.stringify({...good, mediaType: 7}), 'unsupported media type 7'],
    [JSON.stringify({...good, config: undefined}), 'config must be a descriptor object'],
    [JSON.stringify({...good, config: {size: 2, digest: D1}}), 'config.mediaType must be a string'],
    [JSON.stringify({...good, config: {mediaType: 'c', size: 2, digest: 'sha256:abc'}}), 'config.digest "sha256:abc" is not a valid digest'],
    [JSON.stringify({...good, layers: undefined}), 'layers must be a list'],
    [JSON.stringify({...good, layers: {}}), 'layers must be a list'],
    [JSON.stringify({...good, layers: [null]}), 'layers[0] must be a descriptor object'],
    [JSON.stringify(layerWith({size: -1})), 'layers[0].size must be a non-negative integer'],
    [JSON.stringify(layerWith({size: 1.5})), 'layers[0].size must be a non-negative integer'],
    [JSON.stringify(layerWith({size: '261'})), 'layers[0].size must be a non-negative integer'],
    [JSON.stringify(layerWith({size: 2 ** 53})), 'layers[0].size must be a non-negative integer'],
    [JSON.stringify(layerWith({digest: undefined})), 'layers[0].digest undefined is not a valid digest'],
    [JSON.stringify(layerWith({annotations: {k: 1}})), 'layers[0].annotations["k"] must be a string'],
    [JSON.stringify(layerWith({annotations: ['k']})), 'layers[0].annotations must be an object of strings'],
    [JSON.stringify(layerWith({platform: 'linux'})), 'layers[0].platform must be an object'],
    [JSON.stringify(layerWith({platform: {os: 1}})), 'layers[0].platform.os must be a string'],
    [JSON.stringify(layerWith({artifactType: 1})), 'layers[0].artifactType must be a string'],
    [JSON.stringify({...good, subject: {mediaType: 'x'}}), 'subject.size must be a non-negative integer'],
    [JSON.stringify({...good, layers: Array(MAX_SIGNATURE_LAYERS + 1).fill(signatureLayer())}), 'it has 1001 layers, more than the limit of 1000'],
  ])('rejects %s', (doc, problem) => {
    const err = thrown(() => parseSignatureManifest(utf8(doc)))
    expect(err.code).toBe('INVALID_SIGNATURE_MANIFEST')
    expect(err.message).toMatch(/^invalid signature manifest: /)
    expect(err.message).toContain(problem)
  })
})

describe('isDuplicateSignature', () => {
  const cosignPub = createPublicKey(readText(`${VALID}/cosign.pub`))
  const verifiesWithCosignPub = (sig: Uint8Array) => verify('sha256', payload, cosignPub, sig)

  test('the vector signature verifies with cosign.pub (sanity)', () => {
    expect(verifiesWithCosignPub(Buffer.from(signatureB64, 'base64'))).toBe(true)
  })

  test('an identical layer whose signature verifies is a duplicate', () => {
    expect(isDuplicateSignature(signatureLayer(), signatureLayer(), verifiesWithCosignPub)).toBe(true)
  })

  test("a new ECDSA signature by the same key duplicates the old one (only the old one is checked)", () => {
    const fresh = signatureLayer({[SIGNATURE_ANNOTATION]: 'bm90IGV2ZW4gYSBzaWduYXR1cmU='})
    expect(isDuplicateSignature(signatureLayer(), fresh, verifiesWithCosignPub)).toBe(true)
  })

  test('a signature by another key is not a duplicate', () => {
    const other = generateKeyPairSync('ec', {namedCurve: 'P-256'})
    const verifiesWithOther = (sig: Uint8Array) => verify('sha256', payload, other.publicKey, sig)
    const ownSignature = sign('sha256', payload, other.privateKey).toString('base64')
    expect(isDuplicateSignature(signatureLayer(), signatureLayer({[SIGNATURE_ANNOTATION]: ownSignature}), verifiesWithOther)).toBe(false)
  })

  test('extra annotations on the old layer do not matter (rule a is one-way)', () => {
    const old = signatureLayer({[SIGNATURE_ANNOTATION]: signatureB64, [BUNDLE_ANNOTATION]: '{}'})
    expect(isDuplicateSignature(old, signatureLayer(), verifiesWithCosignPub)).toBe(true)
  })

  test('a signature split by newlines still decodes, as Go ignores CR and LF', () => {
    const wrapped = `${signatureB64.slice(0, 40)}\r\n${signatureB64.slice(40)}`
    expect(isDuplicateSignature(signatureLayer({[SIGNATURE_ANNOTATION]: wrapped}), signatureLayer(), verifiesWithCosignPub)).toBe(true)
  })

  test.each<[string, Descriptor, Descriptor, boolean]>([
    ['(a) the new layer has an annotation the old lacks', signatureLayer(), signatureLayer({[SIGNATURE_ANNOTATION]: 'x', [BUNDLE_ANNOTATION]: '{}'}), false],
    [
      '(a) an annotation value differs',
      signatureLayer({[SIGNATURE_ANNOTATION]: signatureB64, [CERTIFICATE_ANNOTATION]: 'A'}),
      signatureLayer({[SIGNATURE_ANNOTATION]: 'x', [CERTIFICATE_ANNOTATION]: 'B'}),
      false,
    ],
    ['(b) the payload digest differs', signatureLayer(), {...signatureLayer(), digest: D1}, false],
    ['(c) the media type differs', signatureLayer(), {...signatureLayer(), mediaType: 'application/vnd.dsse.envelope.v1+json'}, false],
    ['(d) the old signature is empty (attestation layers)', signatureLayer({[SIGNATURE_ANNOTATION]: ''}), signatureLayer(), false],
    ['(d) the old layer has no signature', {...signatureLayer(), annotations: undefined}, signatureLayer(), false],
    ['(d) the old signature is not base64', signatureLayer({[SIGNATURE_ANNOTATION]: 'not base64!'}), signatureLayer(), false],
    ['(d) the old signature lacks padding', signatureLayer({[SIGNATURE_ANNOTATION]: signatureB64.replace(/=+$/, '').slice(0, -1)}), signatureLayer(), false],
  ])('not a duplicate when %s', (_, existing, candidate, callbackRan) => {
    const verifyExisting = vi.fn(() => true)
    expect(isDuplicateSignature(existing, candidate, verifyExisting)).toBe(false)
    expect(verifyExisting).toHaveBeenCalledTimes(callbackRan ? 1 : 0)
  })

  test('hands the decoded old signature to the callback', () => {
    const verifyExisting = vi.fn((_sig: Uint8Array) => false)
    expect(isDuplicateSignature(signatureLayer(), signatureLayer(), verifyExisting)).toBe(false)
    expect(Buffer.from(verifyExisting.mock.calls[0]![0]).toString('base64')).toBe(signatureB64)
  })
})

describe('appendSignatureLayer', () => {
  const accept = () => true
  const reject = () => false

  test('starts an OCI manifest when there is none', () => {
    expect(appendSignatureLayer(undefined, signatureLayer(), accept)).toEqual({mediaType: OCI_MANIFEST_MEDIA_TYPE, layers: [signatureLayer()], appended: true})
  })

  test('starts a Docker manifest when given an empty Docker one', () => {
    const merged = appendSignatureLayer({mediaType: DOCKER_MANIFEST_MEDIA_TYPE, layers: []}, signatureLayer(), accept)
    expect(merged).toEqual({mediaType: DOCKER_MANIFEST_MEDIA_TYPE, layers: [signatureLayer()], appended: true})
  })

  test('appends after the existing layers and keeps the media type', () => {
    const first = {...signatureLayer(), digest: D1}
    const existing = {mediaType: DOCKER_MANIFEST_MEDIA_TYPE, layers: [first]}
    const merged = appendSignatureLayer(existing, signatureLayer(), reject)
    expect(merged).toEqual({mediaType: DOCKER_MANIFEST_MEDIA_TYPE, layers: [first, signatureLayer()], appended: true})
    expect(existing.layers).toEqual([first])
  })

  test('does not append a duplicate, and leaves the layers as they were', () => {
    const other = {...signatureLayer(), digest: D1}
    const existing = {mediaType: OCI_MANIFEST_MEDIA_TYPE, layers: [other, signatureLayer()]}
    const verifyExisting = vi.fn(accept)
    const merged = appendSignatureLayer(existing, signatureLayer({[SIGNATURE_ANNOTATION]: 'bmV3'}), verifyExisting)
    expect(merged).toEqual({mediaType: OCI_MANIFEST_MEDIA_TYPE, layers: [other, signatureLayer()], appended: false})
    expect(merged.layers).not.toBe(existing.layers)
    expect(verifyExisting).toHaveBeenCalledTimes(1)
  })

  test('applied to the vector manifest, re-signing the same payload is a no-op', () => {
    const existing = parseSignatureManifest(readVector(`${VALID}/DERIVED-sig-manifest.json`))
    const cosignPub = createPublicKey(readText(`${VALID}/cosign.pub`))
    const merged = appendSignatureLayer(existing, signatureLayer({[SIGNATURE_ANNOTATION]: 'bmV3'}), (sig) => verify('sha256', payload, cosignPub, sig))
    expect(merged.appended).toBe(false)
    expect(buildSignatureManifest({mediaType: merged.mediaType, config: configFor(merged.layers), layers: merged.layers})).toEqual(
      readVector(`${VALID}/DERIVED-sig-manifest.json`),
    )
  })
})
