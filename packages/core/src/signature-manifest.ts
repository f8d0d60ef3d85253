import type {AttachmentKind} from './contracts.js'
/**
 * The `.sig` image cosign stores next to a signed image (spec §2): tag scheme, config blob,
 * manifest, and the rules for appending a signature layer.
 */
import {decodeStdBase64} from './base64.js'
import {isDigest, parseDigest} from './digest.js'
import {SigilError} from './errors.js'
import type {SigilErrorCode} from './errors.js'
import {descriptorJson, readDescriptor} from './descriptor-json.js'
import {goMarshal, sortedKeys} from './go-json.js'
import {isJsonObject, readStringMap} from './json-input.js'
import {isValidTag} from './reference.js'

/** OCI image manifest: what cosign writes by default. */
export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json'
/** Docker schema 2 manifest (`COSIGN_DOCKER_MEDIA_TYPES=1`). */
export const DOCKER_MANIFEST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v2+json'
/** OCI image config. */
export const OCI_CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json'
/** Docker image config. */
export const DOCKER_CONFIG_MEDIA_TYPE = 'application/vnd.docker.container.image.v1+json'
/** OCI image index. */
export const OCI_INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json'
/** Docker manifest list. */
export const DOCKER_LIST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.list.v2+json'

/** Layer annotation holding the std-base64 signature (note the `cosignproject` namespace). */
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature'
/** Layer annotation holding the PEM signing certificate (keyless or `--certificate`). */
export const CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate'
/** Layer annotation holding the PEM certificate chain. */
export const CHAIN_ANNOTATION = 'dev.sigstore.cosign/chain'
/** Layer annotation holding the Rekor bundle JSON. */
export const BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle'

/** cosign refuses to read a signature manifest with more layers than this. */
export const MAX_SIGNATURE_LAYERS = 1000

/** An OCI platform, in Go field order. */
export interface Platform {
  readonly architecture: string
  readonly os: string
  readonly 'os.version'?: string
  readonly 'os.features'?: readonly string[]
  readonly variant?: string
  readonly features?: readonly string[]
}

/** An OCI content descriptor (ggcr `v1.Descriptor`). */
export interface Descriptor {
  readonly mediaType: string
  /** Size in bytes. */
  readonly size: number
  /** `sha256:<hex>`. */
  readonly digest: string
  readonly annotations?: Readonly<Record<string, string>>
  readonly platform?: Platform
  readonly artifactType?: string
}

/** A decoded signature manifest. */
export interface SignatureManifest {
  /** The manifest media type (inferred from the config when the manifest omits it). */
  readonly mediaType: string
  readonly config: Descriptor
  /** One per signature, in order. */
  readonly layers: Descriptor[]
  /** Manifest annotations, kept when appending. */
  readonly annotations?: Readonly<Record<string, string>>
  /** OCI 1.1 subject, kept when appending. */
  readonly subject?: Descriptor
}

/** Input of `buildSignatureManifest`. */
export interface BuildSignatureManifestOptions {
  /** `OCI_MANIFEST_MEDIA_TYPE` (default) or `DOCKER_MANIFEST_MEDIA_TYPE`. */
  readonly mediaType?: string
  /** Descriptor of the `buildSignatureConfig` blob. */
  readonly config: Descriptor
  readonly layers: readonly Descriptor[]
  /** Manifest annotations (none for cosign's own manifests). */
  readonly annotations?: Readonly<Record<string, string>>
  /** OCI 1.1 subject (none for cosign's `.sig` tags). */
  readonly subject?: Descriptor
}

/** The layers of a signature manifest and its media type: what appending works on. */
export interface SignatureLayers {
  readonly mediaType: string
  readonly layers: readonly Descriptor[]
}

/** Checks an existing layer's decoded signature over the new payload with the signer's public key. */
export type VerifyExistingSignature = (signature: Uint8Array) => boolean

/** Every kind of attachment, in the order sigil lists them (signatures, attestations, SBOMs). */
export const ATTACHMENT_KINDS: readonly AttachmentKind[] = ['signature', 'attestation', 'sbom']

/** The legacy tag suffix of each kind (spec §2.1): `sha256-<hex>.sig`, `.att`, `.sbom`. */
export const ATTACHMENT_TAG_SUFFIX: Readonly<Record<AttachmentKind, 'sig' | 'att' | 'sbom'>> = {signature: 'sig', attestation: 'att', sbom: 'sbom'}

/**
 * The tag holding a manifest's attachments (spec §2.1): `sha256:<hex>` →
 * `<prefix>sha256-<hex>.<suffix>`. Throws `INVALID_REFERENCE` for a bad digest or a prefix
 * that would make an invalid tag.
 */
export function signatureTag(manifestDigest: string, suffix: 'sig' | 'att' | 'sbom' = 'sig', prefix = ''): string {
  parseDigest(manifestDigest)
  const tag = `${prefix}${manifestDigest.replace(':', '-')}.${suffix}`
  if (!isValidTag(tag)) {
    throw new SigilError('INVALID_REFERENCE', `attachment tag prefix "${prefix}" makes the invalid tag "${tag}" (1–128 of A-Z a-z 0-9 _ . -)`)
  }
  return tag
}

const ZERO_TIME = '0001-01-01T00:00:00Z' // Go's zero time.Time

/**
 * The config blob of a signature image whose layers have these digests, byte for byte as
 * ggcr marshals it with zero timestamps (233 bytes for one layer). Throws `INVALID_ARGUMENT`
 * for an empty list or a bad digest.
 */
export function buildSignatureConfig(layerDigests: readonly string[]): Uint8Array {
  if (layerDigests.length === 0) throw new SigilError('INVALID_ARGUMENT', 'a signature image needs at least one layer')
  for (const digest of layerDigests) {
    if (!isDigest(digest)) throw new SigilError('INVALID_ARGUMENT', `layer digest "${digest}" is not a valid digest`)
  }
  const json = goMarshal({
    architecture: '',
    created: ZERO_TIME,
    history: layerDigests.map(() => ({created: ZERO_TIME})),
    os: '',
    rootfs: {type: 'layers', diff_ids: layerDigests},
    config: {},
  })
  return new TextEncoder().encode(json)
}

function annotationsJson(annotations: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  return annotations && Object.keys(annotations).length > 0 ? sortedKeys(annotations) : undefined
}

type Fail = (message: string) => never

function failWith(code: SigilErrorCode, prefix: string): Fail {
  return (message) => {
    throw new SigilError(code, `${prefix}: ${message}`)
  }
}

/**
 * The manifest bytes of a signature image, exactly as ggcr marshals them: `schemaVersion`,
 * `mediaType`, `config`, `layers` (each `mediaType`, `size`, `digest`, key-sorted
 * `annotations`), then `annotations`/`subject` only when given.
 * Throws `INVALID_ARGUMENT` for an unknown media type or a malformed descriptor.
 */
export function buildSignatureManifest(options: BuildSignatureManifestOptions): Uint8Array {
  const fail = failWith('INVALID_ARGUMENT', 'cannot build signature manifest')
  const mediaType = options.mediaType ?? OCI_MANIFEST_MEDIA_TYPE
  if (mediaType !== OCI_MANIFEST_MEDIA_TYPE && mediaType !== DOCKER_MANIFEST_MEDIA_TYPE) fail(`unsupported media type "${mediaType}"`)
  readDescriptor(options.config, 'config', fail)
  options.layers.forEach((layer, i) => readDescriptor(layer, `layers[${i}]`, fail))
  if (options.subject) readDescriptor(options.subject, 'subject', fail)
  const json = goMarshal({
    schemaVersion: 2,
    mediaType,
    config: descriptorJson(options.config),
    layers: options.layers.map(descriptorJson),
    annotations: annotationsJson(options.annotations),
    subject: options.subject && descriptorJson(options.subject),
  })
  return new TextEncoder().encode(json)
}

/**
 * Decode and check a signature manifest fetched from a `.sig` tag: JSON object,
 * `schemaVersion` 2, an image-manifest media type (or none: then inferred from the config),
 * well-formed `config` and `layers` descriptors, at most `MAX_SIGNATURE_LAYERS` layers.
 * Unknown fields are ignored. Throws `INVALID_SIGNATURE_MANIFEST` saying what is wrong.
 */
export function parseSignatureManifest(bytes: Uint8Array): SignatureManifest {
  const fail = failWith('INVALID_SIGNATURE_MANIFEST', 'invalid signature manifest')
  let doc: unknown
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes))
  } catch (err) {
    return fail(`not JSON (${(err as Error).message})`)
  }
  if (!isJsonObject(doc)) return fail('not a JSON object')
  if (doc.schemaVersion !== 2) fail(`schemaVersion is ${JSON.stringify(doc.schemaVersion)}, expected 2`)
  const declared = doc.mediaType ?? undefined
  if (declared === OCI_INDEX_MEDIA_TYPE || declared === DOCKER_LIST_MEDIA_TYPE) {
    fail(`it is an index (${declared}), not an image manifest`)
  }
  if (declared !== undefined && declared !== OCI_MANIFEST_MEDIA_TYPE && declared !== DOCKER_MANIFEST_MEDIA_TYPE) {
    fail(`unsupported media type ${JSON.stringify(declared)}`)
  }
  const config = readDescriptor(doc.config, 'config', fail)
  if (!Array.isArray(doc.layers)) return fail('layers must be a list')
  if (doc.layers.length > MAX_SIGNATURE_LAYERS) {
    fail(`it has ${doc.layers.length} layers, more than the limit of ${MAX_SIGNATURE_LAYERS}`)
  }
  const layers = doc.layers.map((layer, i) => readDescriptor(layer, `layers[${i}]`, fail))
  const annotations = readStringMap(doc.annotations, 'annotations', fail)
  const subject = doc.subject === undefined || doc.subject === null ? undefined : readDescriptor(doc.subject, 'subject', fail)
  const mediaType =
    (declared as string | undefined) ?? (config.mediaType === DOCKER_CONFIG_MEDIA_TYPE ? DOCKER_MANIFEST_MEDIA_TYPE : OCI_MANIFEST_MEDIA_TYPE)
  return {mediaType, config, layers, ...(annotations && {annotations}), ...(subject && {subject})}
}

/**
 * cosign's dedup rule (spec §2.4): `candidate` duplicates `existing` iff (a) every annotation
 * of `candidate` except the signature has the same value on `existing`, (b) the digests and
 * (c) the media types are equal, and (d) `existing`'s signature is non-empty std base64 that
 * `verifyExisting` accepts. `verifyExisting` is only called when (a)–(c) hold.
 */
export function isDuplicateSignature(existing: Descriptor, candidate: Descriptor, verifyExisting: VerifyExistingSignature): boolean {
  const old = existing.annotations ?? {}
  for (const [key, value] of Object.entries(candidate.annotations ?? {})) {
    if (key === SIGNATURE_ANNOTATION) continue
    if (!Object.hasOwn(old, key) || old[key] !== value) return false
  }
  if (existing.digest !== candidate.digest || existing.mediaType !== candidate.mediaType) return false
  const encoded = Object.hasOwn(old, SIGNATURE_ANNOTATION) ? old[SIGNATURE_ANNOTATION] : undefined
  if (!encoded) return false
  const signature = decodeStdBase64(encoded)
  return signature !== undefined && verifyExisting(signature)
}

/**
 * Append `newLayer` to a signature image unless an existing layer duplicates it
 * (`isDuplicateSignature`); then `appended` is false and the layers are unchanged.
 * `existing` undefined (no `.sig` tag yet) starts an OCI manifest; pass
 * `{mediaType: DOCKER_MANIFEST_MEDIA_TYPE, layers: []}` for a new Docker one.
 * The media type of an existing manifest is kept.
 */
export function appendSignatureLayer(
  existing: SignatureLayers | undefined,
  newLayer: Descriptor,
  verifyExisting: VerifyExistingSignature,
): {mediaType: string; layers: Descriptor[]; appended: boolean} {
  const mediaType = existing?.mediaType ?? OCI_MANIFEST_MEDIA_TYPE
  const layers = [...(existing?.layers ?? [])]
  if (layers.some((layer) => isDuplicateSignature(layer, newLayer, verifyExisting))) {
    return {mediaType, layers, appended: false}
  }
  return {mediaType, layers: [...layers, newLayer], appended: true}
}
