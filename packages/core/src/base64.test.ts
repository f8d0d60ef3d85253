import {randomBytes} from 'node:crypto'
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

test('agrees with Node\'s base64 for every length from 0 to 200', () => {
  for (let n = 0; n <= 200; n++) {
    const bytes = new Uint8Array(randomBytes(n))
    const text = Buffer.from(bytes).toString('base64')
    expect(encodeStdBase64(bytes)).toBe(text)
    expect(decodeStdBase64(text)).toEqual(bytes)
  }
})

test('unused bits in the last group are ignored, as Go\'s StdEncoding does', () => {
  expect(Array.from(decodeStdBase64('AB==')!)).toEqual([0])
  expect(Array.from(decodeStdBase64('AAB=')!)).toEqual([0, 0])
})
