import {
  DOCKER_CONFIG_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  OCI_CONFIG_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  appendSignatureLayer,
  buildPayload,
  buildSignatureConfig,
  buildSignatureManifest,
  isSigilError,
  parseSignatureManifest,
  sha256Digest,
} from '@sigil/core'
import type {Descriptor, ImageReference, SignatureManifest, Signer, Verifier} from '@sigil/core'
import type {RegistryClient} from '@sigil/oci'
import {SigningError} from './error.js'
import {resolveForSigning} from './resolve.js'
import {signatureLocation} from './signature-location.js'
import type {SignatureLocationOptions} from './signature-location.js'

/** Progress of one `signImage` call, for the CLI to render. */
export type SignEvent =
  | {readonly kind: 'resolved'; readonly image: ImageReference; readonly digest: string; readonly fromTag: boolean}
  | {readonly kind: 'pushing'; readonly location: string}
  | {readonly kind: 'duplicate'; readonly location: string}

/** Options of `signImage`. */
export interface SignImageOptions extends SignatureLocationOptions {
  readonly client: RegistryClient
  /**
   * The signer, or a promise of it: a key still being unlocked (scrypt, a KMS round trip) is
   * awaited only after the digest and the existing `.sig` manifest have been fetched, so the
   * two overlap.
   */
  readonly signer: Signer | Promise<Signer>
  /**
   * Checks old signatures with the signer's public key, so that re-signing the same payload
   * adds no layer (cosign's dedup rule). Without it every signature is appended.
   */
  readonly verifier?: Verifier | Promise<Verifier | undefined>
  /** `-a key=value` annotations, written to the payload's `optional`. Default none (`null`). */
  readonly annotations?: Readonly<Record<string, string>>
  /** Overrides `docker-reference` (`--sign-container-identity`). Default: the image's repository name. */
  readonly identity?: string
  /** Write Docker schema 2 media types for a new `.sig` manifest (`COSIGN_DOCKER_MEDIA_TYPES`). Default false (OCI). */
  readonly dockerMediaTypes?: boolean
  /** Only compute the payload and signature; push nothing (`--upload=false`). Default true. */
  readonly upload?: boolean
  readonly onEvent?: (event: SignEvent) => void
}

/** What `signImage` did. */
export interface SignImageResult {
  readonly image: ImageReference
  readonly digest: string
  /** `registry/repo:sha256-<hex>.sig`. */
  readonly signatureLocation: string
  /** The exact signed bytes. */
  readonly payload: Uint8Array
  /** Standard base64 of the signature, as stored in the layer annotation. */
  readonly signature: string
  /** False when an identical signature was already there (nothing appended). */
  readonly appended: boolean
  /** Digest of the `.sig` manifest after the push (undefined when not uploaded). */
  readonly signatureManifestDigest?: string
}

/**
 * Sign one image the way cosign does (legacy `.sig` format, spec §1–§2): resolve the digest,
 * sign the simple-signing payload, and append a layer to `<repo>:sha256-<hex>.sig`.
 * Blobs are uploaded before the manifest, so a failure never leaves a half-written signature.
 */
export async function signImage(image: ImageReference, options: SignImageOptions): Promise<SignImageResult> {
  const {client, signer} = options
  const digest = await resolveForSigning(client, image)
  options.onEvent?.({kind: 'resolved', image, digest, fromTag: image.digest === undefined})

  const payload = buildPayload({
    dockerReference: options.identity ?? image.repositoryName,
    manifestDigest: digest,
    annotations: options.annotations ? {...options.annotations} : undefined,
  })
  const payloadDigest = sha256Digest(payload)
  const location = signatureLocation(image, digest, options)
  const upload = options.upload !== false

  // Everything that does not need the signature happens while the key is being unlocked:
  // reading (and validating) the existing .sig, and uploading the payload and config blobs.
  const existing = upload ? await readExisting(client, location) : undefined
  const mediaType = existing?.mediaType ?? newSignatureManifestMediaType(options.dockerMediaTypes)
  const configMediaType = mediaType === DOCKER_MANIFEST_MEDIA_TYPE ? DOCKER_CONFIG_MEDIA_TYPE : OCI_CONFIG_MEDIA_TYPE
  const payloadKnown = existing?.layers.some((l) => l.digest === payloadDigest) ?? false
  // Only a payload already on the tag can turn out to be a duplicate (dedup rule (b));
  // otherwise the new layer is certainly appended, so its blobs can go up now. Blobs without
  // a manifest pointing at them are invisible: the tag changes only with the final PUT.
  let early: {config: Uint8Array; uploaded: Promise<unknown>} | undefined
  if (upload && !payloadKnown) {
    const config = buildSignatureConfig([...(existing?.layers ?? []).map((l) => l.digest), payloadDigest])
    const uploaded = Promise.all([
      client.uploadBlob(location.repository, payloadDigest, payload),
      client.uploadBlob(location.repository, sha256Digest(config), config),
    ])
    uploaded.catch(() => {}) // awaited below; never an unhandled rejection meanwhile
    early = {config, uploaded}
  }

  let rawSignature: Uint8Array
  try {
    rawSignature = await (await signer).sign(payload)
  } catch (err) {
    if (isSigilError(err)) throw err
    throw new SigningError('SIGNING_FAILED', `signing failed: ${(err as Error).message}`, {cause: err})
  }
  const signature = Buffer.from(rawSignature).toString('base64')
  const result = {image, digest, signatureLocation: location.name, payload, signature}
  if (!upload) return {...result, appended: false}

  const layer: Descriptor = {
    mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
    size: payload.length,
    digest: payloadDigest,
    annotations: {[SIGNATURE_ANNOTATION]: signature},
  }
  const verifier = await options.verifier
  const merged = appendSignatureLayer(
    existing ? {mediaType: existing.mediaType, layers: existing.layers} : undefined,
    layer,
    (old) => (verifier ? verifier.verify(payload, old) : false),
  )
  if (!merged.appended) {
    options.onEvent?.({kind: 'duplicate', location: location.name})
    return {...result, appended: false, signatureManifestDigest: existing?.digest}
  }

  options.onEvent?.({kind: 'pushing', location: location.name})
  const config = buildSignatureConfig(merged.layers.map((l) => l.digest))
  const configDescriptor: Descriptor = {mediaType: configMediaType, size: config.length, digest: sha256Digest(config)}
  if (early && Buffer.from(early.config).equals(Buffer.from(config))) {
    await early.uploaded
  } else {
    await early?.uploaded
    // The payload blob is already there when the same payload was signed by another key.
    await Promise.all([
      payloadKnown ? undefined : client.uploadBlob(location.repository, payloadDigest, payload),
      client.uploadBlob(location.repository, configDescriptor.digest, config),
    ])
  }
  const manifest = buildSignatureManifest({
    mediaType,
    config: configDescriptor,
    layers: merged.layers,
    annotations: existing?.annotations,
    subject: existing?.subject,
  })
  const pushed = await client.putManifest(location.repository, location.tag, manifest, mediaType)
  return {...result, appended: true, signatureManifestDigest: pushed.digest}
}

/** The `.sig` manifest already at `location`, parsed; a broken one is an error, never overwritten. */
async function readExisting(
  client: RegistryClient,
  location: {repository: {registry: string; repository: string}; tag: string; name: string},
): Promise<(SignatureManifest & {digest: string}) | undefined> {
  const fetched = await client.getManifestIfExists(location.repository, location.tag)
  if (!fetched) return undefined
  try {
    return {...parseSignatureManifest(fetched.bytes), digest: fetched.digest}
  } catch (err) {
    // Never replace what we cannot read: that would drop other people's signatures.
    throw new SigningError(
      'INVALID_SIGNATURE_MANIFEST',
      `the existing signature manifest ${location.name} is not valid (${(err as Error).message}); refusing to overwrite it`,
      {cause: err},
    )
  }
}

/** The manifest media type for a new `.sig` image. */
export function newSignatureManifestMediaType(dockerMediaTypes = false): string {
  return dockerMediaTypes ? DOCKER_MANIFEST_MEDIA_TYPE : OCI_MANIFEST_MEDIA_TYPE
}
