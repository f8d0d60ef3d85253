/**
 * Host-name rules every package shares: which hosts are loopback (plain HTTP allowed) and
 * which names are Docker Hub.
 */

// host[:port], IPv4 with optional port, or a bracketed IPv6 literal with optional port: nothing
// that could carry userinfo, a path or a trailing dot.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/

/**
 * True when `host` is a `host[:port]` a client can address: a name or IPv4 address, or an IPv6
 * literal in brackets, with an optional port, that the WHATWG URL parser also accepts (so no
 * `999.1.1.1`, `[1:2]` or port 99999), and nothing that could carry userinfo, a path or a
 * trailing dot. The one rule for registry hosts, mirror prefixes and KMS endpoints.
 */
export function isRegistryHost(host: string): boolean {
  if (!HOST.test(host)) return false
  try {
    new URL(`http://${host}`)
    return true
  } catch {
    return false
  }
}

/**
 * True for loopback hosts, with or without a port: `localhost` and names under `.localhost`
 * (RFC 6761; go-containerregistry treats them alike), IPv4 `127.0.0.0/8`, and IPv6 `::1` (bare
 * `::1`, `[::1]`, or any spelling of it such as `[0:0:0:0:0:0:0:1]`). The host is read as the
 * WHATWG URL parser reads it, which is where a connection would go: `127.1` is 127.0.0.1.
 * Not loopback: a trailing-dot name (`localhost.`: a fully qualified name may be sent to DNS),
 * IPv4-mapped IPv6 (`::ffff:127.0.0.1`), userinfo or paths, anything malformed. Never throws.
 */
export function isLoopbackHost(host: string): boolean {
  // A bare IPv6 literal has two or more colons and no brackets.
  if (!host.startsWith('[') && host.indexOf(':') !== host.lastIndexOf(':')) host = `[${host}]`
  if (!isRegistryHost(host)) return false
  const hostname = new URL(`http://${host}`).hostname
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true
  if (hostname === '[::1]') return true
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
}

/**
 * Docker Hub's registry as image references name it: go-containerregistry's `DefaultRegistry`,
 * what `ubuntu` and `docker.io/…` normalise to and what cosign writes in payloads.
 */
export const DOCKER_HUB_REGISTRY = 'index.docker.io'

/**
 * Every host name that is Docker Hub's registry, canonical first: `index.docker.io`,
 * `docker.io` (the name users type; ggcr rewrites it) and `registry-1.docker.io` (where the
 * API is served). Other docker.com names (`hub.docker.com`, `registry.hub.docker.com`) are
 * not registry names in docker's or ggcr's code.
 */
export const DOCKER_HUB_HOSTS: readonly ['index.docker.io', 'docker.io', 'registry-1.docker.io'] = Object.freeze([
  'index.docker.io',
  'docker.io',
  'registry-1.docker.io',
] as const)

/**
 * The docker config key that holds Docker Hub credentials (`auths`, credential helpers), as
 * the docker CLI writes it and ggcr's keychain reads it.
 */
export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/'

const DOCKER_HUB = new Set<string>(DOCKER_HUB_HOSTS)

/** True when `host` (no port; any case) is one of {@link DOCKER_HUB_HOSTS}. */
export function isDockerHubHost(host: string): boolean {
  return DOCKER_HUB.has(host.toLowerCase())
}

/**
 * `host` trimmed and in lower case, with every Docker Hub name folded into
 * {@link DOCKER_HUB_REGISTRY}: the key for "is this the same registry" (mirrors, logins). Not
 * for image references, which keep `registry-1.docker.io` as typed, as ggcr does (see
 * `parseReference`).
 */
export function canonicalRegistryHost(host: string): string {
  const h = host.trim().toLowerCase()
  return DOCKER_HUB.has(h) ? DOCKER_HUB_REGISTRY : h
}

/**
 * The docker config key (`auths`, `credHelpers`) for a registry host: {@link DOCKER_HUB_CONFIG_KEY}
 * for every Docker Hub name, as `docker login` writes it and ggcr's keychain looks it up;
 * otherwise the host as {@link canonicalRegistryHost} gives it (`127.0.0.1:5000`, `ghcr.io`).
 */
export function dockerConfigKey(host: string): string {
  const h = canonicalRegistryHost(host)
  return h === DOCKER_HUB_REGISTRY ? DOCKER_HUB_CONFIG_KEY : h
}
