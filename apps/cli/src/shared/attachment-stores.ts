import type {AttachmentStore} from '@sigil/core'
import {legacyTagStore, referrersStore} from '@sigil/signing'
import type {RegistryClient} from '@sigil/oci'
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
  const signatureRepository = signatureRepositoryFromEnv()
  const adapter = (await registryAdapters(io)).find((a) => a.matches(registry))
  const referrersApi = adapter?.capabilities.referrersApi
  const stores = [
    legacyTagStore({client, signatureRepository, attachmentTagPrefix}),
    referrersStore({client, signatureRepository, memory: referrersApiMemory(), ...(referrersApi === undefined ? {} : {referrersApi})}),
  ]
  return order === 'legacy-first' ? stores : stores.reverse()
}
