import {describe, expect, test} from 'vitest'
import {SigilError, isSigilError, wrap} from './errors.js'

class PackageError extends SigilError<'REGISTRY_ERROR'> {}

describe('SigilError', () => {
  test('carries code, message, cause and details, and is named after its class', () => {
    const cause = new Error('low level')
    const err = new PackageError('REGISTRY_ERROR', 'it broke', {cause, details: {status: 500}})
    expect(err).toBeInstanceOf(Error)
    expect(err).toMatchObject({name: 'PackageError', code: 'REGISTRY_ERROR', message: 'it broke', cause, details: {status: 500}})
    expect(new SigilError('INTERNAL', 'x').name).toBe('SigilError')
  })

  test('has no cause property unless one is given', () => {
    expect('cause' in new SigilError('INTERNAL', 'x')).toBe(false)
  })
})

describe('isSigilError', () => {
  test('recognises SigilError and subclasses', () => {
    expect(isSigilError(new SigilError('INTERNAL', 'x'))).toBe(true)
    expect(isSigilError(new PackageError('REGISTRY_ERROR', 'x'))).toBe(true)
  })

  test('recognises a SigilError from another copy of the package', () => {
    const ForeignSigilError = class extends Error {
      code = 'KEY_INVALID'
    }
    Object.defineProperty(ForeignSigilError.prototype, Symbol.for('@sigil/core/SigilError'), {value: true})
    expect(isSigilError(new ForeignSigilError('x'))).toBe(true)
  })

  test.each([
    ['a Node system error', Object.assign(new Error('no such file'), {code: 'ENOENT'})],
    ['an OpenSSL error', Object.assign(new Error('bad'), {code: 'ERR_OSSL_ASN1_WRONG_TAG'})],
    ['a look-alike object', {name: 'SigilError', code: 'INTERNAL', message: 'x'}],
    ['a plain Error', new Error('x')],
    ['null', null],
    ['a string', 'INTERNAL'],
  ])('is false for %s', (_, value) => {
    expect(isSigilError(value)).toBe(false)
  })
})

describe('wrap', () => {
  test('rethrows a SigilError unchanged', () => {
    const err = new PackageError('REGISTRY_ERROR', 'original')
    expect(() => wrap(err, 'INTERNAL', 'wrapped')).toThrow(err)
  })

  test('wraps anything else, keeping it as the cause', () => {
    const cause = Object.assign(new Error('no such file'), {code: 'ENOENT'})
    let thrown: unknown
    try {
      wrap(cause, 'KEY_READ_FAILED', 'cannot read cosign.key')
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(SigilError)
    expect(thrown).toMatchObject({code: 'KEY_READ_FAILED', message: 'cannot read cosign.key', cause})
  })
})
