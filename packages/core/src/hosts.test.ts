import {describe, expect, test} from 'vitest'
import {DOCKER_HUB_CONFIG_KEY, DOCKER_HUB_HOSTS, DOCKER_HUB_REGISTRY, canonicalRegistryHost, dockerConfigKey, isDockerHubHost, isLoopbackHost, isRegistryHost} from './hosts.js'
import {DEFAULT_REGISTRY, parseReference} from './reference.js'

describe('isLoopbackHost', () => {
  test.each([
    'localhost',
    'localhost:5000',
    'LOCALHOST',
    'registry.localhost',
    'a.b.localhost:8080',
    '127.0.0.1',
    '127.0.0.1:5000',
    '127.255.255.254',
    '127.1.2.3:65535',
    '::1',
    '[::1]',
    '[::1]:5000',
  ])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true)
  })

  test.each([
    '',
    'example.com',
    'localhost.example.com',
    'notlocalhost',
    '128.0.0.1',
    '126.255.255.255',
    '10.0.0.1',
    '192.168.1.1',
    '0.0.0.0',
    '::',
    '[::2]',
    '[::1',
    'localhost:',
    'localhost:99999',
    '127.0.0.1/path',
    'user@127.0.0.1',
    '127.0.0.1@evil.example',
    'evil.example#@127.0.0.1',
    ' 127.0.0.1',
  ])('%j is not loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false)
  })

  // The edges of the rule.
  test.each([
    // A bare IPv6 literal: ":1" is not a port.
    ['::1', true],
    // Other spellings of ::1 and IPv4 shorthand: the URL parser reads them so, and that is where a connection goes.
    ['[0:0:0:0:0:0:0:1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['127.1', true],
    ['0x7f.0.0.1:5000', true],
    // Not addresses.
    ['127.999.0.1', false],
    ['127.0.0.256', false],
    // Trailing-dot names are not loopback: a fully qualified name may go to DNS.
    ['localhost.', false],
    ['registry.localhost.', false],
    // IPv4-mapped IPv6 is left out on purpose.
    ['[::ffff:127.0.0.1]', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected)
  })
})

describe('the Docker Hub names', () => {
  test('index.docker.io is the registry, docker.io and registry-1.docker.io its aliases', () => {
    expect(DOCKER_HUB_REGISTRY).toBe('index.docker.io')
    expect(DOCKER_HUB_REGISTRY).toBe(DEFAULT_REGISTRY)
    expect(DOCKER_HUB_HOSTS).toEqual(['index.docker.io', 'docker.io', 'registry-1.docker.io'])
    expect(Object.isFrozen(DOCKER_HUB_HOSTS)).toBe(true)
    expect(DOCKER_HUB_CONFIG_KEY).toBe('https://index.docker.io/v1/')
  })

  test.each([
    ['index.docker.io', true],
    ['docker.io', true],
    ['registry-1.docker.io', true],
    ['Docker.IO', true],
    // Neither docker nor ggcr treats these as registry names.
    ['registry.hub.docker.com', false],
    ['hub.docker.com', false],
    ['auth.docker.io', false],
    ['docker.io.evil.example', false],
    ['index.docker.io:443', false],
    ['ghcr.io', false],
  ])('isDockerHubHost(%j) is %s', (host, expected) => {
    expect(isDockerHubHost(host)).toBe(expected)
  })

  test.each([
    ['docker.io', 'index.docker.io'],
    ['REGISTRY-1.docker.io', 'index.docker.io'],
    ['index.docker.io', 'index.docker.io'],
    ['GHCR.io', 'ghcr.io'],
    [' docker.io ', 'index.docker.io'],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
    ['registry.hub.docker.com', 'registry.hub.docker.com'],
  ])('canonicalRegistryHost(%j) is %j', (host, expected) => {
    expect(canonicalRegistryHost(host)).toBe(expected)
  })

  test.each([
    ['docker.io', 'https://index.docker.io/v1/'],
    ['index.docker.io', 'https://index.docker.io/v1/'],
    ['Registry-1.Docker.io', 'https://index.docker.io/v1/'],
    ['ghcr.io', 'ghcr.io'],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
    ['registry.hub.docker.com', 'registry.hub.docker.com'],
  ])('dockerConfigKey(%j) is %j', (host, expected) => {
    expect(dockerConfigKey(host)).toBe(expected)
  })

  test('every Docker Hub name is Docker Hub after parsing a reference, but only docker.io is rewritten (ggcr)', () => {
    for (const host of DOCKER_HUB_HOSTS) expect(isDockerHubHost(parseReference(`${host}/org/app`).registry)).toBe(true)
    expect(parseReference('docker.io/org/app').registry).toBe(DOCKER_HUB_REGISTRY)
    expect(parseReference('registry-1.docker.io/org/app').registry).toBe('registry-1.docker.io')
    expect(parseReference('ubuntu').repositoryName).toBe('index.docker.io/library/ubuntu')
  })
})

// The endpoints kms-aws sends over plain http.
describe('isLoopbackHost (kms-aws endpoints)', () => {
  test.each([
    ['127.0.0.1', true],
    ['127.1.2.3:80', true],
    ['localhost:4566', true],
    ['kms.localhost', true],
    ['[::1]:9', true],
    ['128.0.0.1', false],
    ['kms.eu-west-1.amazonaws.com', false],
    ['localhost.example.com', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected)
  })
})

// The endpoints kms-gcp allows over plaintext gRPC.
describe('isLoopbackHost (kms-gcp endpoints)', () => {
  test.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['kms.localhost', true],
    ['[::1]', true],
    ['::1', true],
    ['128.0.0.1', false],
    ['127.0.0.256', false],
    ['localhost.example.com', false],
    ['example.com', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected)
  })
})

describe('isRegistryHost: the one host[:port] rule (registries, mirror prefixes, KMS endpoints)', () => {
  test.each([
    ['ghcr.io', true],
    ['127.0.0.1:5000', true],
    ['[::1]:5000', true],
    ['registry-1.docker.io', true],
    ['localhost', true],
    // The old kms-aws endpoint check let these through; the transport cannot address them.
    ['127.999.0.1:4566', false],
    ['999.1.1.1', false],
    ['[1:2]', false],
    ['::1', false],
    ['host:99999', false],
    ['user@host', false],
    ['host/path', false],
    ['host.', false],
    ['-host', false],
    ['', false],
  ])('%j → %s', (host, expected) => {
    expect(isRegistryHost(host)).toBe(expected)
  })
})
