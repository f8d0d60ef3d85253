/**
 * Which scheme to use for a registry host: plain HTTP only for loopback, HTTPS otherwise
 * (unless the caller opted into insecure registries).
 */
import {SigilError, isLoopbackHost, isRegistryHost} from '@sigil/core'

/** Parse `host[:port]` into a WHATWG URL (normalised hostname), or throw INVALID_REFERENCE. */
function parseHost(host: string): URL {
  // A bare IPv6 literal (`::1`: two or more colons, no brackets) is accepted and bracketed; the
  // URL parser rejects it if it is not a valid address. (Not node:net's isIPv6: its first
  // call compiles a large regular expression, a cost on every `sigil verify`.)
  if (!host.startsWith('[') && host.indexOf(':') !== host.lastIndexOf(':')) host = `[${host}]`
  if (!isRegistryHost(host)) throw new SigilError('INVALID_REFERENCE', `invalid registry host "${host}": expected host[:port]`)
  return new URL(`http://${host}`)
}

/** Options of {@link registryBaseUrl}. */
export interface TransportPolicyOptions {
  /** Allow plain HTTP for non-loopback hosts (`--allow-insecure-registry`). Default false. */
  readonly insecure?: boolean
  /** Base URL override for the host (mirrors, tests); undefined = derived from the host. */
  readonly endpoint?: (host: string) => string | undefined
}

/**
 * The scheme sigil uses for `host` when no endpoint override applies: `http` for loopback
 * hosts or when `insecure`, else `https` (go-containerregistry's rule, minus RFC 1918 ranges).
 */
export function registryScheme(host: string, insecure = false): 'http' | 'https' {
  parseHost(host)
  return insecure || isLoopbackHost(host) ? 'http' : 'https'
}

/**
 * Base URL (origin, no trailing slash) for a registry host, e.g. `https://ghcr.io` or
 * `http://127.0.0.1:5000`. An endpoint override is honoured but still has to follow the
 * policy: plain `http://` to a non-loopback host needs `insecure` (else INSECURE_REGISTRY).
 */
export function registryBaseUrl(host: string, options: TransportPolicyOptions = {}): string {
  const override = options.endpoint?.(host)
  if (override === undefined) {
    const parsed = parseHost(host)
    return `${registryScheme(host, options.insecure)}://${parsed.host}`
  }
  let url: URL
  try {
    url = new URL(override)
  } catch (cause) {
    throw new SigilError('INVALID_ARGUMENT', `invalid endpoint "${override}" for registry ${host}`, {cause})
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SigilError('INVALID_ARGUMENT', `invalid endpoint "${override}" for registry ${host}: only http and https are supported`)
  }
  if (url.username !== '' || url.password !== '') {
    throw new SigilError('INVALID_ARGUMENT', `endpoint for registry ${host} must not contain credentials`)
  }
  assertTransportAllowed(url, options.insecure ?? false)
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

/**
 * Throw INSECURE_REGISTRY if `url` is plain HTTP to a non-loopback host and `insecure` is off.
 * Used for registry endpoints and token realms (credentials must not travel in clear text).
 */
export function assertTransportAllowed(url: URL, insecure: boolean): void {
  if (url.protocol === 'http:' && !insecure && !isLoopbackHost(url.host)) {
    throw new SigilError(
      'INSECURE_REGISTRY',
      `refusing plain HTTP to ${url.host}: only loopback registries use HTTP by default; ` +
        'pass --allow-insecure-registry (insecure: true) if you really mean it',
      {details: {host: url.host}},
    )
  }
}
