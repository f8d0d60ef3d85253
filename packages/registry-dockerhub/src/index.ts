/** @sigil/registry-dockerhub — the Docker Hub registry adapter (a sigil plugin). */
export {DOCKER_HUB_API_ENDPOINT, DOCKER_HUB_CAPABILITIES, DOCKER_HUB_HOSTS, dockerHubAdapter} from './adapter.js'
export type {DockerHubAdapterOptions} from './adapter.js'
