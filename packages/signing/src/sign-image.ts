import {buildPayload, isSigilError} from '@sigil/core'
import type {AttachmentStore, ImageReference, Signer, Verifier} from '@sigil/core'
import type {RegistryClient} from '@sigil/oci'
import {SigningError} from './error.js'
import {legacyTagStore, newSignatureManifestMediaType} from './legacy-tag-store.js'
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
  /** Where the signature goes. Default: the legacy tag store for this call's location options. */
  readonly store?: AttachmentStore
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
 * sign the simple-signing payload, and add it to the store (by default the legacy tag store:
 * a layer of `<repo>:sha256-<hex>.sig`, lossless under concurrent signers).
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
  const location = signatureLocation(image, digest, options)
  // The dedup check's verifier comes from the same key: it is ready when the signature is, and
  // the store only consults it after the signature exists.
  let verifier: Verifier | undefined
  const verifierReady = Promise.resolve(options.verifier).then((v) => (verifier = v), () => undefined)
  const signing = (async () => {
    let signature: string
    try {
      signature = Buffer.from(await (await signer).sign(payload)).toString('base64')
    } catch (err) {
      if (isSigilError(err)) throw err
      throw new SigningError('SIGNING_FAILED', `signing failed: ${(err as Error).message}`, {cause: err})
    }
    await verifierReady
    return signature
  })()
  signing.catch(() => {}) // awaited below, on every path
  if (options.upload === false) {
    const signature = await signing
    return {image, digest, signatureLocation: location.name, payload, signature, appended: false}
  }

  const store =
    options.store ??
    legacyTagStore({
      client,
      signatureRepository: options.signatureRepository,
      attachmentTagPrefix: options.attachmentTagPrefix,
      dockerMediaTypes: options.dockerMediaTypes,
      maxRounds: options.maxRounds,
      settleMs: options.settleMs,
    })
  const added = await store.add!(
    {registry: image.registry, repository: image.repository, digest},
    {kind: 'signature', format: 'simple-signing', payload, signature: signing},
    {
      verifyExisting: (p: Uint8Array, old: Uint8Array) => (verifier ? verifier.verify(p, old) : false),
      onWrite: (where) => options.onEvent?.({kind: 'pushing', location: where}),
    },
  )
  if (!added.added) options.onEvent?.({kind: 'duplicate', location: added.location})
  const result = {image, digest, signatureLocation: location.name, payload, signature: await signing}
  return {...result, appended: added.added, ...(added.manifestDigest ? {signatureManifestDigest: added.manifestDigest} : {})}
}

export {newSignatureManifestMediaType}
