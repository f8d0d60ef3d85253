import type {SigilPlugin} from '@sigil/core'
import {sigstoreKmsProvider} from './provider.js'

/** The `sigil:plugin` hook: cosign-compatible executable KMS plugins, consulted last. */
export default async function sigilPlugin(): Promise<SigilPlugin> {
  return {name: '@sigil/sigstore-kms-bridge', keyProviders: [sigstoreKmsProvider()]}
}
