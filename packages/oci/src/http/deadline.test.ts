import {describe, expect, test} from 'vitest'
import {deadlineIn, earliest, formatDuration, remainingMs} from './deadline.js'

describe('formatDuration (Go time.Duration text)', () => {
  test.each([
    [0, '0s'],
    [200, '200ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [1250, '1.25s'],
    [55_000, '55s'],
    [180_000, '3m0s'],
    [90_500, '1m30.5s'],
    [3_723_000, '1h2m3s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })
})

describe('deadlines', () => {
  test('earliest wins; remaining never negative', () => {
    const a = deadlineIn(1000, 0)
    const b = deadlineIn(500, 100)
    expect(earliest(a, undefined, b)).toBe(b)
    expect(earliest(undefined)).toBeUndefined()
    expect(remainingMs(b, 2000)).toBe(0)
    expect(remainingMs(a, 250)).toBe(750)
  })
})
