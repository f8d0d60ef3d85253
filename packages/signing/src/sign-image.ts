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
  /** Bound on write rounds of the `.sig` tag under concurrent signers. Default 6. */
  readonly maxRounds?: number
  /** Least pause before reading the `.sig` tag back, in ms. Default 25 (it adapts to the registry). */
  readonly settleMs?: number
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
 * sign the simple-signing payload, and append a layer to `<repo>:sha256-<hex>.sig`, lossless
 * under concurrent signers (read late, write, read back, merge again if dropped).
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

  // The payload blob goes up while the key is being unlocked. A blob no manifest points at is
  // invisible: the tag changes only with the final PUT.
  const payloadUploaded = upload ? client.uploadBlob(location.repository, payloadDigest, payload) : undefined
  payloadUploaded?.catch(() => {}) // awaited below; never an unhandled rejection meanwhile

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
  await payloadUploaded

  const layer: Descriptor = {
    mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
    size: payload.length,
    digest: payloadDigest,
    annotations: {[SIGNATURE_ANNOTATION]: signature},
  }
  const verifier = await options.verifier
  const isOurs = (l: Descriptor) => l.digest === layer.digest && l.annotations?.[SIGNATURE_ANNOTATION] === signature
  const rounds = options.maxRounds ?? 6
  let pushing = false
  // The `.sig` tag is a read-modify-write shared with every other signer of this image: it is
  // read as late as possible (after the signature exists), written, and read back after a pause
  // longer than such a read-modify-write takes; if another signer's write dropped our layer
  // meanwhile, it is merged in again (bounded, with jitter).
  for (let round = 1; ; round++) {
    const started = performance.now()
    const existing = await readExisting(client, location)
    const merged = appendSignatureLayer(
      existing ? {mediaType: existing.mediaType, layers: existing.layers} : undefined,
      layer,
      (old) => (verifier ? verifier.verify(payload, old) : false),
    )
    if (!merged.appended) {
      if (round === 1) options.onEvent?.({kind: 'duplicate', location: location.name})
      return {...result, appended: round > 1, signatureManifestDigest: existing?.digest}
    }
    if (!pushing) options.onEvent?.({kind: 'pushing', location: location.name})
    pushing = true
    const mediaType = existing?.mediaType ?? newSignatureManifestMediaType(options.dockerMediaTypes)
    const configMediaType = mediaType === DOCKER_MANIFEST_MEDIA_TYPE ? DOCKER_CONFIG_MEDIA_TYPE : OCI_CONFIG_MEDIA_TYPE
    const config = buildSignatureConfig(merged.layers.map((l) => l.digest))
    const configDescriptor: Descriptor = {mediaType: configMediaType, size: config.length, digest: sha256Digest(config)}
    await client.uploadBlob(location.repository, configDescriptor.digest, config)
    const manifest = buildSignatureManifest({
      mediaType,
      config: configDescriptor,
      layers: merged.layers,
      annotations: existing?.annotations,
      subject: existing?.subject,
    })
    let pushed: {digest: string}
    try {
      pushed = await client.putManifest(location.repository, location.tag, manifest, mediaType)
    } catch (err) {
      // Another signer uploading the same blob at this moment can make the registry briefly deny
      // it exists: that round is lost, not the signature.
      if (!blobRace(err) || round >= rounds) throw err
      await sleep(settleDelay(performance.now() - started, options.settleMs))
      continue
    }
    const took = performance.now() - started
    await sleep(settleDelay(took, options.settleMs))
    let after = await readExisting(client, location)
    // Others are signing this image now (their layers were there, or came meanwhile, or ours
    // needed repair): a second, longer look, since a slow signer's stale write can land late.
    const contended = round > 1 || (existing?.layers.length ?? 0) > 0 || after?.digest !== pushed.digest
    if (contended && after?.layers.some(isOurs)) {
      await sleep(settleDelay(2 * took, options.settleMs))
      after = await readExisting(client, location)
    }
    if (after?.layers.some(isOurs)) return {...result, appended: true, signatureManifestDigest: after.digest}
    if (round >= rounds) {
      throw new SigningError(
        'SIGNING_FAILED',
        `signing ${image.name}: ${rounds} attempts to add the signature to ${location.name} lost to concurrent writers; sign again`,
      )
    }
  }
}

/**
 * How long to wait before reading a read-modify-write back: clearly longer than another
 * signer's read-modify-write takes (about as long as ours, on the same registry, under the same
 * load): 2–4 times ours, jittered so racing signers spread out; at least `min` ms, at most 2 s.
 * (1.1–1.9 times lost one signature in 48 under 16 racing signers on two cores; 2–4 lost none.)
 */
export function settleDelay(tookMs: number, min = 25): number {
  const base = Math.min(2000, Math.max(min, 2 * tookMs))
  return base + Math.random() * base
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The registry refused a manifest because a blob it names is not (yet) there. */
function blobRace(err: unknown): boolean {
  const entries = (err as {details?: {registryErrors?: Array<{code?: string}>}})?.details?.registryErrors ?? []
  return entries.some((e) => e.code === 'MANIFEST_BLOB_UNKNOWN' || e.code === 'BLOB_UNKNOWN')
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
