import {describe, expect, test} from 'vitest'
import {DOCKER_HUB_ALIASES, DOCKER_HUB_AUTH_KEY, DOCKER_HUB_HOST, isDockerHubHost} from './docker-hub.js'
import {loginServer} from './docker-login.js'
import {canonicalRegistryHost} from './mirrors.js'

describe("Docker Hub's names", () => {
  // login and mirrors each kept their own list once, and the lists differed.
  test.each([...DOCKER_HUB_ALIASES, 'Docker.IO'])('%s is Docker Hub for login and for mirrors alike', (host) => {
    expect(isDockerHubHost(host)).toBe(true)
    expect(loginServer(host)).toEqual({key: DOCKER_HUB_AUTH_KEY, host: DOCKER_HUB_HOST})
    expect(canonicalRegistryHost(host)).toBe(DOCKER_HUB_HOST)
  })

  test.each(['ghcr.io', 'hub.docker.com', 'docker.io.example.com', 'registry.hub.docker.com'])('%s is not', (host) => {
    expect(isDockerHubHost(host)).toBe(false)
    expect(loginServer(host).key).toBe(host)
    expect(canonicalRegistryHost(host)).toBe(host)
  })
})
