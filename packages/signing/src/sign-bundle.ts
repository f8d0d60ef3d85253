import {COSIGN_SIGN_PREDICATE_TYPE, buildCosignSignStatement, buildDsseBundle, isSigilError, publicKeyHint} from '@sigil/core'
import type {AttachmentKind, AttachmentStore, ImageReference, Signer} from '@sigil/core'
import type {RegistryClient, RepositoryRef} from '@sigil/oci'
import {SigningError} from './error.js'
import {notFound} from './resolve.js'
import {referrersStore} from './referrers-store.js'
import {signStatement} from './sign-statement.js'
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
  return pushStatementBundle(image, options, {
    kind: 'signature',
    predicateType: COSIGN_SIGN_PREDICATE_TYPE,
    statement: (digest) => buildCosignSignStatement({digest, annotations: options.annotations}),
  })
}

/** What {@link pushStatementBundle} signs: the statement for the resolved digest, and what it is. */
export interface StatementBundleSpec {
  readonly kind: AttachmentKind
  readonly predicateType: string
  /** The statement, for the subject's digest and repository (`registry/repo`). */
  readonly statement: (digest: string, repositoryName: string) => Uint8Array
}

/**
 * The bundle workflow of `sign` and `attest`: resolve the subject, sign its statement into a DSSE
 * envelope in a v0.3 bundle (key hint of the signer), and add it to the store (by default the
 * referrers store) as an attachment of `spec.kind`.
 */
export async function pushStatementBundle(image: ImageReference, options: SignImageBundleOptions, spec: StatementBundleSpec): Promise<SignImageBundleResult> {
  const {client} = options
  const repository: RepositoryRef = {registry: image.registry, repository: image.repository}
  let subject
  try {
    subject = await client.resolveDigest(repository, image.digest ?? image.tag ?? 'latest')
  } catch (err) {
    notFound(image, err)
  }
  options.onEvent?.({kind: 'resolved', image, digest: subject.digest, fromTag: image.digest === undefined})

  const statement = spec.statement(subject.digest, image.repositoryName)
  const bundling = (async () => {
    const envelope = await signStatement(options.signer, statement)
    try {
      const hint = publicKeyHint((await (await options.signer).publicKey()).spki)
      return buildDsseBundle({envelope, publicKeyHint: hint})
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
    {kind: spec.kind, format: 'sigstore-bundle', bundle: bundling, predicateType: spec.predicateType},
    {onWrite: (where) => options.onEvent?.({kind: 'pushing', location: where})},
  )
  const bundle = await bundling
  return {image, digest: subject.digest, referrer: added.location, bundle, ...(added.index ? {indexTag: added.index} : {})}
}
