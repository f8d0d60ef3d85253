import {parseRepository} from '@sigil/core'
import type {RepositoryRef} from '@sigil/oci'
import {RegistryClient, dockerConfigCredentials} from '@sigil/oci'
import {registryAdapters, trace} from './command-io.js'
import type {CommandIO} from './command-io.js'

/** Options every registry-facing command shares. */
export interface RegistryFlags {
  readonly 'allow-insecure-registry'?: boolean
  readonly 'allow-http-registry'?: boolean
}

/** A client for this run: docker-config credentials, adapters from plugins, `--verbose` logging. */
export async function createRegistryClient(io: CommandIO, flags: RegistryFlags): Promise<RegistryClient> {
  const adapters = await registryAdapters(io)
  const adapterFor = (host: string) => adapters.find((a) => a.matches(host))
  const fromDockerConfig = dockerConfigCredentials()
  return new RegistryClient({
    insecure: Boolean(flags['allow-insecure-registry'] || flags['allow-http-registry']),
    userAgent: `sigil/${io.version}`,
    ...(adapters.length > 0
      ? {
          endpoint: (host: string) => adapterFor(host)?.endpoint?.(host)?.url,
          credentials: async (host: string, repository: string) =>
            (await adapterFor(host)?.credentials?.(host, repository)) ?? fromDockerConfig(host, repository),
        }
      : {}),
    onRequest: (e) =>
      trace(io, `${e.method} ${e.url} -> ${e.status ?? e.error ?? 'error'} (${Math.round(e.durationMs)} ms${e.attempt > 1 ? `, attempt ${e.attempt}` : ''})`),
  })
}

/** `SIGIL_REPOSITORY` / `COSIGN_REPOSITORY`: store signatures in another repository. */
export function signatureRepositoryFromEnv(env: NodeJS.ProcessEnv = process.env): RepositoryRef | undefined {
  const value = env.SIGIL_REPOSITORY ?? env.COSIGN_REPOSITORY
  if (!value) return undefined
  const {registry, repository} = parseRepository(value)
  return {registry, repository}
}
