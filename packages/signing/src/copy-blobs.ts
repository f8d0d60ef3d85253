/** `copy`'s blobs: skipped when the destination has them, mounted on one registry, else downloaded and uploaded. */
import type {Descriptor} from '@sigil/core'
import type {RegistryClient, RepositoryRef} from '@sigil/oci'
import type {CopyEvent, CopyImageResult} from './copy.js'
import {at} from './copy-manifests.js'
import {SigningError} from './error.js'
import {mapLimit} from './map-limit.js'

/**
 * Largest blob copied between registries: it is held in memory between download and upload
 * (a mount, on one registry, has no limit). Bigger is refused before it is downloaded.
 */
export const MAX_COPY_BLOB_BYTES = 1024 * 1024 * 1024


export interface BlobCopier {
  copy(descriptors: readonly Descriptor[]): Promise<void>
  stats(): CopyImageResult['blobs']
}

/**
 * Blobs into `dst`, each once per run: skipped when there (HEAD), mounted from `src` on the same
 * registry, else downloaded (verified, no more than its descriptor's size) and uploaded.
 */
export function blobCopier(client: RegistryClient, src: RepositoryRef, dst: RepositoryRef, limit: number, emit: (e: CopyEvent) => void): BlobCopier {
  const started = new Map<string, Promise<void>>()
  const stats = {total: 0, present: 0, mounted: 0, uploaded: 0, bytes: 0}
  let done = 0
  const mountable = src.registry === dst.registry && src.repository !== dst.repository
  const one = async (d: Descriptor): Promise<void> => {
    if (await client.blobExists(dst, d.digest)) {
      stats.present++
    } else if (mountable && (await client.mountBlob(dst, d.digest, src))) {
      stats.mounted++
    } else {
      if (d.size > MAX_COPY_BLOB_BYTES) {
        throw new SigningError('RESPONSE_TOO_LARGE', `blob ${d.digest} is ${d.size} bytes; sigil copies blobs of up to ${MAX_COPY_BLOB_BYTES} bytes between registries (on one registry they are mounted, whatever their size)`)
      }
      const bytes = await client.getBlob(src, d.digest, {maxBytes: d.size})
      emit({kind: 'write', location: at(dst, d.digest)})
      await client.uploadBlob(dst, d.digest, bytes)
      stats.uploaded++
      stats.bytes += bytes.length
    }
    done++
    emit({kind: 'progress', done, total: stats.total, bytes: stats.bytes})
  }
  return {
    async copy(descriptors) {
      const waits: Promise<void>[] = []
      const fresh: Array<{d: Descriptor; settle: (p: Promise<void>) => void}> = []
      for (const d of descriptors) {
        const known = started.get(d.digest)
        if (known) {
          waits.push(known)
          continue
        }
        let settle!: (p: Promise<void>) => void
        const p = new Promise<void>((resolve) => (settle = resolve))
        p.catch(() => {}) // awaited below
        started.set(d.digest, p)
        fresh.push({d, settle})
        waits.push(p)
      }
      stats.total += fresh.length
      await mapLimit(fresh, limit, async (f) => {
        const run = one(f.d)
        f.settle(run)
        await run.catch(() => {}) // reported through `waits`
      })
      await Promise.all(waits)
    },
    stats: () => ({...stats}),
  }
}

