/**
 * The `sigil:plugin` oclif hook: contributes the `gcpkms://` key provider. Nothing heavy is
 * imported here; the provider loads `@google-cloud/kms` on first use.
 */
import type {SigilPlugin} from '@sigil/core'
import {gcpKmsProvider} from './provider.js'

/** Hook entry point: returns this package's contributions. */
export default async function sigilPlugin(): Promise<SigilPlugin> {
  return {name: '@sigil/kms-gcp', keyProviders: [gcpKmsProvider()]}
}
