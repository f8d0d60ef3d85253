import {describe, expect, test} from 'vitest'
import {DOCKER_HUB_CONFIG_KEY, DOCKER_HUB_HOSTS, DOCKER_HUB_REGISTRY, isDockerHubHost} from '@sigil/core'
import {loginServer} from './docker-login.js'
import {DOCKER_HUB_AUTH_KEY, canonicalRegistryHost} from './index.js'

describe("Docker Hub's names", () => {
  test('the key oci exports is core\'s', () => {
    expect(DOCKER_HUB_AUTH_KEY).toBe(DOCKER_HUB_CONFIG_KEY)
  })

  // One set for login, mirrors and the keychain: core's.
  test.each([...DOCKER_HUB_HOSTS, 'Docker.IO'])('%s is Docker Hub for login and for mirrors alike', (host) => {
    expect(isDockerHubHost(host)).toBe(true)
    expect(loginServer(host)).toEqual({key: DOCKER_HUB_AUTH_KEY, host: DOCKER_HUB_REGISTRY})
    expect(canonicalRegistryHost(host)).toBe(DOCKER_HUB_REGISTRY)
  })

  test.each(['ghcr.io', 'hub.docker.com', 'docker.io.example.com', 'registry.hub.docker.com'])('%s is not', (host) => {
    expect(isDockerHubHost(host)).toBe(false)
    expect(loginServer(host).key).toBe(host)
    expect(canonicalRegistryHost(host)).toBe(host)
  })
})
