import {describe, expect, test} from 'vitest'
import {bcryptHash, piFractionWords} from './bcrypt.js'

describe('piFractionWords', () => {
  test('Blowfish initial state: P[0], P[1], last S-box word', () => {
    const w = piFractionWords(18 + 1024)
    expect([w[0], w[1], w[17], w[18], w[1041]]).toEqual([0x243f6a88, 0x85a308d3, 0x8979fb1b, 0xd1310ba6, 0x3ac372e6])
  })
})

describe('bcryptHash', () => {
  // Vectors from OpenBSD / openwall crypt_blowfish.
  test.each([
    ['U*U', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
    ['U*U*', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK'],
    ['', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy'],
  ])('%j', (password, salt, expected) => {
    expect(bcryptHash(password, 5, salt)).toBe(expected)
  })

  test('random salt, $2b$ prefix, cost in the string', () => {
    const h = bcryptHash('pw', 4)
    expect(h).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/)
    expect(bcryptHash('pw', 4, h)).toBe(h)
    expect(bcryptHash('other', 4, h)).not.toBe(h)
  })
})
