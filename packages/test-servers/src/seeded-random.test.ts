import {describe, expect, test} from 'vitest'
import {seededRandom} from './seeded-random.js'

describe('seededRandom', () => {
  test('one seed gives one sequence, in [0, 1); another seed another', () => {
    const take = (seed: number) => {
      const r = seededRandom(seed)
      return Array.from({length: 1000}, () => r())
    }
    const a = take(0x14)
    expect(take(0x14)).toEqual(a)
    expect(take(0x15)).not.toEqual(a)
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true)
    expect(new Set(a).size).toBeGreaterThan(990)
  })
})
