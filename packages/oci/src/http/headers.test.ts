import {describe, expect, test} from 'vitest'
import {ResponseHeaders} from './headers.js'

describe('ResponseHeaders', () => {
  test('case-insensitive get; repeated fields joined like Headers.get', () => {
    const h = new ResponseHeaders(['Content-Type', 'application/json', 'WWW-Authenticate', 'Basic realm="a"', 'www-authenticate', 'Bearer realm="b"'])
    expect(h.get('content-type')).toBe('application/json')
    expect(h.get('CONTENT-TYPE')).toBe('application/json')
    expect(h.get('www-authenticate')).toBe('Basic realm="a", Bearer realm="b"')
    expect(h.get('location')).toBeNull()
    expect(h.has('Www-Authenticate')).toBe(true)
  })
})
