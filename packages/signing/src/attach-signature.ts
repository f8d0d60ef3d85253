import {COSIGN_SIGNATURE_TYPE, decodeStdBase64, isSigilError, parsePayload} from '@sigil/core'
import type {AttachmentStore, ImageReference} from '@sigil/core'
import type {RegistryClient} from '@sigil/oci'
import {SigningError} from './error.js'
import {legacyTagStore} from './legacy-tag-store.js'
import type {LegacyTagStoreOptions} from './legacy-tag-store.js'
import {resolveExisting} from './resolve.js'
import {signatureLocation} from './signature-location.js'
import type {SignatureLocationOptions} from './signature-location.js'

/** Options of {@link attachSignature}. */
export interface AttachSignatureOptions extends SignatureLocationOptions, Pick<LegacyTagStoreOptions, 'dockerMediaTypes' | 'maxRounds' | 'settleMs'> {
  readonly client: RegistryClient
  /** The exact signed bytes: a simple-signing payload naming the image's digest. */
  readonly payload: Uint8Array
  /** Standard base64 of the signature over `payload` (surrounding white space is ignored). */
  readonly signature: string
  /** Where the signature goes. Default: the legacy tag store for this call's location options. */
  readonly store?: AttachmentStore
  readonly onEvent?: (event: {readonly kind: 'pushing' | 'duplicate'; readonly location: string}) => void
}

/** What {@link attachSignature} did. */
export interface AttachSignatureResult {
  readonly digest: string
  /** `registry/repo:sha256-<hex>.sig`. */
  readonly signatureLocation: string
  /** The signature as stored (standard base64). */
  readonly signature: string
  /** False when the very same signature of the same payload was already there. */
  readonly appended: boolean
  readonly signatureManifestDigest?: string
}

/**
 * Why `payload` cannot be attached to the manifest `digest`, or undefined: it must be a
 * simple-signing payload (`critical.type` cosign's) naming that digest.
 */
export function payloadProblem(payload: Uint8Array, digest: string): string | undefined {
  let parsed
  try {
    parsed = parsePayload(payload)
  } catch (err) {
    if (isSigilError(err)) return err.message
    throw err
  }
  if (parsed.critical.type !== COSIGN_SIGNATURE_TYPE) {
    return `the payload is not a simple-signing payload (critical.type is ${JSON.stringify(parsed.critical.type)}, expected ${JSON.stringify(COSIGN_SIGNATURE_TYPE)})`
  }
  const named = parsed.critical.image['docker-manifest-digest']
  if (named !== digest) return `the payload is for ${named === '' ? 'no digest' : named}, not for this image (${digest})`
  return undefined
}

/**
 * Attach a signature made elsewhere (an offline machine, an HSM, `sign --upload=false`) the
 * way `signImage` stores it: a layer of `<repo>:sha256-<hex>.sig`, appended, lossless under
 * concurrent writers. No key is needed, and the signature is not verified (as cosign): but the
 * payload must name the image's digest and the signature must be base64, else nothing is pushed.
 * The same signature of the same payload is never stored twice.
 */
export async function attachSignature(image: ImageReference, options: AttachSignatureOptions): Promise<AttachSignatureResult> {
  const signature = options.signature.trim()
  const raw = decodeStdBase64(signature)
  if (signature === '' || raw === undefined || raw.length === 0) {
    throw new SigningError('INVALID_PAYLOAD', 'the signature is not standard base64 (sign --output-signature and sign-blob write it so)')
  }
  const digest = await resolveExisting(options.client, image)
  const problem = payloadProblem(options.payload, digest)
  if (problem !== undefined) throw new SigningError('INVALID_PAYLOAD', `${problem}; nothing was attached`)

  const store = options.store ?? legacyTagStore(options)
  const added = await store.add!(
    {registry: image.registry, repository: image.repository, digest},
    {kind: 'signature', format: 'simple-signing', payload: options.payload, signature},
    {
      // Without a key only an identical signature is known to be the same one.
      verifyExisting: (_payload, old) => Buffer.from(old).equals(Buffer.from(raw)),
      onWrite: (where) => options.onEvent?.({kind: 'pushing', location: where}),
    },
  )
  if (!added.added) options.onEvent?.({kind: 'duplicate', location: added.location})
  return {
    digest,
    signatureLocation: signatureLocation(image, digest, options).name,
    signature,
    appended: added.added,
    ...(added.manifestDigest ? {signatureManifestDigest: added.manifestDigest} : {}),
  }
}
