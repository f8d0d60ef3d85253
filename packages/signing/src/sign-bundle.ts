import {COSIGN_SIGN_PREDICATE_TYPE, IN_TOTO_PAYLOAD_TYPE, buildCosignSignStatement, buildDsseBundle, dssePae, isSigilError, publicKeyHint} from '@sigil/core'
import type {AttachmentStore, ImageReference, Signer} from '@sigil/core'
import type {RegistryClient, RepositoryRef} from '@sigil/oci'
import {SigningError} from './error.js'
import {referrersStore} from './referrers-store.js'
import type {ReferrersApiMemory} from './referrers-store.js'
import type {SignEvent} from './sign-image.js'

/** Options of {@link signImageBundle}. */
export interface SignImageBundleOptions {
  readonly client: RegistryClient
  /** The signer, or a promise of it (unlocked while the subject is resolved and the config blob uploaded). */
  readonly signer: Signer | Promise<Signer>
  /** `-a key=value`: the statement subject's annotations. */
  readonly annotations?: Readonly<Record<string, string>>
  /**
   * How the registry indexes referrers (cosign's `--registry-referrers-mode`): true = it serves
   * the OCI 1.1 referrers API, false = the `sha256-<hex>` tag schema. Default: what the
   * registry's answer to the manifest upload says (`OCI-Subject`), else what `memory` knows.
   */
  readonly referrersApi?: boolean
  readonly memory?: ReferrersApiMemory
  /** `org.opencontainers.image.created`. Default now. */
  readonly created?: Date
  readonly onEvent?: (event: SignEvent) => void
  /** Bound on read-modify-write rounds of the tag-schema index under concurrent signers. Default 6. */
  readonly maxIndexRounds?: number
  /** Where the bundle goes. Default: the referrers store with this call's options. */
  readonly store?: AttachmentStore
  /** Least pause before reading the index back, in ms. Default 25 (it adapts to the registry). */
  readonly settleMs?: number
}

/** What {@link signImageBundle} did. */
export interface SignImageBundleResult {
  readonly image: ImageReference
  readonly digest: string
  /** `registry/repo@sha256:…` of the referrer manifest holding the bundle. */
  readonly referrer: string
  /** The bundle, as pushed. */
  readonly bundle: Uint8Array
  /** The tag-schema index tag updated, when the registry has no referrers API. */
  readonly indexTag?: string
}


/**
 * Sign one image as cosign 3 does by default: an in-toto statement (predicate type
 * `https://sigstore.dev/cosign/sign/v1`) in a DSSE envelope in a sigstore bundle v0.3, added to
 * the store (by default the referrers store: an OCI 1.1 referrer of the image, listed in the
 * `sha256-<hex>` index tag on registries without the referrers API, lossless under concurrent
 * signers).
 */
export async function signImageBundle(image: ImageReference, options: SignImageBundleOptions): Promise<SignImageBundleResult> {
  const {client} = options
  const repository: RepositoryRef = {registry: image.registry, repository: image.repository}
  let subject
  try {
    subject = await client.resolveDigest(repository, image.digest ?? image.tag ?? 'latest')
  } catch (err) {
    if (isSigilError(err) && err.code === 'MANIFEST_UNKNOWN') throw new SigningError('IMAGE_NOT_FOUND', `image tag not found: ${image.name}`, {cause: err})
    throw err
  }
  options.onEvent?.({kind: 'resolved', image, digest: subject.digest, fromTag: image.digest === undefined})

  const statement = buildCosignSignStatement({digest: subject.digest, annotations: options.annotations})
  const bundling = (async () => {
    try {
      const signer = await options.signer
      const sig = await signer.sign(dssePae(IN_TOTO_PAYLOAD_TYPE, statement))
      const hint = publicKeyHint((await signer.publicKey()).spki)
      return buildDsseBundle({envelope: {payloadType: IN_TOTO_PAYLOAD_TYPE, payload: statement, signatures: [{sig}]}, publicKeyHint: hint})
    } catch (err) {
      if (isSigilError(err)) throw err
      throw new SigningError('SIGNING_FAILED', `signing failed: ${(err as Error).message}`, {cause: err})
    }
  })()
  bundling.catch(() => {}) // awaited by the store, and below
  const store =
    options.store ??
    referrersStore({
      client,
      ...(options.referrersApi === undefined ? {} : {referrersApi: options.referrersApi}),
      ...(options.memory ? {memory: options.memory} : {}),
      ...(options.created ? {now: () => options.created!} : {}),
      ...(options.maxIndexRounds === undefined ? {} : {maxRounds: options.maxIndexRounds}),
      ...(options.settleMs === undefined ? {} : {settleMs: options.settleMs}),
    })
  // The store starts on what needs no signature (the empty config blob) while the key signs.
  const added = await store.add!(
    {...repository, digest: subject.digest, mediaType: subject.mediaType, size: subject.size},
    {kind: 'signature', format: 'sigstore-bundle', bundle: bundling, predicateType: COSIGN_SIGN_PREDICATE_TYPE},
    {onWrite: (where) => options.onEvent?.({kind: 'pushing', location: where})},
  )
  const bundle = await bundling
  return {image, digest: subject.digest, referrer: added.location, bundle, ...(added.index ? {indexTag: added.index} : {})}
}
