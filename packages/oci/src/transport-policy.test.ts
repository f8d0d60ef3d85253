import {describe, expect, test} from 'vitest'
import {isLoopbackHost} from './index.js'
import {registryBaseUrl, registryScheme} from './transport-policy.js'

describe('isLoopbackHost', () => {
  test.each([
    ['localhost', true],
    ['localhost:5000', true],
    ['LOCALHOST:5000', true],
    ['registry.localhost', true],
    ['a.b.localhost:80', true],
    ['127.0.0.1', true],
    ['127.0.0.1:5000', true],
    ['127.255.3.4:1', true],
    ['[::1]', true],
    ['[::1]:5000', true],
    ['::1', true],
    ['[0:0:0:0:0:0:0:1]:5000', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', false],
    [':::', false],
    ['a:b:c', false],
    ['::1]:5000', false],
    ['localhost.example.com', false],
    ['mylocalhost', false],
    ['128.0.0.1', false],
    ['10.0.0.1:5000', false],
    ['192.168.1.2', false],
    ['ghcr.io', false],
    ['index.docker.io', false],
    ['[::2]', false],
    ['user@127.0.0.1', false],
    ['127.0.0.1/path', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected)
  })
})

describe('registryScheme / registryBaseUrl (no connection is made)', () => {
  test('https for public hosts, http for loopback', () => {
    expect(registryScheme('ghcr.io')).toBe('https')
    expect(registryScheme('localhost:5000')).toBe('http')
    expect(registryBaseUrl('ghcr.io')).toBe('https://ghcr.io')
    expect(registryBaseUrl('registry.example.com:8443')).toBe('https://registry.example.com:8443')
    expect(registryBaseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000')
    expect(registryBaseUrl('[::1]:5000')).toBe('http://[::1]:5000')
  })

  test('insecure allows http for non-loopback hosts', () => {
    expect(registryScheme('registry.example.com', true)).toBe('http')
    expect(registryBaseUrl('registry.example.com', {insecure: true})).toBe('http://registry.example.com')
  })

  test('an http endpoint override for a non-loopback host needs insecure', () => {
    const endpoint = (): string => 'http://mirror.example.com/'
    expect(() => registryBaseUrl('registry.example.com', {endpoint})).toThrow(expect.objectContaining({code: 'INSECURE_REGISTRY'}))
    expect(registryBaseUrl('registry.example.com', {endpoint, insecure: true})).toBe('http://mirror.example.com')
    expect(registryBaseUrl('x.io', {endpoint: () => 'https://mirror.example.com/prefix/'})).toBe('https://mirror.example.com/prefix')
    expect(registryBaseUrl('x.io', {endpoint: () => 'http://127.0.0.1:5000'})).toBe('http://127.0.0.1:5000')
    expect(registryBaseUrl('x.io', {endpoint: () => undefined})).toBe('https://x.io')
  })

  test('bad hosts and endpoints', () => {
    expect(() => registryBaseUrl('user:pw@ghcr.io')).toThrow(expect.objectContaining({code: 'INVALID_REFERENCE'}))
    expect(() => registryBaseUrl('ghcr.io/x')).toThrow(expect.objectContaining({code: 'INVALID_REFERENCE'}))
    expect(() => registryBaseUrl('x.io', {endpoint: () => 'ftp://x'})).toThrow(expect.objectContaining({code: 'INVALID_ARGUMENT'}))
    expect(() => registryBaseUrl('x.io', {endpoint: () => 'https://u:p@x'})).toThrow(expect.objectContaining({code: 'INVALID_ARGUMENT'}))
  })
})
