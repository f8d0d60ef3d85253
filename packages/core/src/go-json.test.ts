import {describe, expect, test} from 'vitest'
import {SigilError} from './errors.js'
import {goJsonString, goMarshal, sortedKeys} from './go-json.js'

describe('goJsonString', () => {
  test.each([
    ['plain', '"plain"'],
    ['', '""'],
    ['<script>&</script>', '"\\u003cscript\\u003e\\u0026\\u003c/script\\u003e"'],
    ['a\u2028b\u2029c', '"a\\u2028b\\u2029c"'],
    ['"quoted" \\ back', '"\\"quoted\\" \\\\ back"'],
    ['\b\f\n\r\t', '"\\b\\f\\n\\r\\t"'],
    ['\u0000\u0001\u000b\u001f', '"\\u0000\\u0001\\u000b\\u001f"'],
    ['\u007f', '"\u007f"'],
    ['/path/to', '"/path/to"'],
    ['héllo wörld', '"héllo wörld"'],
    ['日本語', '"日本語"'],
    ['emoji 😀', '"emoji 😀"'],
    ['\u00a0\u2027\u202a', '"\u00a0\u2027\u202a"'],
    ['lone \ud800 high', '"lone \\ufffd high"'],
    ['lone \udc00 low', '"lone \\ufffd low"'],
    ['reversed \udc00\ud800', '"reversed \\ufffd\\ufffd"'],
    ['end \ud83d', '"end \\ufffd"'],
  ])('escapes %j like Go', (input, expected) => {
    expect(goJsonString(input)).toBe(expected)
  })

  test('writes non-ASCII as raw UTF-8 bytes', () => {
    expect([...new TextEncoder().encode(goJsonString('é'))]).toEqual([0x22, 0xc3, 0xa9, 0x22])
  })

  test('agrees with JSON.stringify on every other BMP code unit', () => {
    // JSON.stringify already uses \b \f \n \r \t and lower-case \u00XX; Go differs only on these.
    const goOnly = new Set([0x3c, 0x3e, 0x26, 0x2028, 0x2029])
    for (let code = 0; code <= 0xffff; code++) {
      if (goOnly.has(code) || (code >= 0xd800 && code <= 0xdfff)) continue
      const s = String.fromCharCode(code)
      if (goJsonString(s) !== JSON.stringify(s)) throw new Error(`U+${code.toString(16)} differs`)
    }
  })
})

describe('goMarshal', () => {
  test('writes compact JSON with keys in insertion order', () => {
    expect(goMarshal({z: 1, a: {y: true, b: false}, m: [1, 'two', null]})).toBe('{"z":1,"a":{"y":true,"b":false},"m":[1,"two",null]}')
  })

  test('escapes keys and values', () => {
    expect(goMarshal({'a<b': 'x&y'})).toBe('{"a\\u003cb":"x\\u0026y"}')
  })

  test('leaves out undefined properties (omitempty) and writes undefined array items as null', () => {
    expect(goMarshal({a: undefined, b: 1, c: [undefined]})).toBe('{"b":1,"c":[null]}')
  })

  test.each([
    [0, '0'],
    [-0, '-0'],
    [233, '233'],
    [-12, '-12'],
    [1.5, '1.5'],
    [0.000001, '0.000001'],
    [1.5e-7, '1.5e-7'],
    [1e20, '100000000000000000000'],
    [1e21, '1e+21'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'],
    [2n ** 64n, '18446744073709551616'],
  ])('formats the number %s as Go does', (value, expected) => {
    expect(goMarshal(value)).toBe(expected)
  })

  test.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a nested class instance', {a: [new Uint8Array(1)]}],
  ])('throws INVALID_ARGUMENT for %s', (_, value) => {
    expect(() => goMarshal(value)).toThrow(SigilError)
    expect(() => goMarshal(value)).toThrow(expect.objectContaining({code: 'INVALID_ARGUMENT'}))
  })

  test('accepts null-prototype objects', () => {
    const obj = Object.assign(Object.create(null) as Record<string, unknown>, {a: 1})
    expect(goMarshal(obj)).toBe('{"a":1}')
  })
})

describe('sortedKeys', () => {
  test('orders keys by UTF-8 byte value', () => {
    const sorted = sortedKeys({b: 1, a: 2, B: 3, 'a.b': 4, 'a/b': 5, _: 6, é: 7, '': 8})
    expect(Object.keys(sorted)).toEqual(['', 'B', '_', 'a', 'a.b', 'a/b', 'b', 'é'])
    expect(goMarshal(sorted)).toBe('{"":8,"B":3,"_":6,"a":2,"a.b":4,"a/b":5,"b":1,"é":7}')
  })

  test('keeps byte order for integer-like keys, which JS objects enumerate first', () => {
    const sorted = sortedKeys({b: 1, '10': 2, '9': 3, a: 4})
    expect(goMarshal(sorted)).toBe('{"10":2,"9":3,"a":4,"b":1}')
  })

  test('sorts astral characters after U+FFFF (UTF-8 order, not UTF-16)', () => {
    expect(goMarshal(sortedKeys({'\u{10000}': 1, '\uffff': 2}))).toBe('{"\uffff":2,"\u{10000}":1}')
  })

  test('keeps the order when values are replaced afterwards', () => {
    const sorted = sortedKeys<unknown>({'2': 'x', '10': 'y'})
    sorted['2'] = {nested: true}
    expect(goMarshal(sorted)).toBe('{"10":"y","2":{"nested":true}}')
  })

  test('copies without touching the input, and a spread copy loses the tag', () => {
    const input = {b: 1, a: 2, '10': 3, '9': 4}
    const sorted = sortedKeys(input)
    expect(Object.keys(input)).toEqual(['9', '10', 'b', 'a'])
    expect(sorted).toEqual(input)
    expect(goMarshal({...sorted})).toBe('{"9":4,"10":3,"a":2,"b":1}')
  })

  test('treats __proto__ as an ordinary key', () => {
    const input = JSON.parse('{"__proto__":"x","a":"y"}') as Record<string, string>
    const sorted = sortedKeys(input)
    expect(Object.getPrototypeOf(sorted)).toBe(Object.prototype)
    expect(goMarshal(sorted)).toBe('{"__proto__":"x","a":"y"}')
  })

  test('is shallow', () => {
    expect(goMarshal(sortedKeys({b: {d: 1, c: 2}, a: 0}))).toBe('{"a":0,"b":{"d":1,"c":2}}')
  })
})
