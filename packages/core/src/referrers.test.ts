import {thrown} from '../test/thrown.js'
import {readFileSync} from 'node:fs'
import {describe, expect, test} from 'vitest'
import {sha256Digest} from './digest.js'
import {COSIGN_SIGN_PREDICATE_TYPE} from './in-toto.js'
import {
  BUNDLE_CONTENT_ANNOTATION,
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
  MAX_REFERRER_MANIFEST_BYTES,
  MAX_REFERRERS_INDEX_ENTRIES,
  OCI_CREATED_ANNOTATION,
  OCI_EMPTY_DIGEST,
  OCI_EMPTY_JSON,
  OCI_EMPTY_MEDIA_TYPE,
  addToReferrersIndex,
  buildBundleReferrerManifest,
  buildReferrersIndex,
  formatRfc3339Seconds,
  parseReferrerManifest,
  parseReferrersIndex,
  referrersIndexEntry,
  referrersTag,
  removeFromReferrersIndex,
  sigstoreBundleLayer,
} from './referrers.js'
import {OCI_MANIFEST_MEDIA_TYPE} from './signature-manifest.js'
import {SIGSTORE_BUNDLE_V03_MEDIA_TYPE} from './sigstore-bundle.js'

const vectors = new URL('../../../../shared/spec/vectors/cosign3/', import.meta.url)
const readVector = (path: string) => new Uint8Array(readFileSync(new URL(path, vectors)))
const utf8 = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array) => new TextDecoder().decode(b)

const IMAGE_DIGEST = 'sha256:6c11cb75f27d9244063c2d5499cd08d6cce4cc8fe88bafdb6387c05c050f982d'
const imageManifest = readVector('image/image-manifest.json')
const subject = {mediaType: OCI_MANIFEST_MEDIA_TYPE, size: imageManifest.length, digest: sha256Digest(imageManifest)}
const signManifest = readVector('image/bundle-manifest.json')
const attestManifest = readVector('attestation/bundle-manifest.json')


test('constants', () => {
  expect(OCI_EMPTY_MEDIA_TYPE).toBe('application/vnd.oci.empty.v1+json')
  expect(OCI_EMPTY_JSON).toBe('{}')
  expect(OCI_EMPTY_DIGEST).toBe(sha256Digest(utf8(OCI_EMPTY_JSON)))
  expect(BUNDLE_CONTENT_ANNOTATION).toBe('dev.sigstore.bundle.content')
  expect(BUNDLE_PREDICATE_TYPE_ANNOTATION).toBe('dev.sigstore.bundle.predicateType')
  expect(OCI_CREATED_ANNOTATION).toBe('org.opencontainers.image.created')
  expect(MAX_REFERRER_MANIFEST_BYTES).toBe(4 * 1024 * 1024)
  expect(MAX_REFERRERS_INDEX_ENTRIES).toBe(1000)
})

test('the vector image is the subject the README names', () => {
  expect(subject.digest).toBe(IMAGE_DIGEST)
  expect(subject.size).toBe(192)
})

test('referrersTag', () => {
  expect(referrersTag(IMAGE_DIGEST)).toBe('sha256-6c11cb75f27d9244063c2d5499cd08d6cce4cc8fe88bafdb6387c05c050f982d')
  expect(thrown(() => referrersTag('sha256:xyz')).code).toBe('INVALID_REFERENCE')
})

describe('buildBundleReferrerManifest', () => {
  test.each([
    ['image/bundle-manifest.json', 'image/bundle.json', COSIGN_SIGN_PREDICATE_TYPE, '2026-12-07T11:35:59Z'],
    ['attestation/bundle-manifest.json', 'attestation/bundle.json', 'https://slsa.dev/provenance/v0.2', '2026-12-07T11:36:07Z'],
  ])('byte for byte %s', (manifestPath, bundlePath, predicateType, created) => {
    const bundle = readVector(bundlePath)
    const bundleDescriptor = {size: bundle.length, digest: sha256Digest(bundle)}
    const expected = readVector(manifestPath)
    expect(buildBundleReferrerManifest({subject, bundleDescriptor, predicateType, created})).toEqual(expected)
    expect(buildBundleReferrerManifest({subject, bundleDescriptor, predicateType, created: new Date(`${created.slice(0, -1)}.987Z`)})).toEqual(expected)
  })

  test('subject fields beyond mediaType, size and digest are not written', () => {
    const out = buildBundleReferrerManifest({
      subject: {...subject, annotations: {a: 'b'}, artifactType: 'x'},
      bundleDescriptor: {size: 1, digest: IMAGE_DIGEST},
      predicateType: 'p&q',
      created: '2026-01-01T00:00:00Z',
    })
    const doc = JSON.parse(text(out))
    expect(doc.subject).toEqual(subject)
    expect(text(out)).toContain('"dev.sigstore.bundle.predicateType":"p\\u0026q"') // ggcr: encoding/json escaping
  })

  test.each([
    ['a bad subject digest', {subject: {...subject, digest: 'sha256:x'}}],
    ['a negative bundle size', {bundleDescriptor: {size: -1, digest: IMAGE_DIGEST}}],
    ['an empty predicateType', {predicateType: ''}],
    ['a time that is not RFC 3339', {created: 'yesterday'}],
    ['an invalid Date', {created: new Date(NaN)}],
  ])('%s is refused', (_name, override) => {
    const options = {subject, bundleDescriptor: {size: 1, digest: IMAGE_DIGEST}, predicateType: 'p', created: '2026-01-01T00:00:00Z', ...override}
    expect(thrown(() => buildBundleReferrerManifest(options)).code).toBe('INVALID_ARGUMENT')
  })

  test('formatRfc3339Seconds', () => {
    expect(formatRfc3339Seconds(new Date(Date.UTC(2026, 11, 7, 11, 35, 59, 999)))).toBe('2026-12-07T11:35:59Z')
  })
})

describe('parseReferrerManifest', () => {
  test('the cosign 3.1.1 referrer', () => {
    const m = parseReferrerManifest(signManifest)
    expect(m).toEqual({
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      artifactType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
      config: {mediaType: OCI_EMPTY_MEDIA_TYPE, size: 2, digest: OCI_EMPTY_DIGEST, artifactType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE},
      layers: [{mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE, size: 699, digest: 'sha256:c274bd45c5b8e4e4729b239177c94e9d538b2ecdd2e01b1fd8586d4ad4442e7e'}],
      annotations: {
        'dev.sigstore.bundle.content': 'dsse-envelope',
        'dev.sigstore.bundle.predicateType': COSIGN_SIGN_PREDICATE_TYPE,
        'org.opencontainers.image.created': '2026-12-07T11:35:59Z',
      },
      subject,
    })
    expect(sigstoreBundleLayer(m)).toEqual(m.layers[0])
    expect(parseReferrerManifest(attestManifest).annotations![BUNDLE_PREDICATE_TYPE_ANNOTATION]).toBe('https://slsa.dev/provenance/v0.2')
  })

  test('sigstoreBundleLayer: cosign’s rule (one layer, bundle media type prefix)', () => {
    const m = parseReferrerManifest(signManifest)
    expect(sigstoreBundleLayer({...m, layers: [...m.layers, ...m.layers]})).toBeUndefined()
    expect(sigstoreBundleLayer({...m, layers: []})).toBeUndefined()
    expect(sigstoreBundleLayer({...m, layers: [{...m.layers[0]!, mediaType: 'application/spdx+json'}]})).toBeUndefined()
    const old = {...m.layers[0]!, mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.2'}
    expect(sigstoreBundleLayer({...m, layers: [old]})).toEqual(old)
  })

  const doc = JSON.parse(text(signManifest))
  test.each([
    ['not JSON', 'garbage', 'not-json'],
    ['an index', readVector('image/referrers-tag-index.json'), 'not-a-manifest'],
    ['a Docker manifest', JSON.stringify({...doc, mediaType: 'application/vnd.docker.distribution.manifest.v2+json'}), 'not-a-manifest'],
    ['schema version 1', JSON.stringify({...doc, schemaVersion: 1}), 'not-a-manifest'],
    ['no config', JSON.stringify({...doc, config: undefined}), 'invalid'],
    ['layers not a list', JSON.stringify({...doc, layers: {}}), 'invalid'],
    ['1001 layers (counted before they are read)', JSON.stringify({...doc, layers: Array(1001).fill(null)}), 'too-many-layers'],
    ['a bad subject', JSON.stringify({...doc, subject: {mediaType: 'x', size: 1, digest: 'nope'}}), 'invalid'],
    ['non-string annotations', JSON.stringify({...doc, annotations: {a: 1}}), 'invalid'],
    ['a numeric artifactType', JSON.stringify({...doc, artifactType: 5}), 'invalid'],
  ])('%s → INVALID_SIGNATURE_MANIFEST', (_name, input, reason) => {
    const err = thrown(() => parseReferrerManifest(input))
    expect(err.code).toBe('INVALID_SIGNATURE_MANIFEST')
    expect(err.message).toMatch(/^invalid referrer manifest: /)
    expect(err.details).toEqual({format: 'referrer-manifest', reason})
  })

  test('a 100 MB manifest: RESPONSE_TOO_LARGE from its length alone', () => {
    const huge = new Uint8Array(100 * 1024 * 1024).fill(0x20)
    const started = performance.now()
    const err = thrown(() => parseReferrerManifest(huge))
    expect(performance.now() - started).toBeLessThan(50)
    expect(err.code).toBe('RESPONSE_TOO_LARGE')
    expect(err.details).toMatchObject({format: 'referrer-manifest', reason: 'too-large', size: huge.length, limit: MAX_REFERRER_MANIFEST_BYTES})
  })
})

describe('the referrers index (tag-schema fallback)', () => {
  const signEntry = referrersIndexEntry(signManifest)
  const attestEntry = referrersIndexEntry(attestManifest)

  test('the entry cosign 3.1.1 writes has the config media type as artifactType (the quirk)', () => {
    expect(signEntry).toEqual({mediaType: OCI_MANIFEST_MEDIA_TYPE, size: 877, digest: sha256Digest(signManifest), artifactType: OCI_EMPTY_MEDIA_TYPE})
    // Upstream builds (go-containerregistry >= 0.21.6) use the manifest's artifactType instead.
    const upstream = referrersIndexEntry(signManifest, {artifactType: parseReferrerManifest(signManifest).artifactType})
    expect(upstream.artifactType).toBe(SIGSTORE_BUNDLE_V03_MEDIA_TYPE)
  })

  test('first referrer: byte for byte image/referrers-tag-index.json', () => {
    const first = addToReferrersIndex(undefined, signEntry)
    expect(first.added).toBe(true)
    expect(first.bytes).toEqual(readVector('image/referrers-tag-index.json'))
    expect(buildReferrersIndex([signEntry])).toEqual(readVector('image/referrers-tag-index.json'))
  })

  test('adding the attestation: byte for byte attestation/referrers-tag-index-after-attest.json', () => {
    const after = readVector('attestation/referrers-tag-index-after-attest.json')
    const second = addToReferrersIndex(readVector('image/referrers-tag-index.json'), attestEntry)
    expect(second.added).toBe(true)
    expect(second.bytes).toEqual(after)
    expect(second.manifests.map((d) => d.digest)).toEqual([signEntry.digest, attestEntry.digest])
    // Sorted by digest whatever the order of arrival.
    expect(addToReferrersIndex(addToReferrersIndex(undefined, attestEntry).bytes, signEntry).bytes).toEqual(after)
    expect(buildReferrersIndex([attestEntry, signEntry])).toEqual(after)
  })

  test('a digest already listed: unchanged, nothing to write', () => {
    const existing = readVector('attestation/referrers-tag-index-after-attest.json')
    const again = addToReferrersIndex(existing, {...signEntry, artifactType: 'other'})
    expect(again.added).toBe(false)
    expect(again.bytes).toBe(existing)
  })

  test('removeFromReferrersIndex undoes addToReferrersIndex', () => {
    const after = readVector('attestation/referrers-tag-index-after-attest.json')
    const removed = removeFromReferrersIndex(after, attestEntry.digest)
    expect(removed.removed).toBe(true)
    expect(removed.bytes).toEqual(readVector('image/referrers-tag-index.json'))
    const none = removeFromReferrersIndex(after, `sha256:${'f'.repeat(64)}`)
    expect(none).toMatchObject({removed: false, bytes: after})
    expect(text(removeFromReferrersIndex(removed.bytes, signEntry.digest).bytes)).toBe(text(buildReferrersIndex([])))
    expect(thrown(() => removeFromReferrersIndex(signManifest, signEntry.digest)).details).toMatchObject({reason: 'not-an-index'})
  })

  test('foreign entries and index fields survive a re-marshal', () => {
    const foreign = {
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      size: 10,
      digest: `sha256:${'0'.repeat(64)}`,
      urls: ['https://x'],
      data: 'e30=',
      annotations: {z: '1', a: '2'},
      platform: {architecture: 'amd64', os: 'linux', variant: ''},
      artifactType: 'application/spdx+json',
    }
    const start = utf8(JSON.stringify({schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [foreign], annotations: {k: 'v'}, unknown: 1}))
    const out = text(addToReferrersIndex(start, signEntry).bytes)
    expect(out).toBe(
      `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"${OCI_MANIFEST_MEDIA_TYPE}","size":10,"digest":"sha256:${'0'.repeat(64)}","data":"e30=","urls":["https://x"],"annotations":{"a":"2","z":"1"},"platform":{"architecture":"amd64","os":"linux"},"artifactType":"application/spdx+json"},${text(buildReferrersIndex([signEntry])).split('"manifests":[')[1]!.slice(0, -2)}],"annotations":{"k":"v"}}`,
    )
  })

  test('parseReferrersIndex reads the vectors', () => {
    const index = parseReferrersIndex(readVector('attestation/referrers-tag-index-after-attest.json'))
    expect(index.manifests).toEqual([signEntry, attestEntry])
    // The referrers API may leave out the media type.
    expect(parseReferrersIndex('{"schemaVersion":2,"manifests":[]}').manifests).toEqual([])
  })

  test.each([
    ['not JSON', '{', 'not-json'],
    ['a manifest, not an index', signManifest, 'not-an-index'],
    ['a Docker manifest list', '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[]}', 'not-an-index'],
    ['schema version 1', '{"schemaVersion":1,"manifests":[]}', 'not-an-index'],
    ['no manifests list', '{"schemaVersion":2}', 'not-an-index'],
    ['an entry with a bad digest', '{"schemaVersion":2,"manifests":[{"mediaType":"x","size":1,"digest":"sha256:1"}]}', 'invalid'],
    ['an entry that is a string', '{"schemaVersion":2,"manifests":["x"]}', 'invalid'],
  ])('%s → INVALID_SIGNATURE_MANIFEST', (_name, input, reason) => {
    const err = thrown(() => parseReferrersIndex(input))
    expect(err.code).toBe('INVALID_SIGNATURE_MANIFEST')
    expect(err.message).toMatch(/^invalid referrers index: /)
    expect(err.details).toEqual({format: 'referrers-index', reason})
  })

  test('10,000 entries: refused on the count, before any entry is read', () => {
    const entry = JSON.stringify(signEntry)
    const big = utf8(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[${Array(10_000).fill(entry).join(',')}]}`)
    expect(big.length).toBeLessThan(MAX_REFERRER_MANIFEST_BYTES)
    const err = thrown(() => parseReferrersIndex(big))
    expect(err.details).toEqual({format: 'referrers-index', reason: 'too-many-entries'})
    expect(err.message).toContain('10000 manifests, more than the limit of 1000')
    // Entries are not looked at: invalid ones give the same answer.
    const junk = utf8(`{"schemaVersion":2,"manifests":[${Array(10_000).fill('0').join(',')}]}`)
    expect(thrown(() => parseReferrersIndex(junk)).details).toMatchObject({reason: 'too-many-entries'})
    expect(thrown(() => parseReferrersIndex(junk, {maxEntries: 20_000})).details).toMatchObject({reason: 'invalid'})
    expect(thrown(() => parseReferrersIndex(readVector('attestation/referrers-tag-index-after-attest.json'), {maxEntries: 1})).details).toMatchObject({
      reason: 'too-many-entries',
    })
    // addToReferrersIndex applies the same limits to the index it extends.
    expect(thrown(() => addToReferrersIndex(big, attestEntry)).details).toMatchObject({reason: 'too-many-entries'})
  })

  test('an index over the byte limit: RESPONSE_TOO_LARGE before decoding', () => {
    expect(thrown(() => parseReferrersIndex(new Uint8Array(100), {maxBytes: 99})).code).toBe('RESPONSE_TOO_LARGE')
  })

  test('building refuses malformed descriptors', () => {
    expect(thrown(() => buildReferrersIndex([{...signEntry, size: 1.5}])).code).toBe('INVALID_ARGUMENT')
    expect(thrown(() => addToReferrersIndex(undefined, {...signEntry, digest: 'x'})).code).toBe('INVALID_ARGUMENT')
    expect(text(buildReferrersIndex([]))).toBe('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}')
  })
})
