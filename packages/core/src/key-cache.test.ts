import {afterEach, describe, expect, test, vi} from 'vitest'
import type {KeyCache} from './contracts.js'
import {readCacheEntry, writeCacheEntry} from './key-cache.js'

function memoryCache(): KeyCache & {readonly entries: Map<string, string>} {
  const entries = new Map<string, string>()
  return {entries, get: (k) => entries.get(k), set: (k, v) => void entries.set(k, v)}
}

afterEach(() => {
  vi.useRealTimers()
})

describe('readCacheEntry / writeCacheEntry', () => {
  test('an entry is kept as JSON stamped with the time, its fields first, and read back while fresh', () => {
    vi.useFakeTimers({now: 1_000_000})
    const cache = memoryCache()
    writeCacheEntry(cache, 'k', {pem: 'P', version: 'v1'})
    expect(cache.entries.get('k')).toBe('{"pem":"P","version":"v1","at":1000000}')
    vi.setSystemTime(1_000_000 + 59_999)
    expect(readCacheEntry<{pem: string}>(cache, 'k', 60_000)).toEqual({pem: 'P', version: 'v1', at: 1_000_000})
    vi.setSystemTime(1_000_000 + 60_000)
    expect(readCacheEntry(cache, 'k', 60_000)).toBeUndefined()
  })

  test('a missing, damaged or unstamped entry is a miss', () => {
    const cache = memoryCache()
    expect(readCacheEntry(cache, 'none', 60_000)).toBeUndefined()
    for (const raw of ['{', 'null', '"text"', '{"pem":"P"}', '{"at":"soon"}']) {
      cache.set('k', raw)
      expect(readCacheEntry(cache, 'k', 60_000), raw).toBeUndefined()
    }
  })
})
