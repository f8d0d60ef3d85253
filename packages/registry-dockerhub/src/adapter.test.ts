import {describe, expect, test} from 'vitest'
import {registryAdapterSuite} from '@sigil/testkit'
import {DOCKER_HUB_API_ENDPOINT, dockerHubAdapter} from './adapter.js'
import sigilPlugin from './plugin.js'

describe('dockerHubAdapter', () => {
  test('serves the three Docker Hub names at registry-1.docker.io; nothing else', () => {
    const a = dockerHubAdapter()
    for (const h of ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'Docker.IO']) {
      expect(a.matches(h)).toBe(true)
      expect(a.endpoint?.(h)).toEqual({url: DOCKER_HUB_API_ENDPOINT})
    }
    for (const h of ['ghcr.io', 'docker.io.evil.example', 'hub.docker.com', 'index.docker.io:5000']) {
      expect(a.matches(h)).toBe(false)
      expect(a.endpoint?.(h)).toBeUndefined()
    }
    expect(a.credentials).toBeUndefined() // docker config key https://index.docker.io/v1/ is the generic lookup's job
    expect(dockerHubAdapter({endpoint: 'http://127.0.0.1:5000/'}).endpoint?.('docker.io')).toEqual({url: 'http://127.0.0.1:5000'})
  })

  test('the plugin hook returns the adapter without I/O', async () => {
    const p = await sigilPlugin({purpose: 'list'})
    expect(p.name).toBe('@sigil/registry-dockerhub')
    expect(p.registryAdapters?.map((a) => a.name)).toEqual(['dockerhub'])
  })
})

describe('registryAdapterSuite (static)', () => {
  registryAdapterSuite(test, () => dockerHubAdapter(), {
    matching: ['docker.io', 'index.docker.io', 'registry-1.docker.io'],
    notMatching: ['ghcr.io', 'quay.io', 'docker.io.example.com', '127.0.0.1:5000'],
    capabilities: {referrersApi: false, mutableTags: true, ociManifests: true, rateLimitedPulls: true},
  })
})
