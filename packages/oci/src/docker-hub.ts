/** Docker Hub's names: one registry under several host names, and the key docker login stores it under. */

/** The Docker Hub host as go-containerregistry names it. */
export const DOCKER_HUB_HOST = 'index.docker.io'

/** The docker config key `docker login` writes for Docker Hub. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/'

/** Every host name that is Docker Hub (lower case), the canonical one first. */
export const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set([DOCKER_HUB_HOST, 'docker.io', 'registry-1.docker.io'])

/** True when `host` (any case) is one of Docker Hub's names. */
export function isDockerHubHost(host: string): boolean {
  return DOCKER_HUB_ALIASES.has(host.toLowerCase())
}
