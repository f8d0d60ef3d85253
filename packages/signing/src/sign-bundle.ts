import {
  COSIGN_SIGN_PREDICATE_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  OCI_EMPTY_DIGEST,
  OCI_EMPTY_JSON,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  addToReferrersIndex,
  buildBundleReferrerManifest,
  buildCosignSignStatement,
  buildDsseBundle,
  dssePae,
  isSigilError,
  parseReferrersIndex,
  publicKeyHint,
  referrersIndexEntry,
  referrersTag,
  sha256Digest,
} from '@sigil/core'
import type {ImageReference, Signer} from '@sigil/core'
import type {RegistryClient, RepositoryRef} from '@sigil/oci'
import {SigningError} from './error.js'
import type {ReferrersApiMemory} from './referrers-store.js'
import {settleDelay} from './sign-image.js'
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Sign one image as cosign 3 does by default: an in-toto statement (predicate type
 * `https://sigstore.dev/cosign/sign/v1`) in a DSSE envelope in a sigstore bundle v0.3, pushed
 * as an OCI 1.1 referrer of the image; on a registry without the referrers API the
 * `sha256-<hex>` index tag lists it. That index is a read-modify-write shared with concurrent
 * signers: it is read back after writing and merged again until it holds this referrer (bounded,
 * with jittered backoff), so no signer's referrer is silently dropped.
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
  // The empty config blob goes up while the key is being unlocked.
  const config = new TextEncoder().encode(OCI_EMPTY_JSON)
  const configUploaded = client.uploadBlob(repository, OCI_EMPTY_DIGEST, config)
  configUploaded.catch(() => {})

  let sig: Uint8Array
  let hint: string
  try {
    const signer = await options.signer
    sig = await signer.sign(dssePae(IN_TOTO_PAYLOAD_TYPE, statement))
    hint = publicKeyHint((await signer.publicKey()).spki)
  } catch (err) {
    if (isSigilError(err)) throw err
    throw new SigningError('SIGNING_FAILED', `signing failed: ${(err as Error).message}`, {cause: err})
  }
  const bundle = buildDsseBundle({envelope: {payloadType: IN_TOTO_PAYLOAD_TYPE, payload: statement, signatures: [{sig}]}, publicKeyHint: hint})
  const bundleDigest = sha256Digest(bundle)
  await Promise.all([configUploaded, client.uploadBlob(repository, bundleDigest, bundle)])

  const manifest = buildBundleReferrerManifest({
    subject: {mediaType: subject.mediaType, size: subject.size, digest: subject.digest},
    bundleDescriptor: {size: bundle.length, digest: bundleDigest, mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE},
    predicateType: COSIGN_SIGN_PREDICATE_TYPE,
    created: options.created ?? new Date(),
  })
  const manifestDigest = sha256Digest(manifest)
  const referrer = `${repository.registry}/${repository.repository}@${manifestDigest}`
  options.onEvent?.({kind: 'pushing', location: referrer})
  // Pushed by digest: a referrer has no tag, so concurrent signers never overwrite each other here.
  const put = await client.putManifest(repository, manifestDigest, manifest, OCI_MANIFEST_MEDIA_TYPE)
  // A registry that indexed the referrer says so (OCI-Subject); without that answer the index
  // tag is written, whatever was remembered about the registry (it may have changed).
  if (put.ociSubject !== undefined) options.memory?.set(repository.registry, true)
  if (options.referrersApi ?? put.ociSubject !== undefined) return {image, digest: subject.digest, referrer, bundle}

  const tag = referrersTag(subject.digest)
  const entry = referrersIndexEntry(manifest)
  const rounds = options.maxIndexRounds ?? 6
  for (let round = 1; ; round++) {
    const started = performance.now()
    const existing = await client.getManifestIfExists(repository, tag)
    let merged
    try {
      merged = addToReferrersIndex(existing?.bytes, entry)
    } catch (err) {
      // Never replace an index we cannot read: it lists other signers' referrers.
      throw new SigningError('INVALID_SIGNATURE_MANIFEST', `the referrers index ${repository.registry}/${repository.repository}:${tag} is not valid (${(err as Error).message}); refusing to overwrite it`, {cause: err})
    }
    if (!merged.added) return {image, digest: subject.digest, referrer, bundle, indexTag: `${repository.registry}/${repository.repository}:${tag}`}
    await client.putManifest(repository, tag, merged.bytes, OCI_INDEX_MEDIA_TYPE)
    // Read back after a pause longer than a read-modify-write takes here: a signer that read the
    // index before our write and writes after it drops our entry, and its write lands within the
    // pause, so a read-back that still lists our referrer means the listing has settled.
    const took = performance.now() - started
    await sleep(settleDelay(took, options.settleMs))
    let after = await client.getManifestIfExists(repository, tag)
    const listed = (bytes: Uint8Array | undefined) => bytes !== undefined && parseReferrersIndex(bytes).manifests.some((d) => d.digest === entry.digest)
    // Others are signing this image now: a second, longer look (see signImage).
    const contended = round > 1 || existing !== undefined || (after !== undefined && !Buffer.from(after.bytes).equals(Buffer.from(merged.bytes)))
    if (contended && listed(after?.bytes)) {
      await sleep(settleDelay(2 * took, options.settleMs))
      after = await client.getManifestIfExists(repository, tag)
    }
    if (listed(after?.bytes)) {
      return {image, digest: subject.digest, referrer, bundle, indexTag: `${repository.registry}/${repository.repository}:${tag}`}
    }
    if (round >= rounds) {
      throw new SigningError(
        'SIGNING_FAILED',
        `the referrer ${referrer} was pushed, but ${rounds} attempts to list it in ${repository.registry}/${repository.repository}:${tag} lost to concurrent writers; sign again`,
      )
    }
    await sleep(50 * round + Math.random() * 100 * round)
  }
}
