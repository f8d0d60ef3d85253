/** The `sha256-<hex>` referrers index of registries without the referrers API: a lossless merge into it. */
import {OCI_INDEX_MEDIA_TYPE, addToReferrersIndex, parseReferrersIndex, referrersTag} from '@sigil/core'
import type {IndexDescriptor} from '@sigil/core'
import type {RepositoryRef} from '@sigil/oci'
import {SigningError} from './error.js'
import type {TagReadWrite} from './legacy-tag-write.js'
import {readBack, settleDelay, sleep} from './settle.js'

/** How {@link mergeIntoReferrersIndex} reports and decides. */
export interface MergeIntoReferrersIndex {
  /**
   * The index holds something that is not a referrers index (`err` says so, refusing to
   * overwrite it): throw, or return to have it replaced. Default: `err` is thrown.
   */
  readonly unreadable?: (err: SigningError) => void
  /** Told before each write. */
  readonly onWrite?: () => void
  /** The message when `maxRounds` rounds all lost to concurrent writers. */
  readonly lost: string
}

/** Where the `sha256-<hex>` index of `subject` in `repo` is, for messages (`registry/repository:tag`). */
export const referrersIndexLocation = (repo: RepositoryRef, subject: string): string => `${repo.registry}/${repo.repository}:${referrersTag(subject)}`

/**
 * List `entries` (referrers already pushed) in the `sha256-<hex>` index tag of `subject` at
 * `repo`, the referrers tag schema of registries without the API. The index is a
 * read-modify-write shared with concurrent writers: it is read back after a pause longer than a
 * read-modify-write takes (a second, longer look when others write too) and merged again, after
 * another such pause, when an entry was dropped, bounded. Returns the index's name and the most
 * entries a round added (0: all listed already).
 */
export async function mergeIntoReferrersIndex(
  rw: TagReadWrite,
  repo: RepositoryRef,
  subject: string,
  entries: readonly IndexDescriptor[],
  how: MergeIntoReferrersIndex,
): Promise<{index: string; added: number}> {
  const {client} = rw
  const tag = referrersTag(subject)
  const index = referrersIndexLocation(repo, subject)
  const listsAll = (bytes: Uint8Array | undefined): boolean => {
    if (bytes === undefined) return false
    try {
      const have = new Set(parseReferrersIndex(bytes).manifests.map((d) => d.digest))
      return entries.every((e) => have.has(e.digest))
    } catch {
      return false
    }
  }
  let total = 0
  for (let round = 1; ; round++) {
    const started = performance.now()
    const existing = await client.getManifestIfExists(repo, tag)
    let bytes: Uint8Array | undefined = existing?.bytes
    if (existing !== undefined) {
      try {
        parseReferrersIndex(existing.bytes)
      } catch (err) {
        // Never replace what we cannot read: it may list other writers' referrers.
        const refused = new SigningError('INVALID_SIGNATURE_MANIFEST', `the referrers index ${index} is not valid (${(err as Error).message}); refusing to overwrite it`, {cause: err})
        if (how.unreadable === undefined) throw refused
        how.unreadable(refused)
        bytes = undefined
      }
    }
    let added = 0
    for (const e of entries) {
      const r = addToReferrersIndex(bytes, e)
      if (r.added) added++
      bytes = r.bytes
    }
    if (added === 0) return {index, added: total}
    const written = bytes!
    how.onWrite?.()
    await client.putManifest(repo, tag, written, OCI_INDEX_MEDIA_TYPE)
    total = Math.max(total, added)
    const after = await readBack(
      performance.now() - started,
      rw.settleMs,
      () => client.getManifestIfExists(repo, tag),
      (read) => listsAll(read?.bytes),
      // Others write too: a later round, an index there before ours, or another's index read back.
      (read) => round > 1 || existing !== undefined || (read !== undefined && !Buffer.from(read.bytes).equals(Buffer.from(written))),
    )
    if (listsAll(after?.bytes)) return {index, added: total}
    if (round >= rw.maxRounds) throw new SigningError('SIGNING_FAILED', how.lost)
    await sleep(settleDelay(performance.now() - started, rw.settleMs))
  }
}
