/**
 * Docker Hub: `docker.io`, `index.docker.io` and `registry-1.docker.io` are one registry.
 * Image references name it `index.docker.io` (bare `ubuntu` → `index.docker.io/library/ubuntu`,
 * as cosign writes in the payload); its API is served at `https://registry-1.docker.io`, the
 * endpoint the docker CLI uses (go-containerregistry talks to index.docker.io, which redirects
 * there — both work; the canonical endpoint saves nothing but a hop and is what `docker pull`
 * uses). Credentials come from the generic docker-config lookup (key
 * `https://index.docker.io/v1/`); this adapter adds none. The token service
 * (`auth.docker.io`) is discovered from `WWW-Authenticate` like any registry's. Rate-limit
 * headers are surfaced by the CLI's `--verbose` output and a 429 `TOOMANYREQUESTS` names the
 * reset time (see @sigil/oci).
 */
import type {RegistryAdapter, RegistryCapabilities, RegistryEndpoint} from '@sigil/core'

/** The host names of Docker Hub, canonical (`index.docker.io`, as in references) first. */
export const DOCKER_HUB_HOSTS = ['index.docker.io', 'docker.io', 'registry-1.docker.io'] as const

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

const HOSTS = new Set<string>(DOCKER_HUB_HOSTS)

/** The Docker Hub registry adapter. */
export function dockerHubAdapter(options: DockerHubAdapterOptions = {}): RegistryAdapter {
  const url = (options.endpoint ?? DOCKER_HUB_API_ENDPOINT).replace(/\/+$/, '')
  const matches = (host: string): boolean => HOSTS.has(host.toLowerCase())
  return {
    name: 'dockerhub',
    hosts: DOCKER_HUB_HOSTS,
    matches,
    capabilities: DOCKER_HUB_CAPABILITIES,
    endpoint: (host: string): RegistryEndpoint | undefined => (matches(host) ? {url} : undefined),
  }
}
