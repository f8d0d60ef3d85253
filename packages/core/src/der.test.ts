import {describe, expect, test} from 'vitest'
import {readDerElement, readDerUnsignedInteger} from './der.js'

describe('readDerElement', () => {
  test.each([
    ['short form', [0x04, 0x01, 0xaa], {tag: 4, start: 2, end: 3}],
    ['long form', [0x04, 0x81, 0x80, ...new Array(0x80).fill(0)], {tag: 4, start: 3, end: 0x83}],
  ])('reads %s', (_name, bytes, element) => {
    expect(readDerElement(new Uint8Array(bytes), 0)).toEqual(element)
  })

  test.each([
    ['indefinite length', [0x30, 0x80, 0, 0]],
    ['non-minimal long form', [0x04, 0x81, 0x01, 0xaa]],
    ['leading zero length byte', [0x04, 0x82, 0x00, 0x80]],
    ['length past the end', [0x04, 0x05, 0x00]],
    ['high tag number', [0x1f, 0x01, 0x00]],
  ])('rejects %s', (_name, bytes) => {
    expect(readDerElement(new Uint8Array(bytes), 0)).toBeUndefined()
  })
})

describe('readDerUnsignedInteger', () => {
  test.each([
    ['zero', [0x02, 0x01, 0x00], {tag: 2, start: 2, end: 3}],
    ['a leading zero that keeps the value positive', [0x02, 0x02, 0x00, 0x80], {tag: 2, start: 2, end: 4}],
  ])('reads %s', (_name, bytes, element) => {
    expect(readDerUnsignedInteger(new Uint8Array(bytes), 0)).toEqual(element)
  })

  test.each([
    ['a negative value', [0x02, 0x01, 0x80]],
    ['a needless leading zero', [0x02, 0x02, 0x00, 0x7f]],
    ['an empty integer', [0x02, 0x00]],
    ['another tag', [0x04, 0x01, 0x00]],
  ])('rejects %s', (_name, bytes) => {
    expect(readDerUnsignedInteger(new Uint8Array(bytes), 0)).toBeUndefined()
  })
})
