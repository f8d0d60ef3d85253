import {
  OCI_EMPTY_DIGEST,
  OCI_EMPTY_JSON,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  SigilError,
  buildBundleReferrerManifest,
  referrersIndexEntry,
  removeFromReferrersIndex,
  sha256Digest,
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
  COSIGN_SIGN_PREDICATE_TYPE,
  MAX_BUNDLE_BYTES,
  SIGSTORE_BUNDLE_MEDIA_TYPES,
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  isSigilError,
  parseReferrerManifest,
  parseReferrersIndex,
  referrersTag,
  sigstoreBundleLayer,
} from '@sigil/core'
import type {AddAttachmentResult, AttachmentKind, AttachmentStore, AttachmentSubject, IndexDescriptor, StoredAttachment} from '@sigil/core'
import type {RegistryClient, RepositoryRef} from '@sigil/oci'
import {SigningError} from './error.js'
import {mapLimit} from './map-limit.js'
import {mergeIntoReferrersIndex, referrersIndexLocation} from './referrers-index-write.js'
import {blobRace, settleDelay, sleep} from './settle.js'

/** What was learnt about registries' referrers API, kept between runs by the host. */
export interface ReferrersApiMemory {
  /** True: the registry serves the API; false: it answered 404; undefined: not known. */
  get(registry: string): boolean | undefined
  set(registry: string, supported: boolean): void
}

/** Options of {@link referrersStore}. */
export interface ReferrersStoreOptions {
  readonly client: RegistryClient
  /** Keep attachments in another repository (cosign's `COSIGN_REPOSITORY`). Default: the subject's. */
  readonly signatureRepository?: RepositoryRef
  /**
   * Whether the registry serves the OCI 1.1 referrers API, as its adapter declares it: true
   * (use it), false (go straight to the tag schema). Default: what `memory` knows, else ask once.
   */
  readonly referrersApi?: boolean
  readonly memory?: ReferrersApiMemory
  /** Referrer manifests read at once. Default 4. */
  readonly concurrency?: number
  /** `org.opencontainers.image.created` of referrers written. Default now. */
  readonly now?: () => Date
  /** Bound on read-modify-write rounds of the tag-schema index under concurrent writers. Default 6. */
  readonly maxRounds?: number
  /** Least pause before reading the index back, in ms. Default 25 (it adapts to the registry). */
  readonly settleMs?: number
}

/** Whether a bundle with `predicateType` is an attachment of `kind` (unknown: let the checks decide). */
function ofKind(kind: AttachmentKind, predicateType: string | undefined): boolean {
  if (predicateType === undefined) return true
  return kind === 'signature' ? predicateType === COSIGN_SIGN_PREDICATE_TYPE : kind === 'attestation' && predicateType !== COSIGN_SIGN_PREDICATE_TYPE
}

/** Options of {@link findReferrers}. */
export interface FindReferrersOptions {
  /** Whether the registry serves the referrers API (see {@link ReferrersStoreOptions}). Default: what `memory` knows, else ask once. */
  readonly referrersApi?: boolean
  readonly memory?: ReferrersApiMemory
  /** Ask the API for referrers of this artifact type only (a registry may list others too). Default: all. */
  readonly artifactType?: string
  /** A `sha256-<hex>` tag holding the subject itself (cosign 2's `copy` tags each manifest it copies so) is no index rather than a bad one. */
  readonly subjectTagIsNoIndex?: boolean
}

/**
 * The referrers of `digest` in `repository` as its index lists them, and where that index is
 * (the API, else the `sha256-<hex>` tag); undefined when there is none. An index that cannot be
 * read is INVALID_SIGNATURE_MANIFEST, naming where it is.
 */
export async function findReferrers(
  client: RegistryClient,
  repository: RepositoryRef,
  digest: string,
  options: FindReferrersOptions = {},
): Promise<{manifests: readonly IndexDescriptor[]; location: string} | undefined> {
  const known = options.referrersApi ?? options.memory?.get(repository.registry)
  let found: {bytes: Uint8Array; location: string} | undefined
  if (known !== false) {
    const answer = await client.getReferrers(repository, digest, options.artifactType === undefined ? undefined : {artifactType: options.artifactType})
    if (known === undefined) options.memory?.set(repository.registry, answer !== undefined)
    if (answer) found = {bytes: answer.bytes, location: `${repository.registry}/${repository.repository}/referrers/${digest}`}
  }
  if (found === undefined) {
    const tag = referrersTag(digest)
    const fallback = await client.getManifestIfExists(repository, tag)
    if (!fallback || (options.subjectTagIsNoIndex && fallback.digest === digest)) return undefined
    found = {bytes: fallback.bytes, location: `${repository.registry}/${repository.repository}:${tag}`}
  }
  try {
    return {manifests: parseReferrersIndex(found.bytes).manifests, location: found.location}
  } catch (err) {
    throw new SigningError('INVALID_SIGNATURE_MANIFEST', `${found.location}: ${(err as Error).message}`, {cause: err})
  }
}

/**
 * The bundle a referrer manifest holds, as a stored attachment of `kind` at `location`; undefined
 * when the manifest is not one we can read, holds no sigstore bundle, or is of another kind.
 */
export function bundleAttachment(kind: AttachmentKind, location: string, manifestBytes: Uint8Array): StoredAttachment | undefined {
  let manifest
  try {
    manifest = parseReferrerManifest(manifestBytes)
  } catch {
    return undefined // not a manifest we can read: not one of ours, never a signature
  }
  const layer = sigstoreBundleLayer(manifest)
  const predicateType = manifest.annotations?.[BUNDLE_PREDICATE_TYPE_ANNOTATION]
  if (!layer || !(layer.mediaType in SIGSTORE_BUNDLE_MEDIA_TYPES) || !ofKind(kind, predicateType)) return undefined
  return {
    kind,
    format: 'sigstore-bundle',
    location,
    digest: layer.digest,
    mediaType: layer.mediaType,
    size: layer.size,
    ...(manifest.annotations ? {annotations: manifest.annotations} : {}),
    ...(predicateType === undefined ? {} : {predicateType}),
  }
}

/**
 * List the referrer `manifest` (already pushed) in the `sha256-<hex>` index tag of `digest`, the
 * referrers tag schema of registries without the API, with {@link mergeIntoReferrersIndex} (read
 * back, merged again when dropped, bounded). Returns the index's name.
 */
export async function listInReferrersIndex(
  client: RegistryClient,
  repository: RepositoryRef,
  digest: string,
  manifest: Uint8Array,
  options: {readonly maxRounds?: number; readonly settleMs?: number} = {},
): Promise<string> {
  const entry = referrersIndexEntry(manifest)
  const rounds = options.maxRounds ?? 6
  const lost = `the referrer ${repository.registry}/${repository.repository}@${entry.digest} was pushed, but ${rounds} attempts to list it in ${referrersIndexLocation(repository, digest)} lost to concurrent writers; sign again`
  const {index} = await mergeIntoReferrersIndex({client, maxRounds: rounds, settleMs: options.settleMs}, repository, digest, [entry], {lost})
  return index
}

/**
 * cosign 3's storage: each signature or attestation is a sigstore bundle in an OCI 1.1 referrer
 * manifest of the subject, found through the registry's referrers API or, on registries
 * without it, through the referrers tag schema (an image index tagged `sha256-<hex>`).
 */
export function referrersStore(options: ReferrersStoreOptions): AttachmentStore {
  const {client} = options
  const repositoryOf = (subject: AttachmentSubject): RepositoryRef => options.signatureRepository ?? {registry: subject.registry, repository: subject.repository}

  const referrersOf = (subject: AttachmentSubject) => findReferrers(client, repositoryOf(subject), subject.digest, {...options, artifactType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE})

  /** Every kind's list from one read of the index, each referrer's manifest read once. */
  async function listKinds(subject: AttachmentSubject, kinds: readonly AttachmentKind[]): Promise<StoredAttachment[][]> {
    const repository = repositoryOf(subject)
    const found = await referrersOf(subject)
    if (!found) return kinds.map(() => [])
    // The index may say little (cosign's fallback entries carry no annotations): each
    // referrer's own manifest says whether it holds a bundle and of which predicate type.
    const listedAs = (kind: AttachmentKind, entry: IndexDescriptor) => ofKind(kind, entry.annotations?.[BUNDLE_PREDICATE_TYPE_ANNOTATION])
    const candidates = found.manifests.filter((d) => kinds.some((kind) => listedAs(kind, d)))
    const fetched = await mapLimit(candidates, options.concurrency ?? 4, async (entry) => {
      const location = `${repository.registry}/${repository.repository}@${entry.digest}`
      // A referrer deleted since the index was written is skipped: the others still count.
      const manifest = await client.getManifestIfExists(repository, entry.digest)
      return manifest && {entry, location, bytes: manifest.bytes}
    })
    return kinds.map((kind) =>
      fetched.flatMap((f) => {
        const attachment = f && listedAs(kind, f.entry) ? bundleAttachment(kind, f.location, f.bytes) : undefined
        return attachment ? [attachment] : []
      }),
    )
  }

  return {
    name: 'referrers',

    list: async (subject, kind) => (await listKinds(subject, [kind]))[0]!,
    listKinds,

    /**
     * Push a bundle as a referrer of the subject (by digest: referrers are never overwritten),
     * and, on a registry without the referrers API, list it in the `sha256-<hex>` index tag. That
     * index is a read-modify-write shared with concurrent writers: it is read back after a pause
     * longer than a read-modify-write takes (a second, longer look when others write too) and
     * merged again when our entry was dropped, bounded.
     */
    async add(subject, attachment, addOptions = {}): Promise<AddAttachmentResult> {
      if (attachment.format !== 'sigstore-bundle') {
        throw new SigilError('INVALID_ARGUMENT', `the referrers store keeps sigstore bundles, not ${attachment.format}`)
      }
      if (subject.mediaType === undefined || subject.size === undefined) {
        throw new SigilError('INVALID_ARGUMENT', `a referrer of ${subject.digest} needs the subject's media type and size`)
      }
      const repository = repositoryOf(subject)
      const uploadConfig = () => client.uploadBlob(repository, OCI_EMPTY_DIGEST, new TextEncoder().encode(OCI_EMPTY_JSON))
      // The empty config goes up while the signature is still being made.
      const configUploaded = uploadConfig()
      configUploaded.catch(() => {}) // awaited below
      const bundle = await attachment.bundle
      const bundleDigest = sha256Digest(bundle)
      const uploadBlobs = () => Promise.all([uploadConfig(), client.uploadBlob(repository, bundleDigest, bundle)])
      await Promise.all([configUploaded, client.uploadBlob(repository, bundleDigest, bundle)])
      const manifest = buildBundleReferrerManifest({
        subject: {mediaType: subject.mediaType, size: subject.size, digest: subject.digest},
        bundleDescriptor: {size: bundle.length, digest: bundleDigest, mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE},
        predicateType: attachment.predicateType,
        created: options.now?.() ?? new Date(),
      })
      const manifestDigest = sha256Digest(manifest)
      const location = `${repository.registry}/${repository.repository}@${manifestDigest}`
      addOptions.onWrite?.(location)
      let put: {ociSubject?: string}
      for (let attempt = 1; ; attempt++) {
        try {
          put = await client.putManifest(repository, manifestDigest, manifest, OCI_MANIFEST_MEDIA_TYPE)
          break
        } catch (err) {
          if (!blobRace(err) || attempt >= (options.maxRounds ?? 6)) throw err
          await sleep(settleDelay(20, options.settleMs))
          await uploadBlobs()
        }
      }
      // A registry that indexed the referrer says so (OCI-Subject); without that answer the index
      // tag is written, whatever was remembered about the registry (it may have changed).
      if (put.ociSubject !== undefined) options.memory?.set(repository.registry, true)
      if (options.referrersApi ?? put.ociSubject !== undefined) return {added: true, location, manifestDigest}

      const index = await listInReferrersIndex(client, repository, subject.digest, manifest, options)
      return {added: true, location, index, manifestDigest}
    },

    /** Delete the referrer manifest, and its entry in the `sha256-<hex>` index tag when there is one (the index itself with its last entry). */
    async delete(subject, attachment): Promise<boolean> {
      const repository = repositoryOf(subject)
      const at = attachment.location.lastIndexOf('@')
      const referrer = attachment.location.slice(at + 1)
      if (at < 0 || !referrer.startsWith('sha256:')) throw new SigilError('INVALID_ARGUMENT', `${attachment.location} is not a referrer this store listed`)
      let deleted = true
      try {
        await client.deleteManifest(repository, referrer)
      } catch (err) {
        if (!isSigilError(err) || err.code !== 'MANIFEST_UNKNOWN') throw err
        deleted = false
      }
      const tag = referrersTag(subject.digest)
      const rounds = options.maxRounds ?? 6
      for (let round = 1; ; round++) {
        const started = performance.now()
        const existing = await client.getManifestIfExists(repository, tag)
        if (!existing) return deleted
        const removed = removeFromReferrersIndex(existing.bytes, referrer)
        if (!removed.removed) return deleted
        if (parseReferrersIndex(removed.bytes).manifests.length > 0) {
          await client.putManifest(repository, tag, removed.bytes, OCI_INDEX_MEDIA_TYPE)
        } else {
          // The last referrer gone: the index goes too, by digest (as cosign 3's clean), not left empty.
          await client.deleteManifest(repository, existing.digest).catch((err: unknown) => {
            if (!isSigilError(err) || err.code !== 'MANIFEST_UNKNOWN') throw err
          })
        }
        await sleep(settleDelay(performance.now() - started, options.settleMs))
        const after = await client.getManifestIfExists(repository, tag)
        if (!after || !parseReferrersIndex(after.bytes).manifests.some((d) => d.digest === referrer)) return true
        if (round >= rounds) throw new SigningError('SIGNING_FAILED', `${rounds} attempts to remove ${referrer} from ${repository.registry}/${repository.repository}:${tag} lost to concurrent writers`)
      }
    },

    read(subject, attachment): Promise<Uint8Array> {
      if (attachment.size > MAX_BUNDLE_BYTES) {
        return Promise.reject(new SigningError('INVALID_PAYLOAD', `${attachment.location}: bundle ${attachment.digest} is ${attachment.size} bytes, over the ${MAX_BUNDLE_BYTES}-byte limit`))
      }
      // Read no more than the descriptor declares: a registry streaming more is refused at once.
      return client.getBlob(repositoryOf(subject), attachment.digest, {maxBytes: attachment.size})
    },
  }
}
