import {describe, expect, test} from 'vitest'
import {parseRetryAfter} from './retry.js'

describe('parseRetryAfter', () => {
  test.each([
    ['3', 3000],
    ['0', 0],
    [' 12 ', 12000],
  ])('delta seconds %j → %d ms', (value, ms) => {
    expect(parseRetryAfter(value)).toBe(ms)
  })
  test('HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0)
  })
  test('absent or invalid', () => {
    expect(parseRetryAfter(null)).toBeUndefined()
    expect(parseRetryAfter('soon')).toBeUndefined()
  })
})
