/**
 * GitHub Container Registry (`ghcr.io`). Besides the docker config, an ambient GitHub token
 * (`GITHUB_TOKEN`, else `GH_TOKEN`, as in GitHub Actions) is used — but only when the docker
 * config has no entry for ghcr.io: a `docker login ghcr.io` / `sigil login ghcr.io` wins over
 * an ambient token (the adapter declares `credentialPrecedence: 'after-docker-config'`, which
 * the CLI honours). The token is sent as Basic credentials (user `$GITHUB_ACTOR`, else
 * `x-access-token`) to ghcr's token endpoint, which exchanges it for a scoped Bearer token.
 */
import type {RegistryAdapter, RegistryCapabilities, RegistryCredential} from '@sigil/core'

/** The GHCR host. */
export const GHCR_HOST = 'ghcr.io'

/** Username sent with an ambient token when `GITHUB_ACTOR` is unset (ghcr accepts any). */
export const GHCR_DEFAULT_USERNAME = 'x-access-token'

/** GHCR's behaviour, declared. */
export const GHCR_CAPABILITIES: RegistryCapabilities = Object.freeze({
  // ghcr.io does not serve the OCI 1.1 referrers API (cosign's tag scheme is used).
  referrersApi: false,
  mutableTags: true,
  ociManifests: true,
})

/** Options of {@link ghcrAdapter}. */
export interface GhcrAdapterOptions {
  /** Where to read `GITHUB_TOKEN` / `GH_TOKEN` / `GITHUB_ACTOR`. Default `process.env`, read at each call. */
  readonly env?: NodeJS.ProcessEnv
}

/** A GHCR adapter extended with where its ambient credentials rank (see the module comment). */
export interface GhcrAdapter extends RegistryAdapter {
  /** Consult the docker config before this adapter's (ambient) credentials. */
  readonly credentialPrecedence: 'after-docker-config'
}

/** The ambient GitHub token, if any, as Basic credentials for ghcr's token endpoint. */
export function ghcrAmbientCredential(env: NodeJS.ProcessEnv): RegistryCredential | undefined {
  const token = env['GITHUB_TOKEN'] || env['GH_TOKEN']
  if (!token) return undefined
  return {kind: 'basic', username: env['GITHUB_ACTOR'] || GHCR_DEFAULT_USERNAME, password: token}
}

/** The GHCR registry adapter. */
export function ghcrAdapter(options: GhcrAdapterOptions = {}): GhcrAdapter {
  const matches = (host: string): boolean => host.toLowerCase() === GHCR_HOST
  return {
    name: 'ghcr',
    hosts: [GHCR_HOST],
    matches,
    capabilities: GHCR_CAPABILITIES,
    credentialPrecedence: 'after-docker-config',
    // Never hand the token to another host, whatever the caller asks.
    credentials: async (host: string) => (matches(host) ? ghcrAmbientCredential(options.env ?? process.env) : undefined),
  }
}
