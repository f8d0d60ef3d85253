/**
 * OCI 1.1 referrers as cosign 3 writes and reads them (spec §2.6, §2.7): the bundle referrer
 * manifest, the referrers index (what the referrers API returns and what the tag-schema
 * fallback stores under `sha256-<hex>`), and the pieces that go with them.
 */
import {parseDigest, sha256Digest} from './digest.js'
import {SigilError} from './errors.js'
import {goMarshal, sortedKeys} from './go-json.js'
import {failWith, isJsonObject, kindOf, parseJsonLimited, readOptionalString, readStringMap} from './json-input.js'
import {compareUtf8} from './utf8-order.js'
import {descriptorJson, readDescriptor} from './descriptor-json.js'
import type {IndexDescriptor} from './descriptor-json.js'
import {MAX_SIGNATURE_LAYERS, OCI_INDEX_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE, DOCKER_LIST_MEDIA_TYPE} from './signature-manifest.js'
import type {Descriptor} from './signature-manifest.js'
import {SIGSTORE_BUNDLE_V03_MEDIA_TYPE} from './sigstore-bundle.js'

/** The OCI empty descriptor's media type: cosign's referrer config. */
export const OCI_EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json'
/** The empty config blob, `{}` (2 bytes). */
export const OCI_EMPTY_JSON = '{}'
/** Digest of `{}`. */
export const OCI_EMPTY_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'
/** Manifest annotation: what the bundle holds (cosign writes `dsse-envelope`). */
export const BUNDLE_CONTENT_ANNOTATION = 'dev.sigstore.bundle.content'
/** Manifest annotation: the statement's predicateType, for filtering without fetching the bundle. */
export const BUNDLE_PREDICATE_TYPE_ANNOTATION = 'dev.sigstore.bundle.predicateType'
/** Manifest annotation: creation time, RFC 3339 UTC to the second. */
export const OCI_CREATED_ANNOTATION = 'org.opencontainers.image.created'
/** Largest referrer manifest / referrers index decoded unless told otherwise (4 MiB, distribution's manifest limit). */
export const MAX_REFERRER_MANIFEST_BYTES = 4 * 1024 * 1024
/** Most entries `parseReferrersIndex` accepts unless told otherwise. */
export const MAX_REFERRERS_INDEX_ENTRIES = 1000


export type {IndexDescriptor}

/** A decoded referrer manifest (an OCI image manifest with a `subject`, usually). */
export interface ReferrerManifest {
  readonly mediaType: string
  /** Top-level `artifactType` (cosign 3: the bundle media type). */
  readonly artifactType?: string
  readonly config: Descriptor
  readonly layers: readonly Descriptor[]
  readonly annotations?: Readonly<Record<string, string>>
  readonly subject?: Descriptor
}

/** A decoded referrers index. */
export interface ReferrersIndex {
  readonly mediaType: string
  readonly manifests: readonly IndexDescriptor[]
  readonly annotations?: Readonly<Record<string, string>>
  readonly subject?: Descriptor
  readonly artifactType?: string
}

/** Options of the decoders here. */
export interface ParseReferrerOptions {
  /** Size limit checked before decoding; default `MAX_REFERRER_MANIFEST_BYTES`. */
  readonly maxBytes?: number
}

/** Options of `parseReferrersIndex`. */
export interface ParseReferrersIndexOptions extends ParseReferrerOptions {
  /** Most entries accepted, checked before any entry is read; default `MAX_REFERRERS_INDEX_ENTRIES`. */
  readonly maxEntries?: number
}

/**
 * The referrers tag-schema fallback tag of a subject: `sha256:<hex>` → `sha256-<hex>`
 * (no suffix). Throws `INVALID_REFERENCE` for a bad digest.
 */
export function referrersTag(digest: string): string {
  const {algorithm, hex} = parseDigest(digest)
  return `${algorithm}-${hex}`
}

// ---- JSON (ggcr v1.Descriptor / Manifest / IndexManifest, encoding/json) ----

function checkDescriptor(d: Descriptor, path: string): void {
  readDescriptor(d, path, failWith('INVALID_ARGUMENT', 'cannot build referrer', 'referrer'), true)
}

// ---- the bundle referrer manifest ----

/** Input of `buildBundleReferrerManifest`. */
export interface BundleReferrerManifestOptions {
  /** The signed manifest: its media type, size and digest (what a HEAD returns). */
  readonly subject: Descriptor
  /** The bundle blob: size and digest; media type default `SIGSTORE_BUNDLE_V03_MEDIA_TYPE`. */
  readonly bundleDescriptor: {readonly size: number; readonly digest: string; readonly mediaType?: string}
  /** The statement's predicateType (`COSIGN_SIGN_PREDICATE_TYPE` for `sign`). */
  readonly predicateType: string
  /** `org.opencontainers.image.created`: a Date (written in UTC to the second) or an RFC 3339 string as is. */
  readonly created: Date | string
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/

/** Go's `time.Now().UTC().Format(time.RFC3339)`: `2026-12-07T11:35:59Z`. */
export function formatRfc3339Seconds(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new SigilError('INVALID_ARGUMENT', 'invalid date')
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/**
 * The referrer manifest cosign 3.1.1 pushes (by digest) for a bundle, byte for byte:
 * `schemaVersion`, `mediaType` (OCI manifest), `config` = the empty descriptor with cosign's
 * extra `artifactType` (the bundle media type), one layer = the bundle, key-sorted
 * `annotations` (`dev.sigstore.bundle.content: dsse-envelope`, `dev.sigstore.bundle.predicateType`,
 * `org.opencontainers.image.created`), `subject`, then top-level `artifactType`.
 * Throws `INVALID_ARGUMENT` for malformed descriptors, an empty predicateType or a bad time.
 */
export function buildBundleReferrerManifest(options: BundleReferrerManifestOptions): Uint8Array {
  const bundleMediaType = options.bundleDescriptor.mediaType ?? SIGSTORE_BUNDLE_V03_MEDIA_TYPE
  const layer: Descriptor = {mediaType: bundleMediaType, size: options.bundleDescriptor.size, digest: options.bundleDescriptor.digest}
  checkDescriptor(layer, 'bundleDescriptor')
  checkDescriptor(options.subject, 'subject')
  if (options.predicateType === '') throw new SigilError('INVALID_ARGUMENT', 'cannot build referrer: predicateType is empty')
  const created = typeof options.created === 'string' ? options.created : formatRfc3339Seconds(options.created)
  if (!RFC3339.test(created)) throw new SigilError('INVALID_ARGUMENT', `cannot build referrer: created ${JSON.stringify(created)} is not an RFC 3339 time`)
  const json = goMarshal({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    config: {mediaType: OCI_EMPTY_MEDIA_TYPE, size: OCI_EMPTY_JSON.length, digest: OCI_EMPTY_DIGEST, artifactType: bundleMediaType},
    layers: [descriptorJson(layer)],
    annotations: sortedKeys({
      [BUNDLE_CONTENT_ANNOTATION]: 'dsse-envelope',
      [BUNDLE_PREDICATE_TYPE_ANNOTATION]: options.predicateType,
      [OCI_CREATED_ANNOTATION]: created,
    }),
    subject: descriptorJson({mediaType: options.subject.mediaType, size: options.subject.size, digest: options.subject.digest}),
    artifactType: bundleMediaType,
  })
  return new TextEncoder().encode(json)
}

/**
 * Decode a manifest found through the referrers API or index: `schemaVersion` 2, an OCI image
 * manifest (an index or another type is refused), `config`, at most `MAX_SIGNATURE_LAYERS`
 * layers (counted before they are read), optional `annotations`, `subject`, `artifactType`.
 * Throws `RESPONSE_TOO_LARGE` over `maxBytes` (before decoding), else
 * `INVALID_SIGNATURE_MANIFEST` (`details.reason`: `not-json`, `not-a-manifest`, `too-many-layers`, `invalid`).
 */
export function parseReferrerManifest(input: Uint8Array | string, options: ParseReferrerOptions = {}): ReferrerManifest {
  const fail = failWith('INVALID_SIGNATURE_MANIFEST', 'invalid referrer manifest', 'referrer-manifest')
  const doc = parseJsonLimited(input, options.maxBytes ?? MAX_REFERRER_MANIFEST_BYTES, 'referrer manifest', 'referrer-manifest', fail)
  if (!isJsonObject(doc)) return fail(`not a JSON object (got ${kindOf(doc)})`, 'not-a-manifest')
  if (doc.schemaVersion !== 2) fail(`schemaVersion is ${JSON.stringify(doc.schemaVersion)}, expected 2`, 'not-a-manifest')
  const mediaType = doc.mediaType ?? OCI_MANIFEST_MEDIA_TYPE
  if (mediaType !== OCI_MANIFEST_MEDIA_TYPE) fail(`media type ${JSON.stringify(mediaType)} is not an OCI image manifest`, 'not-a-manifest')
  const config = readDescriptor(doc.config, 'config', fail, true)
  if (!Array.isArray(doc.layers)) return fail(`layers must be a list, got ${kindOf(doc.layers)}`)
  if (doc.layers.length > MAX_SIGNATURE_LAYERS) fail(`it has ${doc.layers.length} layers, more than the limit of ${MAX_SIGNATURE_LAYERS}`, 'too-many-layers')
  const layers = doc.layers.map((l, i) => readDescriptor(l, `layers[${i}]`, fail, true))
  const annotations = readStringMap(doc.annotations, 'annotations', fail)
  const subject = doc.subject === undefined || doc.subject === null ? undefined : readDescriptor(doc.subject, 'subject', fail, true)
  const artifactType = readOptionalString(doc.artifactType, 'artifactType', fail)
  return {
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    ...(artifactType && {artifactType}),
    config,
    layers,
    ...(annotations && {annotations}),
    ...(subject && {subject}),
  }
}

const BUNDLE_MEDIA_TYPE_PREFIX = 'application/vnd.dev.sigstore.bundle'

/**
 * The bundle layer of a referrer, by cosign's rule (`ociremote.Bundle`): exactly one layer,
 * whose media type starts with `application/vnd.dev.sigstore.bundle`. `undefined` for any
 * other referrer (an SBOM, a legacy-format referrer…), which verification skips.
 */
export function sigstoreBundleLayer(manifest: ReferrerManifest): Descriptor | undefined {
  if (manifest.layers.length !== 1) return undefined
  const layer = manifest.layers[0]!
  return layer.mediaType.startsWith(BUNDLE_MEDIA_TYPE_PREFIX) ? layer : undefined
}

// ---- the referrers index ----

/**
 * Decode a referrers index (the referrers API answer, or the fallback tag's manifest):
 * a JSON object with `schemaVersion` 2 and media type `application/vnd.oci.image.index.v1+json`
 * (the API may omit it), and at most `maxEntries` `manifests`, counted before any is read.
 * Throws `RESPONSE_TOO_LARGE` over `maxBytes` (before decoding), else
 * `INVALID_SIGNATURE_MANIFEST` (`details.reason`: `not-json`, `not-an-index`, `too-many-entries`, `invalid`).
 */
export function parseReferrersIndex(input: Uint8Array | string, options: ParseReferrersIndexOptions = {}): ReferrersIndex {
  const fail = failWith('INVALID_SIGNATURE_MANIFEST', 'invalid referrers index', 'referrers-index')
  const doc = parseJsonLimited(input, options.maxBytes ?? MAX_REFERRER_MANIFEST_BYTES, 'referrers index', 'referrers-index', fail)
  if (!isJsonObject(doc)) return fail(`not a JSON object (got ${kindOf(doc)})`, 'not-an-index')
  if (doc.schemaVersion !== 2) fail(`schemaVersion is ${JSON.stringify(doc.schemaVersion)}, expected 2`, 'not-an-index')
  const mediaType = doc.mediaType ?? OCI_INDEX_MEDIA_TYPE
  if (mediaType !== OCI_INDEX_MEDIA_TYPE) {
    fail(`media type ${JSON.stringify(mediaType)} is not ${mediaType === DOCKER_LIST_MEDIA_TYPE ? 'an OCI index' : 'an index'}`, 'not-an-index')
  }
  const list = doc.manifests
  if (!Array.isArray(list)) return fail(`manifests must be a list, got ${kindOf(list)}`, 'not-an-index')
  const maxEntries = options.maxEntries ?? MAX_REFERRERS_INDEX_ENTRIES
  if (list.length > maxEntries) fail(`it lists ${list.length} manifests, more than the limit of ${maxEntries}`, 'too-many-entries')
  const manifests = list.map((d, i) => readDescriptor(d, `manifests[${i}]`, fail, true))
  const annotations = readStringMap(doc.annotations, 'annotations', fail)
  const subject = doc.subject === undefined || doc.subject === null ? undefined : readDescriptor(doc.subject, 'subject', fail, true)
  const artifactType = readOptionalString(doc.artifactType, 'artifactType', fail)
  return {mediaType: OCI_INDEX_MEDIA_TYPE, manifests, ...(annotations && {annotations}), ...(subject && {subject}), ...(artifactType && {artifactType})}
}

function sortByDigest(descriptors: readonly IndexDescriptor[]): IndexDescriptor[] {
  // ggcr: sort.Slice by digest string (Go string order); not stable, digests are unique.
  return [...descriptors].sort((a, b) => compareUtf8(a.digest, b.digest))
}

function marshalIndex(index: Omit<ReferrersIndex, 'mediaType'>): Uint8Array {
  const json = goMarshal({
    schemaVersion: 2,
    mediaType: OCI_INDEX_MEDIA_TYPE,
    manifests: index.manifests.map(descriptorJson),
    annotations: index.annotations && Object.keys(index.annotations).length > 0 ? sortedKeys(index.annotations) : undefined,
    subject: index.subject && descriptorJson(index.subject),
    artifactType: index.artifactType || undefined,
  })
  return new TextEncoder().encode(json)
}

/**
 * The fallback index listing `descriptors`, as go-containerregistry writes it: entries sorted
 * by digest, `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[…]}`.
 * Throws `INVALID_ARGUMENT` for a malformed descriptor.
 */
export function buildReferrersIndex(descriptors: readonly IndexDescriptor[]): Uint8Array {
  descriptors.forEach((d, i) => checkDescriptor(d, `descriptors[${i}]`))
  return marshalIndex({manifests: sortByDigest(descriptors)})
}

/** Result of `addToReferrersIndex`. */
export interface AddToReferrersIndexResult {
  /** The index to PUT; the input bytes unchanged when nothing was added. */
  readonly bytes: Uint8Array
  /** False when the index already listed the digest (then nothing needs writing). */
  readonly added: boolean
  /** The entries of the result, sorted. */
  readonly manifests: readonly IndexDescriptor[]
}

/**
 * go-containerregistry's fallback update (`commitSubjectReferrers`): no index yet → a new one
 * with `descriptor`; an index already listing `descriptor.digest` → unchanged (`added` false);
 * else `descriptor` appended, entries sorted by digest, the index re-marshalled (its
 * annotations, subject and artifactType kept, unknown fields dropped, as ggcr does).
 * `existing` is decoded with `parseReferrersIndex` and its limits (`options`).
 */
export function addToReferrersIndex(
  existing: Uint8Array | undefined,
  descriptor: IndexDescriptor,
  options: ParseReferrersIndexOptions = {},
): AddToReferrersIndexResult {
  checkDescriptor(descriptor, 'descriptor')
  if (existing === undefined) {
    const manifests = [descriptor]
    return {bytes: marshalIndex({manifests}), added: true, manifests}
  }
  const index = parseReferrersIndex(existing, options)
  if (index.manifests.some((d) => d.digest === descriptor.digest)) return {bytes: existing, added: false, manifests: index.manifests}
  const manifests = sortByDigest([...index.manifests, descriptor])
  return {bytes: marshalIndex({...index, manifests}), added: true, manifests}
}

/** Result of `removeFromReferrersIndex`. */
export interface RemoveFromReferrersIndexResult {
  /** The index to PUT; the input bytes unchanged when nothing was removed. */
  readonly bytes: Uint8Array
  /** False when the index did not list the digest. */
  readonly removed: boolean
  /** The remaining entries, sorted. */
  readonly manifests: readonly IndexDescriptor[]
}

/**
 * The fallback index without the entry for `digest` (sigil's own: cosign never removes), in the
 * same spelling as `addToReferrersIndex`; an index left empty keeps `"manifests":[]`.
 * `existing` is decoded with `parseReferrersIndex` and its limits (`options`).
 */
export function removeFromReferrersIndex(existing: Uint8Array, digest: string, options: ParseReferrersIndexOptions = {}): RemoveFromReferrersIndexResult {
  const index = parseReferrersIndex(existing, options)
  const manifests = sortByDigest(index.manifests.filter((d) => d.digest !== digest))
  if (manifests.length === index.manifests.length) return {bytes: existing, removed: false, manifests: index.manifests}
  return {bytes: marshalIndex({...index, manifests}), removed: true, manifests}
}

/**
 * The index entry cosign adds to the fallback index for a referrer manifest it pushed: media
 * type from the manifest, size, sha256 digest, and `artifactType`. By default the manifest's
 * **config media type** (`application/vnd.oci.empty.v1+json` for a bundle referrer), as the
 * vectors' cosign 3.1.1 wrote: the Debian package, built against go-containerregistry < 0.21.6.
 * Upstream cosign 3.1.1 pins go-containerregistry 0.21.6, which writes the manifest's top-level
 * `artifactType` when it has one (the OCI rule); pass `{artifactType: manifest.artifactType}`
 * for that. Both are in the field, so never filter a fallback index by `artifactType`.
 * Throws `INVALID_SIGNATURE_MANIFEST` when `manifestBytes` is not an OCI image manifest.
 */
export function referrersIndexEntry(manifestBytes: Uint8Array, options: {readonly artifactType?: string} = {}): IndexDescriptor {
  const manifest = parseReferrerManifest(manifestBytes)
  return {
    mediaType: manifest.mediaType,
    size: manifestBytes.byteLength,
    digest: sha256Digest(manifestBytes),
    artifactType: options.artifactType ?? manifest.config.mediaType,
  }
}
