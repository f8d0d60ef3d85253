import {
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
import type {AttachmentKind, AttachmentStore, AttachmentSubject, StoredAttachment} from '@sigil/core'
import type {RegistryClient, RepositoryRef} from '@sigil/oci'
import {SigningError} from './error.js'

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
}

/** Whether a bundle with `predicateType` is an attachment of `kind` (unknown: let the checks decide). */
function ofKind(kind: AttachmentKind, predicateType: string | undefined): boolean {
  if (predicateType === undefined) return true
  return kind === 'signature' ? predicateType === COSIGN_SIGN_PREDICATE_TYPE : kind === 'attestation' && predicateType !== COSIGN_SIGN_PREDICATE_TYPE
}

/**
 * cosign 3's storage: each signature or attestation is a sigstore bundle in an OCI 1.1 referrer
 * manifest of the subject, found through the registry's referrers API or, on registries
 * without it, through the referrers tag schema (an image index tagged `sha256-<hex>`).
 */
export function referrersStore(options: ReferrersStoreOptions): AttachmentStore {
  const {client} = options
  const repositoryOf = (subject: AttachmentSubject): RepositoryRef => options.signatureRepository ?? {registry: subject.registry, repository: subject.repository}

  /** The referrers index of `subject` and where it came from, or undefined when there is none. */
  async function index(subject: AttachmentSubject): Promise<{bytes: Uint8Array; location: string} | undefined> {
    const repository = repositoryOf(subject)
    const known = options.referrersApi ?? options.memory?.get(repository.registry)
    if (known !== false) {
      const answer = await client.getReferrers(repository, subject.digest, {artifactType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE})
      if (known === undefined) options.memory?.set(repository.registry, answer !== undefined)
      if (answer) return {bytes: answer.bytes, location: `${repository.registry}/${repository.repository}/referrers/${subject.digest}`}
    }
    const tag = referrersTag(subject.digest)
    const fallback = await client.getManifestIfExists(repository, tag)
    return fallback && {bytes: fallback.bytes, location: `${repository.registry}/${repository.repository}:${tag}`}
  }

  return {
    name: 'referrers',

    async list(subject, kind): Promise<StoredAttachment[]> {
      const repository = repositoryOf(subject)
      const found = await index(subject)
      if (!found) return []
      let manifests
      try {
        manifests = parseReferrersIndex(found.bytes).manifests
      } catch (err) {
        if (isSigilError(err)) throw new SigningError('INVALID_SIGNATURE_MANIFEST', `${found.location}: ${err.message}`, {cause: err})
        throw err
      }
      // The index may say little (cosign's fallback entries carry no annotations): each
      // referrer's own manifest says whether it holds a bundle and of which predicate type.
      const candidates = manifests.filter((d) => ofKind(kind, d.annotations?.[BUNDLE_PREDICATE_TYPE_ANNOTATION]))
      const out: Array<StoredAttachment | undefined> = new Array(candidates.length)
      let next = 0
      const worker = async () => {
        while (next < candidates.length) {
          const i = next++
          const entry = candidates[i]!
          const location = `${repository.registry}/${repository.repository}@${entry.digest}`
          // A referrer deleted since the index was written is skipped: the others still count.
          const fetched = await client.getManifestIfExists(repository, entry.digest)
          if (!fetched) continue
          const bytes = fetched.bytes
          let manifest
          try {
            manifest = parseReferrerManifest(bytes)
          } catch {
            continue // not a manifest we can read: not one of ours, never a signature
          }
          const layer = sigstoreBundleLayer(manifest)
          const predicateType = manifest.annotations?.[BUNDLE_PREDICATE_TYPE_ANNOTATION]
          if (!layer || !(layer.mediaType in SIGSTORE_BUNDLE_MEDIA_TYPES) || !ofKind(kind, predicateType)) continue
          out[i] = {
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
      }
      await Promise.all(Array.from({length: Math.max(1, Math.min(options.concurrency ?? 4, candidates.length))}, worker))
      return out.filter((a): a is StoredAttachment => a !== undefined)
    },

    read(subject, attachment): Promise<Uint8Array> {
      if (attachment.size > MAX_BUNDLE_BYTES) {
        return Promise.reject(new SigningError('INVALID_PAYLOAD', `${attachment.location}: bundle ${attachment.digest} is ${attachment.size} bytes, over the ${MAX_BUNDLE_BYTES}-byte limit`))
      }
      return client.getBlob(repositoryOf(subject), attachment.digest, {maxBytes: MAX_BUNDLE_BYTES})
    },
  }
}
