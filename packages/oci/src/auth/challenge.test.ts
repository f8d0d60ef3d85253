import {describe, expect, test} from 'vitest'
import {parseWwwAuthenticate} from './challenge.js'

describe('parseWwwAuthenticate', () => {
  test('Bearer with a quoted scope containing commas', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:samalba/my-app:pull,push'},
      },
    ])
  })

  test('error parameter, spaces around separators, case-insensitive names', () => {
    expect(parseWwwAuthenticate('bearer Realm = "http://127.0.0.1:1/token" , Service=svc, error="insufficient_scope"')).toEqual([
      {scheme: 'bearer', params: {realm: 'http://127.0.0.1:1/token', service: 'svc', error: 'insufficient_scope'}},
    ])
  })

  test('several challenges in one header (as Headers.get joins them)', () => {
    expect(parseWwwAuthenticate('Basic realm="Registry Realm", Bearer realm="https://x/token",scope="a:b:pull"')).toEqual([
      {scheme: 'basic', params: {realm: 'Registry Realm'}},
      {scheme: 'bearer', params: {realm: 'https://x/token', scope: 'a:b:pull'}},
    ])
  })

  test('backslash escapes in quoted strings', () => {
    expect(parseWwwAuthenticate('Basic realm="say \\"hi\\", ok"')).toEqual([{scheme: 'basic', params: {realm: 'say "hi", ok'}}])
  })

  test('scheme alone, token68, and garbage do not throw', () => {
    expect(parseWwwAuthenticate('Basic')).toEqual([{scheme: 'basic', params: {}}])
    expect(parseWwwAuthenticate('Negotiate abc, Basic realm=x')).toEqual([
      {scheme: 'negotiate', params: {}},
      {scheme: 'basic', params: {realm: 'x'}},
    ])
    expect(() => parseWwwAuthenticate('",,,=="')).not.toThrow()
    expect(parseWwwAuthenticate('')).toEqual([])
  })
})
