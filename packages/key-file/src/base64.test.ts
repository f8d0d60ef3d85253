import {describe, expect, test} from 'vitest'
import {decodeStdBase64, encodeStdBase64} from './base64.js'

describe('decodeStdBase64', () => {
  test.each([
    ['', []],
    ['AA==', [0]],
    ['AAE=', [0, 1]],
    ['AAEC', [0, 1, 2]],
    ['AA\r\nEC', [0, 1, 2]],
    ['+/8=', [0xfb, 0xff]],
  ])('decodes %j', (text, bytes) => {
    expect(Array.from(decodeStdBase64(text) ?? [-1])).toEqual(bytes)
  })

  test.each([['AA'], ['AA='], ['A==='], ['AA*='], ['AA AA'], ['-_8='], ['AAAA=']])('rejects %j', (text) => {
    expect(decodeStdBase64(text)).toBeUndefined()
  })
})

test('encodeStdBase64 pads like Go', () => {
  expect(encodeStdBase64(new Uint8Array([0xfb, 0xff]))).toBe('+/8=')
  expect(encodeStdBase64(new Uint8Array(0))).toBe('')
})
