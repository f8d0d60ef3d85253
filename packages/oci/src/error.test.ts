import {describe, expect, test} from 'vitest'
import {errorFromResponse, parseRegistryErrors, rateLimitReset, redactUrl} from './error.js'

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

describe('429 rate limits', () => {
  const headers = (h: Record<string, string>) => ({get: (n: string) => h[n.toLowerCase()] ?? null})
  test('TOOMANYREQUESTS names the reset time from ratelimit-reset or Retry-After', () => {
    const now = Date.parse('2030-01-01T00:00:00Z')
    expect(rateLimitReset(headers({'ratelimit-reset': '60'}), now)?.toISOString()).toBe('2030-01-01T00:01:00.000Z')
    expect(rateLimitReset(headers({'ratelimit-reset': '1900000000'}), now)?.toISOString()).toBe(new Date(1_900_000_000_000).toISOString())
    expect(rateLimitReset(headers({'retry-after': '30'}), now)?.toISOString()).toBe('2030-01-01T00:00:30.000Z')
    expect(rateLimitReset(headers({'retry-after': 'Wed, 01 Jan 2031 00:00:00 GMT'}), now)?.toISOString()).toBe('2031-01-01T00:00:00.000Z')
    expect(rateLimitReset(headers({}), now)).toBeUndefined()
    expect(rateLimitReset(undefined, now)).toBeUndefined()

    const body = new TextEncoder().encode('{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}')
    const err = errorFromResponse(
      {status: 429, statusText: 'Too Many Requests', body, headers: headers({'ratelimit-limit': '100;w=21600', 'retry-after': 'Wed, 01 Jan 2031 00:00:00 GMT'})},
      {method: 'GET', url: 'https://registry-1.docker.io/v2/library/x/manifests/v1', subject: 'manifest index.docker.io/library/x:v1'},
    )
    expect(err.code).toBe('REGISTRY_ERROR')
    expect(err.message).toContain('rate limit reached for manifest index.docker.io/library/x:v1')
    expect(err.message).toContain('TOOMANYREQUESTS: You have reached your pull rate limit.')
    expect(err.message).toContain('limit 100;w=21600')
    expect(err.message).toContain('the limit resets at 2031-01-01T00:00:00.000Z')
    expect(err.details).toMatchObject({rateLimited: true, resetAt: '2031-01-01T00:00:00.000Z', status: 429})
    const noReset = errorFromResponse({status: 429, statusText: '', body: new Uint8Array()}, {method: 'GET', url: 'https://r/v2/', subject: 's'})
    expect(noReset.message).toContain('try again later')
  })
})
