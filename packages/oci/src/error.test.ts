import {describe, expect, test} from 'vitest'
import {errorFromResponse, parseRegistryErrors, redactUrl} from './error.js'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('parseRegistryErrors', () => {
  test('distribution error body', () => {
    expect(parseRegistryErrors(enc('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}'))).toEqual([
      {code: 'UNAUTHORIZED', message: 'authentication required'},
    ])
  })
  test.each(['', 'null', '[]', '{"errors":"x"}', '<html>', '{"errors": ['])('not the error shape: %j', (body) => {
    expect(parseRegistryErrors(enc(body))).toBeUndefined()
  })
  test('odd entries are tolerated and sanitized', () => {
    expect(parseRegistryErrors(enc('{"errors":[{"message":"a\\u001b[2Jb"},5,{"code":"X"}]}'))).toEqual([
      {code: 'UNKNOWN', message: 'a [2Jb'},
      {code: 'X', message: ''},
    ])
  })
})

describe('redactUrl', () => {
  test('drops userinfo and signature-like query values', () => {
    expect(redactUrl('https://u:p@s3.example.com/b?X-Amz-Signature=abc&X-Amz-Credential=k&digest=sha256%3Aaa&token=t')).toBe(
      'https://s3.example.com/b?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&digest=sha256%3Aaa&token=REDACTED',
    )
    expect(redactUrl('http://127.0.0.1:5000/v2/a/manifests/v1')).toBe('http://127.0.0.1:5000/v2/a/manifests/v1')
  })
})

describe('errorFromResponse', () => {
  const ctx = {method: 'GET', url: 'http://r/v2/a/manifests/v1', subject: 'manifest r/a:v1'}
  test.each([
    [404, 'MANIFEST_UNKNOWN'],
    [401, 'REGISTRY_AUTH_FAILED'],
    [403, 'REGISTRY_DENIED'],
    [500, 'REGISTRY_ERROR'],
    [429, 'REGISTRY_ERROR'],
  ])('%d → %s', (status, code) => {
    expect(errorFromResponse({status, statusText: '', body: new Uint8Array()}, {...ctx, notFound: 'MANIFEST_UNKNOWN'}).code).toBe(code)
  })
  test('404 without a notFound code is a REGISTRY_ERROR', () => {
    expect(errorFromResponse({status: 404, statusText: 'Not Found', body: new Uint8Array()}, ctx).code).toBe('REGISTRY_ERROR')
  })
})
