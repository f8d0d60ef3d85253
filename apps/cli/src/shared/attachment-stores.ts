import type {AttachmentStore, RegistryAdapter} from '@sigil/core'
import {legacyTagStore, referrersStore} from '@sigil/signing'
import type {ReferrersApiMemory} from '@sigil/signing'
import type {RegistryClient, RepositoryRef} from '@sigil/oci'
import type {CommandIO} from '../command.js'
import {registryAdapters} from './command-io.js'
import {referrersApiMemory, signatureRepositoryFromEnv} from './registry.js'

/**
 * Both storage formats for `image`'s registry: cosign's legacy tags (in COSIGN_REPOSITORY when
 * set, with --attachment-tag-prefix) and cosign 3's bundle referrers (the registry's adapter
 * saying whether it serves the referrers API). `legacy-first` is the order tree, download and
 * clean show them in; the verify commands read `referrers-first`, as cosign 3 does.
 */
export async function attachmentStores(
  io: CommandIO,
  client: RegistryClient,
  registry: string,
  attachmentTagPrefix: string | undefined,
  order: 'legacy-first' | 'referrers-first' = 'legacy-first',
): Promise<AttachmentStore[]> {
  const adapter = (await registryAdapters(io)).find((a) => a.matches(registry))
  return storesOf(client, {adapter, signatureRepository: signatureRepositoryFromEnv(), memory: referrersApiMemory()}, attachmentTagPrefix, order)
}

/** What {@link storesOf} builds the stores from: looked up once per run by a command checking several images. */
export interface StoreSetting {
  /** The registry adapter of the image's registry, if any. */
  readonly adapter: RegistryAdapter | undefined
  /** `SIGIL_REPOSITORY` / `COSIGN_REPOSITORY`. */
  readonly signatureRepository: RepositoryRef | undefined
  readonly memory: ReferrersApiMemory
}

/** {@link attachmentStores} from a setting already looked up. */
export function storesOf(
  client: RegistryClient,
  {adapter, signatureRepository, memory}: StoreSetting,
  attachmentTagPrefix: string | undefined,
  order: 'legacy-first' | 'referrers-first',
): AttachmentStore[] {
  const referrersApi = adapter?.capabilities.referrersApi
  const stores = [
    legacyTagStore({client, signatureRepository, attachmentTagPrefix}),
    referrersStore({client, signatureRepository, memory, ...(referrersApi === undefined ? {} : {referrersApi})}),
  ]
  return order === 'legacy-first' ? stores : stores.reverse()
}
