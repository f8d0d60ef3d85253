import {describe, expect, test} from 'vitest'
import {FlightCache} from './cache.js'

describe('FlightCache', () => {
  test('concurrent callers share one computation; the result is kept for its TTL', async () => {
    let now = 0
    let runs = 0
    const cache = new FlightCache<string>(10, (v) => (v === 'ok' ? 100 : 0), () => now)
    const compute = async () => {
      runs++
      await new Promise((r) => setTimeout(r, 10))
      return 'ok'
    }
    const calls = Array.from({length: 100}, () => cache.get('k', compute))
    expect(calls.filter((c) => !c.hit)).toHaveLength(1)
    expect(await Promise.all(calls.map((c) => c.value))).toEqual(Array(100).fill('ok'))
    expect(cache.get('k', compute).hit).toBe(true)
    now = 101
    expect(cache.get('k', compute).hit).toBe(false)
    expect(runs).toBe(2)
  })

  test('a rejected computation is passed on and the next caller starts afresh', async () => {
    const cache = new FlightCache<string>(10, () => 1000)
    await expect(cache.get('k', async () => Promise.reject(new Error('broken'))).value).rejects.toThrow('broken')
    expect(await cache.get('k', async () => 'ok').value).toBe('ok')
  })

  test('a TTL of 0 is not kept; a full cache evicts', async () => {
    const cache = new FlightCache<string>(10, (v) => (v === 'fault' ? 0 : 1000))
    await cache.get('f', async () => 'fault').value
    expect(cache.peek('f')).toBeUndefined()
    for (let i = 0; i < 25; i++) await cache.get(`k${i}`, async () => 'v').value
    expect(cache.size).toBeLessThanOrEqual(10)
    expect(cache.peek('k24')).toBe('v')
  })
})
