import {readFileSync} from 'node:fs'
import {describe, expect, test} from 'vitest'
import {DIGEST_ALGORITHMS, DIGEST_HEX_LENGTH, computeDigest, digestMatches, isDigest, isDigestAlgorithm, isDigestSyntax, parseDigest, sha256Digest} from './digest.js'
import {SigilError} from './errors.js'

const vectors = new URL('../../../../shared/spec/vectors/', import.meta.url)
const readVector = (path: string) => new Uint8Array(readFileSync(new URL(path, vectors)))

const HEX64 = 'cf482371b51a7633b3f02e29b87fc3f4a18b3f127af61cb114af5f2c04fcdd75'
const HEX128 = 'ab'.repeat(64)
const HEX96 = 'cd'.repeat(48)

describe('sha256Digest', () => {
  test('hashes the empty input', () => {
    expect(sha256Digest(new Uint8Array())).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })

  test.each([
    ['containers-image-cosign-valid/payload.json', `sha256:${HEX64}`],
    ['containers-image-cosign-valid/image-manifest.json', 'sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00'],
    ['containers-image-cosign-valid/DERIVED-sig-config.json', 'sha256:be321600a5bd794947dce257829a2f08c21b05dde3edf84706faf6f2ae0f5f60'],
  ])('matches the digest the vectors README gives for %s', (path, digest) => {
    expect(sha256Digest(readVector(path))).toBe(digest)
  })
})

describe('parseDigest', () => {
  test.each([
    [`sha256:${HEX64}`, 'sha256', HEX64],
    [`sha512:${HEX128}`, 'sha512', HEX128],
  ])('splits %s', (input, algorithm, hex) => {
    expect(parseDigest(input)).toEqual({algorithm, hex})
  })

  test.each([
    ['', 'expected "<algorithm>:<hex>"'],
    [HEX64, 'expected "<algorithm>:<hex>"'],
    [`md5:${HEX64}`, 'unsupported digest algorithm "md5"'],
    [`SHA256:${HEX64}`, 'unsupported digest algorithm "SHA256"'],
    ['sha256:', 'sha256 needs exactly 64 lower-case hex characters'],
    [`sha256:${HEX64.slice(1)}`, 'sha256 needs exactly 64'],
    [`sha256:${HEX64}0`, 'sha256 needs exactly 64'],
    [`sha256:${HEX64.toUpperCase()}`, 'lower-case hex'],
    [`sha256:${'g'.repeat(64)}`, 'lower-case hex'],
    [`sha256:${HEX128}`, 'sha256 needs exactly 64'],
    [`sha512:${HEX64}`, 'sha512 needs exactly 128'],
    [` sha256:${HEX64}`, 'unsupported digest algorithm'],
  ])('rejects %j with INVALID_REFERENCE', (input, problem) => {
    const err = (() => {
      try {
        parseDigest(input)
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(SigilError)
    expect(err).toMatchObject({code: 'INVALID_REFERENCE', details: {digest: input}})
    expect((err as Error).message).toContain(`invalid digest "${input}"`)
    expect((err as Error).message).toContain(problem)
  })
})

describe('isDigest', () => {
  test.each([
    [`sha256:${HEX64}`, true],
    [`sha512:${HEX128}`, true],
    [`sha256:${HEX64.toUpperCase()}`, false],
    ['sha256-abc', false],
    [undefined, false],
    [42, false],
    [null, false],
  ])('isDigest(%j) is %s', (value, expected) => {
    expect(isDigest(value)).toBe(expected)
  })
})

describe('the algorithm set', () => {
  test('sha256, sha384 and sha512 (go-digest\'s), sha256 first', () => {
    expect(DIGEST_ALGORITHMS).toEqual(['sha256', 'sha384', 'sha512'])
    expect(DIGEST_HEX_LENGTH).toEqual({sha256: 64, sha384: 96, sha512: 128})
    expect(Object.isFrozen(DIGEST_ALGORITHMS) && Object.isFrozen(DIGEST_HEX_LENGTH)).toBe(true)
  })

  test.each([
    ['sha256', true],
    ['sha384', true],
    ['sha512', true],
    ['SHA256', false],
    ['md5', false],
    ['toString', false],
    ['', false],
  ])('isDigestAlgorithm(%j) is %s', (name, expected) => {
    expect(isDigestAlgorithm(name)).toBe(expected)
  })

  // Every check agrees on the whole set.
  test('a sha384 digest is parsed, recognised, computed and matched', () => {
    expect(parseDigest(`sha384:${HEX96}`)).toEqual({algorithm: 'sha384', hex: HEX96})
    expect(isDigest(`sha384:${HEX96}`)).toBe(true)
    expect(isDigest(`sha384:${HEX64}`)).toBe(false)
    const bytes = new TextEncoder().encode('abc')
    const d = computeDigest(bytes, 'sha384')
    expect(d).toBe('sha384:cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7')
    expect(digestMatches(bytes, d)).toBe(true)
  })
})

describe('computeDigest', () => {
  const abc = new TextEncoder().encode('abc')
  test.each([
    ['sha256', 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'sha512',
      'sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    ],
  ] as const)('%s of "abc" is the FIPS 180 vector', (algorithm, expected) => {
    expect(computeDigest(abc, algorithm)).toBe(expected)
  })

  test('defaults to sha256, as sha256Digest', () => {
    expect(computeDigest(abc)).toBe(sha256Digest(abc))
  })

  test('another algorithm is INVALID_ARGUMENT', () => {
    expect(() => computeDigest(abc, 'md5' as never)).toThrow(expect.objectContaining({code: 'INVALID_ARGUMENT'}))
  })
})

describe('digestMatches', () => {
  const bytes = new TextEncoder().encode('abc')
  test.each([
    [sha256Digest(bytes), true],
    [computeDigest(bytes, 'sha512'), true],
    [sha256Digest(new TextEncoder().encode('abd')), false],
    [sha256Digest(bytes).toUpperCase(), false],
    [`md5:${HEX64}`, false],
    ['not a digest', false],
  ])('%s → %s', (expected, result) => {
    expect(digestMatches(bytes, expected)).toBe(result)
  })
})

describe('isDigestSyntax (the OCI grammar, for digests only passed on)', () => {
  test.each([
    [`sha256:${HEX64}`, true],
    ['sha256:abc', true],
    ['multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8', true],
    ['sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564', true],
    [`SHA256:${HEX64}`, false],
    ['sha256:', false],
    [':abc', false],
    ['sha256:a/b', false],
    ['sha256:abc\n', false],
    [HEX64, false],
    [42, false],
  ])('%j → %s', (value, expected) => {
    expect(isDigestSyntax(value)).toBe(expected)
  })
})
