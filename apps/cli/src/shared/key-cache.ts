/**
 * KeyContext.cache for the CLI: one small JSON file in sigil's cache directory holding public
 * facts providers may keep between runs (a KMS key's public key by key id). Never secrets. A
 * missing or damaged file is an empty cache; writes are atomic and best-effort.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {KeyCache} from '@sigil/core'
import {writeCacheFileSync} from '@sigil/oci'

/** Entries beyond this are dropped, oldest first. */
const MAX_ENTRIES = 256

export function fileKeyCache(file: string): KeyCache {
  let entries: Record<string, string> | undefined
  const load = (): Record<string, string> => {
    if (entries) return entries
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown
      entries = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {}
    } catch {
      entries = {}
    }
    return entries
  }
  return {
    get: (key) => {
      const value = load()[key]
      return typeof value === 'string' ? value : undefined
    },
    set: (key, value) => {
      const all = load()
      delete all[key]
      all[key] = value
      const keys = Object.keys(all)
      for (const old of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) delete all[old]
      writeCacheFileSync(file, JSON.stringify(all)) // best effort: a failure only costs the next run a lookup
    },
  }
}

/** The CLI's key cache file. */
export function keyCacheFile(cacheDir: string): string {
  return join(cacheDir, 'public-keys.json')
}
