import {describe, expect, test} from 'vitest'
import {crc32c} from './crc32c.js'

describe('crc32c', () => {
  // RFC 3720 appendix B.4 vectors plus the classic check value.
  test.each([
    ['empty input', new Uint8Array(0), 0x00000000],
    ['"123456789" (check value)', new TextEncoder().encode('123456789'), 0xe3069283],
    ['32 bytes of zeros', new Uint8Array(32), 0x8a9136aa],
    ['32 bytes of 0xff', new Uint8Array(32).fill(0xff), 0x62a8ab43],
    ['32 incrementing bytes', Uint8Array.from({length: 32}, (_, i) => i), 0x46dd794e],
    ['32 decrementing bytes', Uint8Array.from({length: 32}, (_, i) => 31 - i), 0x113fdb5c],
    ['"a"', new TextEncoder().encode('a'), 0xc1d04330],
  ])('%s', (_name, bytes, expected) => {
    expect(crc32c(bytes)).toBe(expected)
  })

  test('the result is unsigned', () => {
    expect(crc32c(new TextEncoder().encode('a'))).toBeGreaterThan(0x7fffffff)
  })
})
