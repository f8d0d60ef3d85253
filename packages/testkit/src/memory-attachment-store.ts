/**
 * The in-memory reference attachment store: what the suite's contract means, in a few lines,
 * and what the kit tests itself against. Its backdoor (`seed`, `breakListing`) writes the same
 * storage its `list` and `read` read, as a registry would for a registry store.
 */
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  DSSE_ENVELOPE_MEDIA_TYPE,
  SIGNATURE_ANNOTATION,
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  SIMPLE_SIGNING_MEDIA_TYPE,
  SigilError,
  encodeStdBase64,
  sha256Digest,
} from '@sigil/core'
import type {AttachmentKind, AttachmentStore, AttachmentSubject, StoredAttachment} from '@sigil/core'
import {contentOf} from './attachment-items.js'
import {LEGACY_ATTACHMENT_FORMATS} from './attachment-store-options.js'
import type {AttachmentFormat, AttachmentItem, AttachmentStoreBackdoor} from './attachment-store-options.js'

/** Options of {@link memoryAttachmentStore}. */
export interface MemoryAttachmentStoreOptions {
  /**
   * The format each kind is kept in. Default `{signature: 'simple-signing', attestation:
   * 'dsse-envelope'}` (legacy tags: one list per kind). With `'sigstore-bundle'`, bundles share one
   * list per subject and the predicate type decides the kind, as with referrers.
   */
  readonly formats?: Readonly<Partial<Record<AttachmentKind, AttachmentFormat>>>
}

/** An in-memory attachment store with its writer backdoor. */
export interface MemoryAttachmentStore extends AttachmentStore, Required<AttachmentStoreBackdoor> {}

const MEDIA_TYPE: Readonly<Record<AttachmentFormat, string>> = {
  'simple-signing': SIMPLE_SIGNING_MEDIA_TYPE,
  'dsse-envelope': DSSE_ENVELOPE_MEDIA_TYPE,
  'sigstore-bundle': SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
}

/** Whether a bundle of `predicateType` lists as `kind`: cosign's sign predicate is a signature, any other an attestation. */
const bundleKindOf = (predicateType: string): AttachmentKind => (predicateType === COSIGN_SIGN_PREDICATE_TYPE ? 'signature' : 'attestation')

/** An attachment store over memory; each call makes a new, empty one. */
export function memoryAttachmentStore(options: MemoryAttachmentStoreOptions = {}): MemoryAttachmentStore {
  const formats = options.formats ?? LEGACY_ATTACHMENT_FORMATS
  const lists = new Map<string, AttachmentItem[]>()
  const broken = new Set<string>()
  // Legacy formats keep one list per kind (a tag each); bundles one list per subject (one index).
  const listKey = (subject: AttachmentSubject, kind: AttachmentKind): string => {
    const where = `${subject.registry}/${subject.repository}@${subject.digest}`
    return formats[kind] === 'sigstore-bundle' ? `${where}#bundles` : `${where}#${kind}`
  }
  const describe = (subject: AttachmentSubject, kind: AttachmentKind, item: AttachmentItem): StoredAttachment => {
    const content = contentOf(item)
    const digest = sha256Digest(content)
    const common = {kind, format: item.format, location: `memory://${subject.registry}/${subject.repository}@${subject.digest}/${kind}/${digest}`, digest, mediaType: MEDIA_TYPE[item.format], size: content.length}
    if (item.format === 'simple-signing') return {...common, annotations: {[SIGNATURE_ANNOTATION]: encodeStdBase64(item.signature)}}
    if (item.format === 'dsse-envelope') return {...common, annotations: {[SIGNATURE_ANNOTATION]: '', predicateType: item.predicateType}}
    return {...common, predicateType: item.predicateType}
  }

  return {
    name: 'memory',

    async list(subject, kind) {
      const format = formats[kind]
      if (format === undefined) return []
      const key = listKey(subject, kind)
      if (broken.has(key)) throw new SigilError('INVALID_SIGNATURE_MANIFEST', `memory listing ${key} is corrupt`)
      const items = lists.get(key) ?? []
      return items.filter((item) => item.format !== 'sigstore-bundle' || bundleKindOf(item.predicateType) === kind).map((item) => describe(subject, kind, item))
    },

    async read(subject, attachment) {
      const items = lists.get(listKey(subject, attachment.kind)) ?? []
      const item = items.find((i) => sha256Digest(contentOf(i)) === attachment.digest)
      if (!item) throw new SigilError('BLOB_UNKNOWN', `${attachment.location}: no such attachment`)
      return Uint8Array.from(contentOf(item))
    },

    async add(subject, attachment, addOptions = {}) {
      const kind = attachment.kind
      const format = formats[kind]
      if (format !== attachment.format) throw new SigilError('INVALID_ARGUMENT', `this memory store keeps ${kind} as ${format ?? 'nothing'}, not ${attachment.format}`)
      const item: AttachmentItem =
        attachment.format === 'simple-signing'
          ? {format: 'simple-signing', payload: attachment.payload, signature: Buffer.from(await attachment.signature, 'base64')}
          : attachment.format === 'dsse-envelope'
            ? {format: 'dsse-envelope', envelope: await attachment.envelope, predicateType: attachment.predicateType}
            : {format: 'sigstore-bundle', bundle: await attachment.bundle, predicateType: attachment.predicateType}
      const key = listKey(subject, kind)
      const items = lists.get(key) ?? []
      // cosign's dedup rule: the same payload with a signature the caller's key verifies.
      if (item.format === 'simple-signing' && addOptions.verifyExisting) {
        const same = items.find((i) => i.format === 'simple-signing' && Buffer.from(i.payload).equals(Buffer.from(item.payload)) && addOptions.verifyExisting!(item.payload, i.signature))
        if (same) return {added: false, location: describe(subject, kind, same).location}
      }
      addOptions.onWrite?.(key)
      lists.set(key, [...items, copyItem(item)])
      return {added: true, location: describe(subject, kind, item).location}
    },

    async delete(subject, attachment) {
      const key = listKey(subject, attachment.kind)
      const items = lists.get(key) ?? []
      const kept = items.filter((i) => describe(subject, attachment.kind, i).location !== attachment.location)
      lists.set(key, kept)
      return kept.length < items.length
    },

    async seed(subject, kind, items) {
      const format = formats[kind]
      for (const item of items) {
        if (item.format !== format) throw new SigilError('INVALID_ARGUMENT', `this memory store keeps ${kind} as ${format ?? 'nothing'}, not ${item.format}`)
      }
      const key = listKey(subject, kind)
      // Copies: a producer's buffer changing later must not change what was stored.
      lists.set(key, [...(lists.get(key) ?? []), ...items.map(copyItem)])
    },

    async breakListing(subject, kind) {
      broken.add(listKey(subject, kind))
    },
  }
}

function copyItem(item: AttachmentItem): AttachmentItem {
  if (item.format === 'simple-signing') return {...item, payload: Uint8Array.from(item.payload), signature: Uint8Array.from(item.signature)}
  if (item.format === 'dsse-envelope') return {...item, envelope: Uint8Array.from(item.envelope)}
  return {...item, bundle: Uint8Array.from(item.bundle)}
}
