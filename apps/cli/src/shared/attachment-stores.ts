import type {AttachmentStore} from '@sigil/core'
import {legacyTagStore, referrersStore} from '@sigil/signing'
import type {RegistryClient} from '@sigil/oci'
import type {CommandIO} from '../command.js'
import {registryAdapters} from './command-io.js'
import {referrersApiMemory, signatureRepositoryFromEnv} from './registry.js'

/**
 * Both storage formats for `image`'s registry, as verify and tree read them: cosign's legacy
 * tags (in COSIGN_REPOSITORY when set, with --attachment-tag-prefix) first, then cosign 3's
 * bundle referrers (the registry's adapter saying whether it serves the referrers API).
 */
export async function attachmentStores(io: CommandIO, client: RegistryClient, registry: string, attachmentTagPrefix: string): Promise<AttachmentStore[]> {
  const signatureRepository = signatureRepositoryFromEnv()
  const adapter = (await registryAdapters(io)).find((a) => a.matches(registry))
  const referrersApi = adapter?.capabilities.referrersApi
  return [
    legacyTagStore({client, signatureRepository, attachmentTagPrefix}),
    referrersStore({client, signatureRepository, memory: referrersApiMemory(), ...(referrersApi === undefined ? {} : {referrersApi})}),
  ]
}
