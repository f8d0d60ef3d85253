/**
 * The attachment-store suite's writer backdoors for the registry stores: attachments written the
 * way cosign writes them, with `@sigil/core`'s builders and a plain `RegistryClient`, never
 * through the store under test.
 */
import {
  DSSE_ENVELOPE_MEDIA_TYPE,
  OCI_CONFIG_MEDIA_TYPE,
  OCI_EMPTY_DIGEST,
  OCI_EMPTY_JSON,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  SIGNATURE_ANNOTATION,
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  SIMPLE_SIGNING_MEDIA_TYPE,
  addToReferrersIndex,
  buildBundleReferrerManifest,
  buildSignatureConfig,
  buildSignatureManifest,
  encodeStdBase64,
  parseSignatureManifest,
  referrersIndexEntry,
  referrersTag,
  sha256Digest,
  signatureTag,
} from '@sigil/core'
import type {AttachmentKind, AttachmentSubject, Descriptor} from '@sigil/core'
import type {RegistryClient} from '@sigil/oci'
import {pushRandomImage} from '@sigil/test-servers'
import type {AttachmentItem, AttachmentStoreBackdoor} from '@sigil/testkit'

const SUFFIX = {signature: 'sig', attestation: 'att', sbom: 'sbom'} as const
const repoOf = (s: AttachmentSubject) => ({registry: s.registry, repository: s.repository})
let counter = 0

/** Fresh subjects: a random image pushed to a new repository on `host`, or beside `sibling`. */
export function registrySubjects(client: RegistryClient, host: string): (sibling?: AttachmentSubject) => Promise<AttachmentSubject> {
  return async (sibling) => {
    const repository = sibling?.repository ?? `kit/store${++counter}-${Date.now().toString(36)}`
    const pushed = await pushRandomImage(client, {registry: host, repository}, `t${++counter}`)
    return {registry: host, repository, digest: pushed.digest}
  }
}

/**
 * cosign's legacy tags: each item a layer of the image manifest at `sha256-<hex>.sig` (`.att`),
 * appended after the layers already there, the config rebuilt, the manifest put again.
 */
export function legacyTagWriter(client: RegistryClient): Required<AttachmentStoreBackdoor> {
  return {
    async seed(subject, kind, items) {
      const repo = repoOf(subject)
      const tag = signatureTag(subject.digest, SUFFIX[kind])
      const existing = await client.getManifestIfExists(repo, tag)
      const layers: Descriptor[] = existing ? [...parseSignatureManifest(existing.bytes).layers] : []
      for (const item of items) {
        const {content, mediaType, annotations} = legacyLayer(item)
        const digest = sha256Digest(content)
        await client.uploadBlob(repo, digest, content)
        layers.push({mediaType, size: content.length, digest, annotations})
      }
      const config = buildSignatureConfig(layers.map((l) => l.digest))
      await client.uploadBlob(repo, sha256Digest(config), config)
      const manifest = buildSignatureManifest({config: {mediaType: OCI_CONFIG_MEDIA_TYPE, size: config.length, digest: sha256Digest(config)}, layers})
      await client.putManifest(repo, tag, manifest, OCI_MANIFEST_MEDIA_TYPE)
    },
    async breakListing(subject, kind) {
      // An index where an image manifest belongs: valid for the registry, not a signature manifest.
      const index = new TextEncoder().encode(JSON.stringify({schemaVersion: 2, mediaType: OCI_INDEX_MEDIA_TYPE, manifests: []}))
      await client.putManifest(repoOf(subject), signatureTag(subject.digest, SUFFIX[kind]), index, OCI_INDEX_MEDIA_TYPE)
    },
  }
}

export function legacyLayer(item: AttachmentItem): {content: Uint8Array; mediaType: string; annotations: Record<string, string>} {
  if (item.format === 'simple-signing') return {content: item.payload, mediaType: SIMPLE_SIGNING_MEDIA_TYPE, annotations: {[SIGNATURE_ANNOTATION]: encodeStdBase64(item.signature)}}
  if (item.format === 'dsse-envelope') return {content: item.envelope, mediaType: DSSE_ENVELOPE_MEDIA_TYPE, annotations: {[SIGNATURE_ANNOTATION]: '', predicateType: item.predicateType}}
  throw new Error(`legacy tags do not keep ${item.format}`)
}

/**
 * cosign 3's referrers: each bundle a blob, its referrer manifest pushed by digest; with
 * `index: 'tag-schema'` (registries without the referrers API) also added to the
 * `sha256-<hex>` index, read-modify-write as go-containerregistry does.
 */
export function referrersWriter(client: RegistryClient, options: {readonly index: 'tag-schema' | 'api'}): AttachmentStoreBackdoor {
  const writer: AttachmentStoreBackdoor = {
    async seed(subject: AttachmentSubject, _kind: AttachmentKind, items: readonly AttachmentItem[]) {
      const repo = repoOf(subject)
      const described = await client.resolveDigest(repo, subject.digest)
      await client.uploadBlob(repo, OCI_EMPTY_DIGEST, new TextEncoder().encode(OCI_EMPTY_JSON))
      for (const item of items) {
        if (item.format !== 'sigstore-bundle') throw new Error(`referrers keep sigstore bundles, not ${item.format}`)
        const bundleDigest = sha256Digest(item.bundle)
        await client.uploadBlob(repo, bundleDigest, item.bundle)
        const manifest = buildBundleReferrerManifest({
          subject: {mediaType: described.mediaType, size: described.size, digest: subject.digest},
          bundleDescriptor: {size: item.bundle.length, digest: bundleDigest, mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE},
          predicateType: item.predicateType,
          created: new Date(),
        })
        await client.putManifest(repo, sha256Digest(manifest), manifest, OCI_MANIFEST_MEDIA_TYPE)
        if (options.index === 'api') continue
        const tag = referrersTag(subject.digest)
        const existing = await client.getManifestIfExists(repo, tag)
        const merged = addToReferrersIndex(existing?.bytes, referrersIndexEntry(manifest))
        if (merged.added) await client.putManifest(repo, tag, merged.bytes, OCI_INDEX_MEDIA_TYPE)
      }
    },
  }
  if (options.index === 'api') return writer
  return {
    ...writer,
    async breakListing(subject) {
      // An image manifest (the subject's own) where the index belongs.
      const repo = repoOf(subject)
      const image = await client.getManifest(repo, subject.digest)
      await client.putManifest(repo, referrersTag(subject.digest), image.bytes, OCI_MANIFEST_MEDIA_TYPE)
    },
  }
}
