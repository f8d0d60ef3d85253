import {readFileSync} from 'node:fs'
import {describe, expect, test} from 'vitest'
import {isDigest, parseDigest, sha256Digest} from './digest.js'
import {SigilError} from './errors.js'

const vectors = new URL('../../../../shared/spec/vectors/', import.meta.url)
const readVector = (path: string) => new Uint8Array(readFileSync(new URL(path, vectors)))

const HEX64 = 'cf482371b51a7633b3f02e29b87fc3f4a18b3f127af61cb114af5f2c04fcdd75'
const HEX128 = 'ab'.repeat(64)

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
