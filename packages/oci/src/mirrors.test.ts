import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {SigilError} from '@sigil/core'
import {canonicalRegistryHost} from './index.js'
import {loadRegistryMirrors, parseRegistryMirrors, registryMirrorsFile} from './mirrors.js'
import {registryScheme} from './transport-policy.js'

const parse = (value: unknown) => parseRegistryMirrors(JSON.stringify(value), '/etc/r.json')

function failure(fn: () => unknown): SigilError {
  try {
    fn()
  } catch (err) {
    if (err instanceof SigilError) return err
    throw err
  }
  throw new Error('expected a failure')
}

describe('canonicalRegistryHost', () => {
  test.each([
    ['docker.io', 'index.docker.io'],
    ['index.docker.io', 'index.docker.io'],
    ['Registry-1.Docker.IO', 'index.docker.io'],
    ['ghcr.io', 'ghcr.io'],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
  ])('%s → %s', (input, out) => expect(canonicalRegistryHost(input)).toBe(out))
})

describe('registryMirrorsFile', () => {
  test('SIGIL_REGISTRIES_CONFIG wins, then XDG_CONFIG_HOME, then ~/.config', () => {
    expect(registryMirrorsFile({SIGIL_REGISTRIES_CONFIG: '/x/r.json', XDG_CONFIG_HOME: '/xdg'})).toEqual({file: '/x/r.json', explicit: true})
    expect(registryMirrorsFile({XDG_CONFIG_HOME: '/xdg', HOME: '/home/u'})).toEqual({file: '/xdg/sigil/registries.json', explicit: false})
    expect(registryMirrorsFile({HOME: '/home/u'})).toEqual({file: '/home/u/.config/sigil/registries.json', explicit: false})
  })
})

describe('parseRegistryMirrors', () => {
  test('maps every Docker Hub spelling through one entry; other hosts untouched', () => {
    const m = parse({registries: [{prefix: 'docker.io', location: 'http://127.0.0.1:5000/'}, {prefix: 'ghcr.io', location: 'https://mirror.example.com/ghcr'}]})
    expect(m.mirrors).toEqual([
      {prefix: 'index.docker.io', location: 'http://127.0.0.1:5000', insecure: false},
      {prefix: 'ghcr.io', location: 'https://mirror.example.com/ghcr', insecure: false},
    ])
    for (const h of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) expect(m.endpoint(h)).toBe('http://127.0.0.1:5000')
    expect(m.endpoint('ghcr.io')).toBe('https://mirror.example.com/ghcr')
    expect(m.endpoint('quay.io')).toBeUndefined()
    expect(m.file).toBe('/etc/r.json')
  })

  test('an empty object means no mirrors', () => {
    expect(parse({}).mirrors).toEqual([])
    expect(parse({registries: []}).endpoint('docker.io')).toBeUndefined()
  })

  test('plain http to a non-loopback host needs "insecure": true', () => {
    expect(failure(() => parse({registries: [{prefix: 'docker.io', location: 'http://mirror.corp:5000'}]})).message).toMatch(
      /\/etc\/r\.json: registries\[0\]\.location "http:\/\/mirror\.corp:5000" uses plain http:\/\//,
    )
    expect(parse({registries: [{prefix: 'docker.io', location: 'http://mirror.corp:5000', insecure: true}]}).mirrors[0]!.insecure).toBe(true)
  })

  test.each([
    ['not JSON', '{', /not valid JSON/],
    ['not an object', '[]', /expected an object/],
    ['registries not an array', '{"registries": {}}', /"registries" must be an array/],
    ['entry not an object', '{"registries": [1]}', /registries\[0\] must be an object/],
    ['missing prefix', '{"registries": [{"location": "https://m"}]}', /registries\[0\]\.prefix must be a registry host/],
    ['prefix with scheme', '{"registries": [{"prefix": "https://docker.io", "location": "https://m"}]}', /is not a registry host/],
    ['prefix with path', '{"registries": [{"prefix": "docker.io/library", "location": "https://m"}]}', /is not a registry host/],
    ['missing location', '{"registries": [{"prefix": "docker.io"}]}', /location must be a URL/],
    ['location not a URL', '{"registries": [{"prefix": "docker.io", "location": "mirror:5000"}]}', /must use https:\/\//],
    ['relative location', '{"registries": [{"prefix": "docker.io", "location": "/mirror"}]}', /is not a URL/],
    ['ftp location', '{"registries": [{"prefix": "docker.io", "location": "ftp://m"}]}', /must use https/],
    ['credentials in location', '{"registries": [{"prefix": "docker.io", "location": "https://u:p@m"}]}', /must not contain credentials/],
    ['query', '{"registries": [{"prefix": "docker.io", "location": "https://m/?a=b"}]}', /query or fragment/],
    ['insecure not boolean', '{"registries": [{"prefix": "docker.io", "location": "https://m", "insecure": "yes"}]}', /insecure must be true or false/],
    ['duplicate (aliases)', '{"registries": [{"prefix": "docker.io", "location": "https://a"}, {"prefix": "registry-1.docker.io", "location": "https://b"}]}', /registries\[1\]\.prefix "registry-1\.docker\.io" is mapped twice/],
  ])('%s → INVALID_ARGUMENT naming the file', (_name, text, pattern) => {
    const err = failure(() => parseRegistryMirrors(text, '/etc/r.json'))
    expect(err.code).toBe('INVALID_ARGUMENT')
    expect(err.message).toContain('invalid registries config /etc/r.json')
    expect(err.message).toMatch(pattern)
    expect(err.message).not.toContain('u:p')
  })
})

describe('a mirror prefix is a registry host by the transport\'s rule', () => {
  // A prefix the transport would refuse could never match, and one it talks to must be mappable:
  // the hosts below are where a separate pattern (RFC 1123 labels, no URL parse) would differ.
  const accepts = (prefix: string): boolean => {
    try {
      parse({registries: [{prefix, location: 'https://mirror.example.com'}]})
      return true
    } catch {
      return false
    }
  }
  const transport = (host: string): boolean => {
    try {
      registryScheme(host)
      return true
    } catch {
      return false
    }
  }
  test.each([
    'docker.io',
    'Registry.Example:5000',
    '127.0.0.1:65535',
    '[::1]:5000',
    '[::ffff:1.2.3.4]',
    'a..b',
    'a-.example',
    'a.-b',
    '-a.example',
    'a.',
    'a_b',
    '127.0.0.1:99999',
    '[1:2]',
    '1.2.3.4.5',
    '999.1.1.1',
  ])('%s: mirrors and transport agree', (host) => {
    expect(accepts(host)).toBe(transport(host))
  })
})

describe('loadRegistryMirrors', () => {
  test('a missing default file means no mirrors; a missing explicit file is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigil-mirrors-'))
    try {
      expect(loadRegistryMirrors({XDG_CONFIG_HOME: dir}).mirrors).toEqual([])
      const err = failure(() => loadRegistryMirrors({SIGIL_REGISTRIES_CONFIG: join(dir, 'nope.json')}))
      expect(err.code).toBe('INVALID_ARGUMENT')
      expect(err.message).toMatch(/cannot read registries config .*nope\.json \(from SIGIL_REGISTRIES_CONFIG\): ENOENT/)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  test('reads the env-named file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigil-mirrors-'))
    try {
      writeFileSync(join(dir, 'own.json'), JSON.stringify({registries: [{prefix: 'ghcr.io', location: 'http://127.0.0.1:1'}]}))
      expect(loadRegistryMirrors({SIGIL_REGISTRIES_CONFIG: join(dir, 'own.json'), XDG_CONFIG_HOME: dir}).endpoint('ghcr.io')).toBe('http://127.0.0.1:1')
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  test('an invalid default file is an error naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigil-mirrors-'))
    try {
      const file = join(dir, 'sigil', 'registries.json')
      mkdirSync(join(dir, 'sigil'))
      writeFileSync(file, '{"registries": 3}')
      const err = failure(() => loadRegistryMirrors({XDG_CONFIG_HOME: dir}))
      expect(err.code).toBe('INVALID_ARGUMENT')
      expect(err.message).toContain(file)
      writeFileSync(file, JSON.stringify({registries: [{prefix: 'docker.io', location: 'http://127.0.0.1:9'}]}))
      const m = loadRegistryMirrors({XDG_CONFIG_HOME: dir})
      expect(m.file).toBe(file)
      expect(m.endpoint('docker.io')).toBe('http://127.0.0.1:9')
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

