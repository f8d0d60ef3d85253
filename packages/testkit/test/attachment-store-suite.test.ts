/**
 * attachmentStoreSuite run against the in-memory reference store, in both layouts (legacy tags
 * and sigstore-bundle referrers), and checks that the suite catches broken stores.
 */
import type {AttachmentStore} from '@sigil/core'
import {describe, expect, test} from 'vitest'
import {attachmentStoreSuite, memoryAttachmentStore} from '../src/index.js'
import type {AttachmentStoreSuiteOptions} from '../src/index.js'

describe('attachmentStoreSuite on the in-memory reference store: legacy tags', () => {
  const memory = memoryAttachmentStore()
  attachmentStoreSuite(test, {store: () => memory, seed: memory.seed, breakListing: memory.breakListing, order: 'seeded'})
})

describe('attachmentStoreSuite on the in-memory reference store: sigstore bundles', () => {
  const formats = {signature: 'sigstore-bundle', attestation: 'sigstore-bundle'} as const
  const memory = memoryAttachmentStore({formats})
  attachmentStoreSuite(test, {store: () => memory, seed: memory.seed, breakListing: memory.breakListing, formats})
})

describe('attachmentStoreSuite without a breakListing backdoor', () => {
  const memory = memoryAttachmentStore()
  attachmentStoreSuite(test, {store: () => memory, seed: memory.seed})
})

/** Run the suite with a recording `test` and return each test's outcome. */
async function outcomes(options: AttachmentStoreSuiteOptions): Promise<Map<string, unknown>> {
  const results = new Map<string, unknown>()
  const pending: Promise<void>[] = []
  const fakeTest = Object.assign(
    (name: string, fn: (ctx: {expect: typeof expect}) => Promise<void>) => {
      results.set(name, undefined)
      pending.push(fn({expect}).catch((error: unknown) => void results.set(name, error)))
    },
    {skip: (name: string) => void results.set(name, 'skipped')},
  ) as unknown as Parameters<typeof attachmentStoreSuite>[0]
  attachmentStoreSuite(fakeTest, options)
  await Promise.all(pending)
  return results
}

const failed = (results: Map<string, unknown>, prefix: string): boolean =>
  [...results].some(([name, error]) => name.startsWith(prefix) && error !== undefined && error !== 'skipped')

describe('the suite catches broken stores', () => {
  test('a store that swallows a broken listing as "none" fails the fault tests only', async () => {
    const memory = memoryAttachmentStore()
    const lenient: AttachmentStore = {
      name: 'lenient',
      list: (subject, kind) => memory.list(subject, kind).catch(() => []),
      read: (subject, attachment) => memory.read(subject, attachment),
    }
    const results = await outcomes({store: () => lenient, seed: memory.seed, breakListing: memory.breakListing})
    expect(failed(results, 'a broken signature listing')).toBe(true)
    expect(failed(results, 'a broken attestation listing')).toBe(true)
    expect(failed(results, 'list(subject, kind) resolves to []')).toBe(false)
    expect(failed(results, 'several signatures')).toBe(false)
  })

  test('a store that lists attestations as signatures fails the kind check', async () => {
    const memory = memoryAttachmentStore()
    const mixed: AttachmentStore = {
      name: 'mixed',
      list: async (subject, kind) => (kind === 'signature' ? [...(await memory.list(subject, 'signature')), ...(await memory.list(subject, 'attestation'))] : memory.list(subject, kind)),
      read: (subject, attachment) => memory.read(subject, attachment),
    }
    const results = await outcomes({store: () => mixed, seed: memory.seed, breakListing: memory.breakListing})
    expect(failed(results, 'list returns only the asked kind')).toBe(true)
    expect(failed(results, "list(subject, 'signature') returns exactly")).toBe(false)
  })

  test('a store whose read returns other bytes fails the read test; one that drops a signature fails the listing', async () => {
    const memory = memoryAttachmentStore()
    const corrupt: AttachmentStore = {
      name: 'corrupt',
      list: async (subject, kind) => (await memory.list(subject, kind)).slice(0, 3),
      read: async (subject, attachment) => {
        const bytes = await memory.read(subject, attachment)
        bytes[0] ^= 1
        return bytes
      },
    }
    const results = await outcomes({store: () => corrupt, seed: memory.seed})
    expect(failed(results, 'read(subject, attachment) of a listed signature')).toBe(true)
    expect(failed(results, 'several signatures')).toBe(true)
    // Without a breakListing backdoor the fault group has nothing to check and registers nothing.
    expect([...results.keys()].some((name) => name.startsWith('a broken signature listing'))).toBe(false)
  })

  test('a store that throws for "none" fails the empty-listing test', async () => {
    const memory = memoryAttachmentStore()
    const strict: AttachmentStore = {
      name: 'strict',
      list: async (subject, kind) => {
        const listed = await memory.list(subject, kind)
        if (listed.length === 0) throw new Error('no signatures found')
        return listed
      },
      read: (subject, attachment) => memory.read(subject, attachment),
    }
    const results = await outcomes({store: () => strict, seed: memory.seed})
    expect(failed(results, 'list(subject, kind) resolves to []')).toBe(true)
  })
})
