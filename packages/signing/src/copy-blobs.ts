/** `copy`'s blobs: skipped when the destination has them, mounted on one registry, else downloaded and uploaded. */
import type {Descriptor} from '@sigil/core'
import type {RegistryClient, RepositoryRef} from '@sigil/oci'
import type {CopyEvent, CopyImageResult} from './copy.js'
import {at} from './copy-manifests.js'
import {mapLimit} from './map-limit.js'

export interface BlobCopier {
  copy(descriptors: readonly Descriptor[]): Promise<void>
  stats(): CopyImageResult['blobs']
}

/**
 * Blobs into `dst`, each once per run: skipped when there (HEAD), mounted from `src` on the same
 * registry, else streamed from `src` into an upload to `dst` in constant memory, whatever the
 * size (verified as the bytes pass, no more than its descriptor's size; a mismatch aborts the
 * upload before the registry commits it). Progress is reported as the bytes pass.
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
      emit({kind: 'write', location: at(dst, d.digest)})
      // Bytes of this blob counted so far: an upload retried from its first byte counts again from 0.
      let counted = 0
      const onBytes = (n: number): void => {
        counted += n
        stats.bytes += n
        emit({kind: 'progress', done, total: stats.total, bytes: stats.bytes})
      }
      const open = () => {
        stats.bytes -= counted
        counted = 0
        return client.getBlobStream(src, d.digest, {size: d.size, onBytes})
      }
      await client.uploadBlobStream(dst, d.digest, d.size, open)
      stats.uploaded++
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

