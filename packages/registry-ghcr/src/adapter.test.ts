import {describe, expect, test} from 'vitest'
import {registryAdapterSuite} from '@sigil/testkit'
import {GHCR_DEFAULT_USERNAME, ghcrAdapter, ghcrAmbientCredential} from './adapter.js'
import sigilPlugin from './plugin.js'

describe('ghcrAdapter', () => {
  test('GITHUB_TOKEN, else GH_TOKEN, as Basic with GITHUB_ACTOR or x-access-token; only for ghcr.io', async () => {
    expect(ghcrAmbientCredential({})).toBeUndefined()
    expect(ghcrAmbientCredential({GITHUB_TOKEN: ''})).toBeUndefined()
    expect(ghcrAmbientCredential({GH_TOKEN: 'b'})).toEqual({kind: 'basic', username: GHCR_DEFAULT_USERNAME, password: 'b'})
    expect(ghcrAmbientCredential({GITHUB_TOKEN: 'a', GH_TOKEN: 'b', GITHUB_ACTOR: 'octocat'})).toEqual({kind: 'basic', username: 'octocat', password: 'a'})
    const a = ghcrAdapter({env: {GITHUB_TOKEN: 'tok'}})
    expect(await a.credentials?.('ghcr.io', 'org/app')).toEqual({kind: 'basic', username: 'x-access-token', password: 'tok'})
    expect(await a.credentials?.('GHCR.IO', 'org/app')).toBeDefined()
    for (const h of ['docker.pkg.github.com', 'ghcr.io.evil.example', 'index.docker.io']) expect(await a.credentials?.(h, 'org/app')).toBeUndefined()
    expect(a.credentialPrecedence).toBe('after-docker-config')
    expect(a.endpoint).toBeUndefined()
  })

  test('reads process.env at each call by default', async () => {
    const saved = {GITHUB_TOKEN: process.env.GITHUB_TOKEN, GH_TOKEN: process.env.GH_TOKEN}
    try {
      delete process.env.GITHUB_TOKEN
      delete process.env.GH_TOKEN
      const a = ghcrAdapter()
      expect(await a.credentials?.('ghcr.io', 'x/y')).toBeUndefined()
      process.env.GH_TOKEN = 'late'
      expect(await a.credentials?.('ghcr.io', 'x/y')).toMatchObject({password: 'late'})
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  })

  test('the plugin hook returns the adapter without I/O', async () => {
    const p = await sigilPlugin({purpose: 'list'})
    expect(p.name).toBe('@sigil/registry-ghcr')
    expect(p.registryAdapters?.map((x) => x.name)).toEqual(['ghcr'])
  })
})

describe('registryAdapterSuite (static)', () => {
  registryAdapterSuite(test, () => ghcrAdapter({env: {GITHUB_TOKEN: 't'}}), {
    matching: ['ghcr.io'],
    notMatching: ['docker.io', 'index.docker.io', 'ghcr.io.example.com', 'docker.pkg.github.com'],
    capabilities: {referrersApi: false, mutableTags: true, ociManifests: true},
  })
})
