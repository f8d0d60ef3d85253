import {createHash} from 'node:crypto'
import {describe, expect, test} from 'vitest'
import {assertDigest} from './content-digest.js'

const bytes = new TextEncoder().encode('hello')
const digestOf = (algorithm: string): string => `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`

describe('assertDigest', () => {
  test.each(['sha256', 'sha384', 'sha512'])('%s: the right digest passes', (algorithm) => {
    expect(() => assertDigest(bytes, digestOf(algorithm), 'blob')).not.toThrow()
  })

  test('other bytes → DIGEST_MISMATCH with both digests, in the expected algorithm', () => {
    const expected = digestOf('sha384')
    const other = new TextEncoder().encode('hellO')
    expect(() => assertDigest(other, expected, 'blob x')).toThrow(
      expect.objectContaining({
        code: 'DIGEST_MISMATCH',
        message: expect.stringContaining('blob x: content digest sha384:'),
        details: {expected, actual: `sha384:${createHash('sha384').update(other).digest('hex')}`},
      }),
    )
  })

  test.each([`md5:${'0'.repeat(32)}`, `sha256:${'A'.repeat(64)}`, 'sha256:abc', 'latest'])('%s → INVALID_REFERENCE, never hashed', (digest) => {
    expect(() => assertDigest(bytes, digest, 'blob')).toThrow(expect.objectContaining({code: 'INVALID_REFERENCE'}))
  })
})
