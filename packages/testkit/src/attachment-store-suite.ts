/**
 * The conformance suite every attachment store passes (`list` and `read`, and `add` for stores
 * that write), ours and third parties' alike:
 *
 *   import {test} from 'vitest'
 *   import {attachmentStoreSuite} from '@sigil/testkit'
 *   attachmentStoreSuite(test, {store: () => myStore(), seed: …, breakListing: …, subject: …})
 *
 * The caller supplies the test function (vitest's `test`) and a writer backdoor (`seed`) that puts
 * attachments in place the way a real producer would; the suite then checks what the store lists
 * and reads against what was written. Each behaviour group is exported on its own too. Every test
 * takes a fresh store from the factory and fresh subjects, so a shared registry is fine.
 */
import {SIGNATURE_ANNOTATION, SIGSTORE_BUNDLE_V03_MEDIA_TYPE, DSSE_ENVELOPE_MEDIA_TYPE, SIMPLE_SIGNING_MEDIA_TYPE, encodeStdBase64, ATTACHMENT_KINDS} from '@sigil/core'
import type {AttachmentKind, AttachmentSubject, NewAttachment, StoredAttachment} from '@sigil/core'
import {randomBytes} from 'node:crypto'
import type {ExpectStatic, TestAPI} from 'vitest'
import {contentDigest, contentOf, makeAttachmentItem} from './attachment-items.js'
import {LEGACY_ATTACHMENT_FORMATS} from './attachment-store-options.js'
import type {AttachmentFormat, AttachmentItem, AttachmentStoreSuiteOptions} from './attachment-store-options.js'

const KINDS = ATTACHMENT_KINDS

const MEDIA_TYPE: Readonly<Record<AttachmentFormat, string>> = {
  'simple-signing': SIMPLE_SIGNING_MEDIA_TYPE,
  'dsse-envelope': DSSE_ENVELOPE_MEDIA_TYPE,
  'sigstore-bundle': SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
}

/** The default subject factory: a random digest in a random repository, or beside `sibling`. */
async function randomSubject(sibling?: AttachmentSubject): Promise<AttachmentSubject> {
  const digest = `sha256:${randomBytes(32).toString('hex')}`
  if (sibling) return {registry: sibling.registry, repository: sibling.repository, digest}
  return {registry: 'registry.kit.test', repository: `kit/${randomBytes(4).toString('hex')}`, digest}
}

/** The options with their defaults filled in, and the helpers every group uses. */
function setup(options: AttachmentStoreSuiteOptions) {
  const formats = options.formats ?? LEGACY_ATTACHMENT_FORMATS
  const kept = KINDS.filter((k) => formats[k] !== undefined).map((kind) => ({kind, format: formats[kind]!}))
  const subject = options.subject ?? randomSubject
  const items = (s: AttachmentSubject, kind: AttachmentKind, n: number): AttachmentItem[] =>
    Array.from({length: n}, () => makeAttachmentItem(s, kind, formats[kind]!))
  return {formats, kept, subject, items, order: options.order ?? 'unspecified', faultCode: options.faultCode ?? 'INVALID_SIGNATURE_MANIFEST'}
}

/** Whether `listed` is the attachment `item` was stored as (same content; a legacy signature: same signature too). */
function isListingOf(listed: StoredAttachment, item: AttachmentItem): boolean {
  if (listed.digest !== contentDigest(item)) return false
  return item.format !== 'simple-signing' || listed.annotations?.[SIGNATURE_ANNOTATION] === encodeStdBase64(item.signature)
}

/** `listed` describes `item` stored as `kind`: every field the contract promises, set and right. */
function expectDescribes(expect: ExpectStatic, listed: StoredAttachment, item: AttachmentItem, kind: AttachmentKind): void {
  const content = contentOf(item)
  expect(listed.kind, 'kind').toBe(kind)
  expect(listed.format, 'format').toBe(item.format)
  expect(typeof listed.location === 'string' && listed.location.length > 0, 'location is set').toBe(true)
  // digest, mediaType and size describe the content `read` returns (the layer, the bundle blob).
  expect(listed.digest, 'digest').toBe(contentDigest(item))
  expect(listed.mediaType, 'mediaType').toBe(MEDIA_TYPE[item.format])
  expect(listed.size, 'size').toBe(content.length)
  if (item.format === 'simple-signing') {
    // A legacy signature is verified from the payload and this annotation: it must come with the listing.
    expect(listed.annotations?.[SIGNATURE_ANNOTATION], `annotations["${SIGNATURE_ANNOTATION}"]`).toBe(encodeStdBase64(item.signature))
  } else if (listed.predicateType !== undefined) {
    expect(listed.predicateType, 'predicateType').toBe(item.predicateType)
  }
}

/** `listed` is exactly `items` (in order when `ordered`), each described right. */
function expectListing(expect: ExpectStatic, listed: readonly StoredAttachment[], items: readonly AttachmentItem[], kind: AttachmentKind, ordered: boolean): void {
  expect(Array.isArray(listed), 'list resolves to an array').toBe(true)
  expect(listed.length, `${kind}s listed`).toBe(items.length)
  if (ordered) {
    items.forEach((item, i) => {
      expect(isListingOf(listed[i]!, item), `listing[${i}] is the ${i + 1}th ${kind} seeded`).toBe(true)
      expectDescribes(expect, listed[i]!, item, kind)
    })
    return
  }
  const unmatched = [...listed]
  for (const item of items) {
    const at = unmatched.findIndex((l) => isListingOf(l, item))
    expect(at, `a seeded ${kind} (${contentDigest(item)}) is listed`).toBeGreaterThanOrEqual(0)
    expectDescribes(expect, unmatched[at]!, item, kind)
    unmatched.splice(at, 1)
  }
}

const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))

/** The contract members exist; a subject with nothing attached lists `[]` for every kind. */
export function attachmentStoreBasicTests(test: TestAPI, options: AttachmentStoreSuiteOptions): void {
  const s = setup(options)
  test('the required contract members exist', async ({expect}) => {
    const store = await options.store()
    expect(typeof store.name).toBe('string')
    expect(store.name.length).toBeGreaterThan(0)
    expect(typeof store.list).toBe('function')
    expect(typeof store.read).toBe('function')
    expect(typeof options.seed).toBe('function')
  })

  test('list(subject, kind) resolves to [] for every kind when nothing is attached: "none" is never an error', async ({expect}) => {
    const store = await options.store()
    const subject = await s.subject()
    for (const kind of KINDS) expect(await store.list(subject, kind), kind).toEqual([])
  })
}

/** `list` returns exactly what was seeded, of the asked kind only, every field set. */
export function attachmentStoreListTests(test: TestAPI, options: AttachmentStoreSuiteOptions): void {
  const s = setup(options)
  for (const {kind, format} of s.kept) {
    test(`list(subject, '${kind}') returns exactly the seeded ${format} ${kind}, with kind, format, digest, mediaType, size and location set`, async ({expect}) => {
      const store = await options.store()
      const subject = await s.subject()
      const items = s.items(subject, kind, 1)
      await options.seed(subject, kind, items)
      expectListing(expect, await store.list(subject, kind), items, kind, true)
    })
  }

  test(`list returns only the asked kind: with ${s.kept.map((k) => k.kind).join(' and ')} attached, each kind lists its own and ${KINDS.filter((k) => s.formats[k] === undefined).join(', ') || 'no other kind'} lists nothing`, async ({expect}) => {
    const store = await options.store()
    const subject = await s.subject()
    const seeded = new Map<AttachmentKind, AttachmentItem[]>()
    for (const {kind} of s.kept) {
      const items = s.items(subject, kind, 1)
      seeded.set(kind, items)
      await options.seed(subject, kind, items)
    }
    for (const kind of KINDS) expectListing(expect, await store.list(subject, kind), seeded.get(kind) ?? [], kind, true)
  })

  test('listKinds(subject, kinds), when the store has it, gives for each kind what list(subject, kind) gives, in the order asked', async ({expect, skip}) => {
    const store = await options.store()
    if (!store.listKinds) return skip('this store lists one kind at a time')
    const subject = await s.subject()
    for (const {kind} of s.kept) await options.seed(subject, kind, s.items(subject, kind, 2))
    const kinds = [...KINDS].reverse()
    const each = await Promise.all(kinds.map((kind) => store.list(subject, kind)))
    expect(await store.listKinds(subject, kinds)).toEqual(each)
    expect(await store.listKinds(subject, [])).toEqual([])
  })
}

/** `read` returns the exact bytes seeded, the same on every read. */
export function attachmentStoreReadTests(test: TestAPI, options: AttachmentStoreSuiteOptions): void {
  const s = setup(options)
  for (const {kind, format} of s.kept) {
    test(`read(subject, attachment) of a listed ${kind} returns the exact ${format} bytes seeded; a second read and a fresh store's read return them again`, async ({expect}) => {
      const store = await options.store()
      const subject = await s.subject()
      const [item] = s.items(subject, kind, 1)
      await options.seed(subject, kind, [item!])
      const [listed] = await store.list(subject, kind)
      expect(listed, `the seeded ${kind} is listed`).toBeDefined()
      const expected = contentOf(item!)
      const first = await store.read(subject, listed!)
      expect(first).toBeInstanceOf(Uint8Array)
      expect(bytesEqual(first, expected), 'first read: the seeded bytes').toBe(true)
      // Callers may keep or change what they read: the next read must not see that.
      first.fill(0)
      const second = await store.read(subject, listed!)
      expect(bytesEqual(second, expected), 'second read: the same bytes').toBe(true)
      const fresh = await options.store()
      expect(bytesEqual(await fresh.read(subject, listed!), expected), 'a fresh store reads the same bytes').toBe(true)
    })
  }
}

/** Several attachments on one subject, from several producers, are all listed, and later ones too. */
export function attachmentStoreManyTests(test: TestAPI, options: AttachmentStoreSuiteOptions): void {
  const s = setup(options)
  const ordered = s.order === 'seeded'
  for (const {kind} of s.kept) {
    test(`several ${kind}s on one subject, from several producers, are all listed${ordered ? ', in the order they were attached' : ''} and each reads back as seeded`, async ({expect}) => {
      const store = await options.store()
      const subject = await s.subject()
      const items = s.items(subject, kind, 4)
      await options.seed(subject, kind, items.slice(0, 3))
      await options.seed(subject, kind, items.slice(3))
      const listed = await store.list(subject, kind)
      expectListing(expect, listed, items, kind, ordered)
      for (const item of items) {
        const entry = listed.find((l) => isListingOf(l, item))!
        expect(bytesEqual(await store.read(subject, entry), contentOf(item)), `${entry.digest} reads back`).toBe(true)
      }
    })

    test(`list(subject, '${kind}') sees ${kind}s attached after an earlier list: no stale listing`, async ({expect}) => {
      const store = await options.store()
      const subject = await s.subject()
      const items = s.items(subject, kind, 2)
      await options.seed(subject, kind, [items[0]!])
      expectListing(expect, await store.list(subject, kind), [items[0]!], kind, true)
      await options.seed(subject, kind, [items[1]!])
      expectListing(expect, await store.list(subject, kind), items, kind, ordered)
    })
  }

  if (s.formats.signature === 'simple-signing') {
    test('two signers of the same payload are two signatures: layers sharing a digest are both listed, each with its own signature', async ({expect}) => {
      const store = await options.store()
      const subject = await s.subject()
      const [first] = s.items(subject, 'signature', 1)
      if (first?.format !== 'simple-signing') return
      const second: AttachmentItem = {format: 'simple-signing', payload: first.payload, signature: Uint8Array.from(randomBytes(72))}
      await options.seed(subject, 'signature', [first])
      await options.seed(subject, 'signature', [second])
      expectListing(expect, await store.list(subject, 'signature'), [first, second], 'signature', ordered)
    })
  }
}

/** Subjects are independent: what is attached to one lists nothing on another. */
export function attachmentStoreIsolationTests(test: TestAPI, options: AttachmentStoreSuiteOptions): void {
  const s = setup(options)
  test('attachments of one subject list nothing on another subject in the same repository, nor on a subject in another repository', async ({expect}) => {
    const store = await options.store()
    const subject = await s.subject()
    const sibling = await s.subject(subject)
    const elsewhere = await s.subject()
    expect(sibling.digest, 'the sibling is another subject').not.toBe(subject.digest)
    expect(sibling.repository, 'the sibling is in the same repository').toBe(subject.repository)
    const seeded = new Map<AttachmentKind, AttachmentItem[]>()
    for (const {kind} of s.kept) {
      const items = s.items(subject, kind, 2)
      seeded.set(kind, items)
      await options.seed(subject, kind, items)
    }
    for (const kind of KINDS) {
      expect(await store.list(sibling, kind), `${kind} on the sibling`).toEqual([])
      expect(await store.list(elsewhere, kind), `${kind} in another repository`).toEqual([])
      expectListing(expect, await store.list(subject, kind), seeded.get(kind) ?? [], kind, s.order === 'seeded')
    }
  })
}

/**
 * A broken listing is an error with a stable code, never an empty list. Registers nothing
 * without a `breakListing` backdoor: a store whose listing cannot be broken from outside (e.g. a
 * registry's own referrers API) has nothing here to check.
 */
export function attachmentStoreFaultTests(test: TestAPI, options: AttachmentStoreSuiteOptions): void {
  const s = setup(options)
  const breakListing = options.breakListing
  if (breakListing === undefined) return
  for (const {kind} of s.kept) {
    const name = `a broken ${kind} listing makes list reject with ${s.faultCode}, never resolve to [] or to a stale listing`
    test(name, async ({expect}) => {
      const store = await options.store()
      const subject = await s.subject()
      await options.seed(subject, kind, s.items(subject, kind, 1))
      await breakListing(subject, kind)
      await expect(store.list(subject, kind)).rejects.toMatchObject({code: s.faultCode})
    })
  }
}

/** `NewAttachment` for a seeded-style item (the formats `add` takes), or undefined for others. */
function newAttachmentOf(item: AttachmentItem, kind: AttachmentKind): NewAttachment | undefined {
  if (item.format === 'simple-signing') return kind === 'signature' ? {kind, format: 'simple-signing', payload: item.payload, signature: encodeStdBase64(item.signature)} : undefined
  if (item.format === 'sigstore-bundle') return {kind, format: 'sigstore-bundle', bundle: item.bundle, predicateType: item.predicateType}
  return kind === 'attestation' ? {kind, format: 'dsse-envelope', envelope: item.envelope, predicateType: item.predicateType} : undefined
}

/**
 * The write side, for stores that have it (`add`): what is added is listed and read back as
 * written; adding the same signature again adds nothing when the dedup check says so; writers
 * adding at once all keep what they added (the contract is lossless).
 */
export function attachmentStoreAddTests(test: TestAPI, options: AttachmentStoreSuiteOptions): void {
  const s = setup(options)
  const withShape = (subject: AttachmentSubject): AttachmentSubject => ({mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 512, ...subject})
  for (const {kind, format} of s.kept) {
    test(`add(subject, ${format} ${kind}) stores it: list shows it and read returns its bytes`, async ({expect, skip}) => {
      const store = await options.store()
      if (!store.add) return skip('this store has no add (read-only)')
      const subject = withShape(await s.subject())
      const [item] = s.items(subject, kind, 1)
      const added = await store.add(subject, newAttachmentOf(item!, kind)!)
      expect(added.added).toBe(true)
      expect(added.location.length).toBeGreaterThan(0)
      const listed = await store.list(subject, kind)
      expectListing(expect, listed, [item!], kind, false)
      expect(bytesEqual(await store.read(subject, listed[0]!), contentOf(item!))).toBe(true)
    })

    if (format === 'simple-signing') {
      test(`add of a ${kind} the dedup check calls a duplicate adds nothing`, async ({expect, skip}) => {
        const store = await options.store()
        if (!store.add) return skip('this store has no add (read-only)')
        const subject = withShape(await s.subject())
        const [item] = s.items(subject, kind, 1)
        const attachment = newAttachmentOf(item!, kind)!
        expect((await store.add(subject, attachment)).added).toBe(true)
        const again = await store.add(subject, attachment, {verifyExisting: () => true})
        expect(again.added).toBe(false)
        expect(await store.list(subject, kind)).toHaveLength(1)
      })
    }

    test(`${format} ${kind}s added by several writers at once are all kept`, async ({expect, skip}) => {
      const first = await options.store()
      if (!first.add) return skip('this store has no add (read-only)')
      const subject = withShape(await s.subject())
      const items = s.items(subject, kind, options.concurrentWriters ?? 6)
      const results = await Promise.all(items.map(async (item) => (await options.store()).add!(subject, newAttachmentOf(item, kind)!)))
      expect(results.every((r) => r.added)).toBe(true)
      expectListing(expect, await first.list(subject, kind), items, kind, false)
    })
  }
}

/** For stores that can delete (and clear): a deleted attachment is no longer listed, the others stay. */
export function attachmentStoreDeleteTests(test: TestAPI, options: AttachmentStoreSuiteOptions): void {
  const s = setup(options)
  for (const {kind, format} of s.kept) {
    test(`delete(subject, listed ${format} ${kind}) removes it and keeps the others; deleting it again says false`, async ({expect, skip}) => {
      const store = await options.store()
      if (!store.delete) return skip('this store cannot delete')
      const subject = await s.subject()
      const items = s.items(subject, kind, 2)
      await options.seed(subject, kind, items)
      const listed = await store.list(subject, kind)
      const gone = listed.find((l) => isListingOf(l, items[0]!))!
      expect(await store.delete(subject, gone)).toBe(true)
      expectListing(expect, await store.list(subject, kind), [items[1]!], kind, false)
      expect(await store.delete(subject, gone)).toBe(false)
      const last = (await store.list(subject, kind))[0]!
      expect(await store.delete(subject, last)).toBe(true)
      expect(await store.list(subject, kind)).toEqual([])
    })

    test(`clear(subject, ${kind}) removes every ${format} ${kind} at once and keeps the other kinds; clearing again says undefined`, async ({expect, skip}) => {
      const store = await options.store()
      if (!store.clear) return skip('this store cannot clear')
      const subject = await s.subject()
      const other = s.kept.find((k) => k.kind !== kind)
      const items = s.items(subject, kind, 2)
      await options.seed(subject, kind, items)
      const kept = other && s.items(subject, other.kind, 1)
      if (other && kept) await options.seed(subject, other.kind, kept)
      expect(await store.clear(subject, kind)).toBeTypeOf('string')
      expect(await store.list(subject, kind)).toEqual([])
      expect(await store.clear(subject, kind)).toBeUndefined()
      if (other && kept) expectListing(expect, await store.list(subject, other.kind), kept, other.kind, false)
    })
  }
}

/** Register every attachment-store conformance group with `test`. */
export function attachmentStoreSuite(test: TestAPI, options: AttachmentStoreSuiteOptions): void {
  attachmentStoreBasicTests(test, options)
  attachmentStoreListTests(test, options)
  attachmentStoreReadTests(test, options)
  attachmentStoreManyTests(test, options)
  attachmentStoreIsolationTests(test, options)
  attachmentStoreFaultTests(test, options)
  attachmentStoreAddTests(test, options)
  attachmentStoreDeleteTests(test, options)
}
