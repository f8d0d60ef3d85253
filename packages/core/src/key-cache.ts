/**
 * Entries a key provider keeps in the host's {@link KeyCache}: JSON objects stamped with the
 * time they were kept (`at`, ms since the epoch), read back only while fresh.
 */
import type {KeyCache} from './contracts.js'

/** The entry `name` of `cache`, parsed, when there is one kept less than `maxAgeMs` ago; undefined when missing, stale or not readable. */
export function readCacheEntry<T extends object>(cache: KeyCache, name: string, maxAgeMs: number): (T & {readonly at: number}) | undefined {
  const raw = cache.get(name)
  if (raw === undefined) return undefined
  try {
    const entry = JSON.parse(raw) as T & {readonly at: number}
    return Date.now() - entry.at < maxAgeMs ? entry : undefined
  } catch {
    return undefined
  }
}

/** Keep `entry` (public facts only) in `cache` under `name`, stamped with the time now. */
export function writeCacheEntry(cache: KeyCache, name: string, entry: object): void {
  cache.set(name, JSON.stringify({...entry, at: Date.now()}))
}
