/** @sigil/registry-dockerhub — the Docker Hub registry adapter (a sigil plugin). */
export {DOCKER_HUB_API_ENDPOINT, DOCKER_HUB_CAPABILITIES, dockerHubAdapter} from './adapter.js'
/** Core's Docker Hub names, re-exported where users of this package have always found them. */
export {DOCKER_HUB_HOSTS} from '@sigil/core'
export type {DockerHubAdapterOptions} from './adapter.js'
