/** What the verify workflows (signatures, attestations) share: the order errors are reported in, and listing every store. */
import type {AttachmentKind, AttachmentStore, AttachmentSubject, StoredAttachment, Verifier} from '@sigil/core'

/**
 * Run `work` while the key is still loading (its registry requests overlap the key's unlock or
 * KMS round trip). When `work` fails, a failure of the key is thrown instead: a missing key or a
 * wrong password is reported before a registry fault that happened meanwhile.
 */
export async function keyErrorsFirst<T>(verifier: Verifier | PromiseLike<Verifier>, work: (verifier: Promise<Verifier>) => Promise<T>): Promise<T> {
  const loading = Promise.resolve(verifier)
  loading.catch(() => undefined) // awaited below, on every path
  try {
    return await work(loading)
  } catch (err) {
    await loading
    throw err
  }
}

/** Every store's attachments of `kind`, listed at once, each with the store that holds it. */
export async function listEveryStore(stores: readonly AttachmentStore[], subject: AttachmentSubject, kind: AttachmentKind): Promise<Array<{store: AttachmentStore; attachment: StoredAttachment}>> {
  const lists = await Promise.all(stores.map(async (store) => (await store.list(subject, kind)).map((attachment) => ({store, attachment}))))
  return lists.flat()
}
