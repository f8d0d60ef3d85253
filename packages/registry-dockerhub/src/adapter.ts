/**
 * Docker Hub: its names (`index.docker.io`, `docker.io`, `registry-1.docker.io`) and its
 * docker-config key are core's (`DOCKER_HUB_HOSTS`, `isDockerHubHost`, `DOCKER_HUB_CONFIG_KEY`).
 * Its API is served at `https://registry-1.docker.io`, the endpoint the docker CLI uses
 * (go-containerregistry talks to index.docker.io, which redirects there; both work). Credentials
 * come from the generic docker-config lookup; this adapter adds none. The token service
 * (`auth.docker.io`) is discovered from `WWW-Authenticate` like any registry's. Rate-limit
 * headers are surfaced by the CLI's `--verbose` output and a 429 `TOOMANYREQUESTS` names the
 * reset time (see @sigil/oci).
 */
import {DOCKER_HUB_HOSTS, isDockerHubHost} from '@sigil/core'
import type {RegistryAdapter, RegistryCapabilities, RegistryEndpoint} from '@sigil/core'

/** Where Docker Hub's registry API is served. */
export const DOCKER_HUB_API_ENDPOINT = 'https://registry-1.docker.io'

/** Docker Hub's behaviour, declared. */
export const DOCKER_HUB_CAPABILITIES: RegistryCapabilities = Object.freeze({
  // Docker Hub does not serve the OCI 1.1 referrers API; cosign's tag scheme is used.
  referrersApi: false,
  mutableTags: true,
  // Manifest GETs count against the pull limit, HEADs do not.
  rateLimitedPulls: true,
  ociManifests: true,
})

/** Options of {@link dockerHubAdapter}. */
export interface DockerHubAdapterOptions {
  /** Override the API endpoint (tests, a pull-through cache). Default {@link DOCKER_HUB_API_ENDPOINT}. */
  readonly endpoint?: string
}

/** The Docker Hub registry adapter. */
export function dockerHubAdapter(options: DockerHubAdapterOptions = {}): RegistryAdapter {
  const url = (options.endpoint ?? DOCKER_HUB_API_ENDPOINT).replace(/\/+$/, '')
  const matches = isDockerHubHost
  return {
    name: 'dockerhub',
    hosts: DOCKER_HUB_HOSTS,
    matches,
    capabilities: DOCKER_HUB_CAPABILITIES,
    endpoint: (host: string): RegistryEndpoint | undefined => (matches(host) ? {url} : undefined),
  }
}
