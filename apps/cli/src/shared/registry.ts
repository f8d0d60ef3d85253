import type {Config} from '@oclif/core'
import {parseRepository} from '@sigil/core'
import type {RepositoryRef} from '@sigil/oci'
import {RegistryClient} from '@sigil/oci'
import {registryAdapters} from './providers.js'

/** Options every registry-facing command shares. */
export interface RegistryFlags {
  readonly 'allow-insecure-registry'?: boolean
  readonly 'allow-http-registry'?: boolean
}

/** A client for this run: docker-config credentials, adapters from plugins, `--verbose` logging. */
export async function createRegistryClient(
  config: Config,
  flags: RegistryFlags,
  debug: (line: string) => void,
): Promise<RegistryClient> {
  const adapters = await registryAdapters(config)
  const adapterFor = (host: string) => adapters.find((a) => a.matches(host))
  return new RegistryClient({
    insecure: Boolean(flags['allow-insecure-registry'] || flags['allow-http-registry']),
    userAgent: `sigil/${config.version}`,
    ...(adapters.length > 0
      ? {
          endpoint: (host: string) => adapterFor(host)?.endpoint?.(host)?.url,
          credentials: async (host: string, repository: string) => {
            const fromAdapter = await adapterFor(host)?.credentials?.(host, repository)
            if (fromAdapter) return fromAdapter
            const {dockerConfigCredentials} = await import('@sigil/oci')
            return dockerConfigCredentials()(host, repository)
          },
        }
      : {}),
    onRequest: (e) => debug(`${e.method} ${e.url} -> ${e.status ?? 'error'} (${Math.round(e.durationMs)} ms${e.attempt > 1 ? `, attempt ${e.attempt}` : ''})`),
  })
}

/** `COSIGN_REPOSITORY` (or `SIGIL_REPOSITORY`): store signatures in another repository. */
export function signatureRepositoryFromEnv(env: NodeJS.ProcessEnv = process.env): RepositoryRef | undefined {
  const value = env.SIGIL_REPOSITORY ?? env.COSIGN_REPOSITORY
  if (!value) return undefined
  const {registry, repository} = parseRepository(value)
  return {registry, repository}
}
