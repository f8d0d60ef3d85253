/**
 * The JSON of an OCI image layout (`oci-layout`, `index.json`) as `cosign save` writes it and
 * sigil reads and writes it. Shapes only: the files are read and written by `@sigil/oci`.
 *
 * cosign 2.5 marks its entries in `index.json` with the annotation `kind`: the image
 * (`dev.cosignproject.cosign/image`, or `…/imageIndex` for an index), then its `.sig` image
 * (`…/sigs`) and `.att` image (`…/atts`), the attachments of that image only. sigil adds, on the
 * same principles: `…/sboms` for the `.sbom` image; `org.opencontainers.image.ref.name` on an
 * attachment entry naming the tag it came from (`sha256-<hex>.sig`), so the attachments of an
 * index's children are kept too (cosign ignores entries it does not look for); and every OCI 1.1
 * referrer (cosign 3's bundles) as an entry of its own, its manifest's `subject` naming the
 * image it belongs to (the OCI image layout 1.1 way).
 */
import {descriptorJson, readDescriptor} from './descriptor-json.js'
import type {IndexDescriptor} from './descriptor-json.js'
import {goMarshal} from './go-json.js'
import {failWith, isJsonObject, kindOf, parseJsonLimited, readStringMap} from './json-input.js'
import {OCI_INDEX_MEDIA_TYPE} from './signature-manifest.js'

/** The file name and content of an image layout's version marker. */
export const OCI_LAYOUT_FILE = 'oci-layout'
export const OCI_LAYOUT_VERSION = '1.0.0'
/** The annotation cosign marks its `index.json` entries with. */
export const LAYOUT_KIND_ANNOTATION = 'kind'
/** `org.opencontainers.image.ref.name`: the tag an entry was saved from. */
export const LAYOUT_REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name'
/** Values of {@link LAYOUT_KIND_ANNOTATION}. */
export const LAYOUT_KINDS = Object.freeze({
  image: 'dev.cosignproject.cosign/image',
  imageIndex: 'dev.cosignproject.cosign/imageIndex',
  sigs: 'dev.cosignproject.cosign/sigs',
  atts: 'dev.cosignproject.cosign/atts',
  sboms: 'dev.cosignproject.cosign/sboms',
} as const)

/** Largest `index.json` read (it lists manifests, not content). */
export const MAX_LAYOUT_INDEX_BYTES = 4 * 1024 * 1024

/** A decoded `index.json`. */
export interface LayoutIndex {
  readonly manifests: readonly IndexDescriptor[]
  readonly annotations?: Readonly<Record<string, string>>
}

/**
 * Decode `index.json`: an OCI image index (schemaVersion 2; media type OCI index or absent).
 * Throws `INVALID_LAYOUT` (`RESPONSE_TOO_LARGE` over the size limit).
 */
export function parseLayoutIndex(input: Uint8Array | string): LayoutIndex {
  const fail = failWith('INVALID_LAYOUT', 'invalid index.json', 'oci-layout-index')
  const doc = parseJsonLimited(input, MAX_LAYOUT_INDEX_BYTES, 'index.json', 'oci-layout-index', fail)
  if (!isJsonObject(doc)) return fail(`not a JSON object (got ${kindOf(doc)})`, 'not-an-index')
  if (doc.schemaVersion !== 2) fail(`schemaVersion is ${JSON.stringify(doc.schemaVersion)}, expected 2`, 'not-an-index')
  if (doc.mediaType !== undefined && doc.mediaType !== OCI_INDEX_MEDIA_TYPE) fail(`media type ${JSON.stringify(doc.mediaType)} is not an OCI index`, 'not-an-index')
  if (!Array.isArray(doc.manifests)) return fail(`manifests must be a list, got ${kindOf(doc.manifests)}`, 'not-an-index')
  const manifests = doc.manifests.map((d, i) => readDescriptor(d, `manifests[${i}]`, fail, true))
  const annotations = readStringMap(doc.annotations, 'annotations', fail)
  return {manifests, ...(annotations && {annotations})}
}

/** `index.json` listing `manifests` in the order given, as go-containerregistry writes it. */
export function buildLayoutIndex(manifests: readonly IndexDescriptor[]): Uint8Array {
  return new TextEncoder().encode(goMarshal({schemaVersion: 2, mediaType: OCI_INDEX_MEDIA_TYPE, manifests: manifests.map(descriptorJson)}))
}

/** The `oci-layout` file's bytes. */
export function buildLayoutMarker(): Uint8Array {
  return new TextEncoder().encode(goMarshal({imageLayoutVersion: OCI_LAYOUT_VERSION}))
}

/** Check an `oci-layout` file; throws `INVALID_LAYOUT` unless it names layout version 1.x. */
export function checkLayoutMarker(input: Uint8Array): void {
  const fail = failWith('INVALID_LAYOUT', 'invalid oci-layout file', 'oci-layout')
  const doc = parseJsonLimited(input, 64 * 1024, 'oci-layout', 'oci-layout', fail)
  const version = isJsonObject(doc) ? doc.imageLayoutVersion : undefined
  if (typeof version !== 'string' || !/^1\.\d+\.\d+$/.test(version)) fail(`imageLayoutVersion is ${JSON.stringify(version)}, expected 1.x.y`)
}
