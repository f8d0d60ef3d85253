import {describe, expect, test} from 'vitest'
import {formatDuration, parseDuration} from './duration.js'

describe('durations as cosign takes them', () => {
  test.each([
    ['3m', 180_000],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['45', 45_000],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  test.each(['', '3x', 'm', '3m junk', '-1s'])('%j is a usage error', (text) => {
    expect(() => parseDuration(text)).toThrow(expect.objectContaining({code: 'INVALID_ARGUMENT'}))
  })

  test.each([
    [180_000, '3m0s'],
    [90_000, '1m30s'],
    [2000, '2s'],
    [3_600_000, '1h0m0s'],
    [250, '250ms'],
  ])('%d ms prints as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })
})
