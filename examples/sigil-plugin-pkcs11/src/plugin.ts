import type {SigilPlugin} from '@sigil/core'
import {pkcs11Provider} from './provider.js'

/**
 * The `sigil:plugin` hook: contributes the `pkcs11:` key provider. Cheap by design: the native
 * PKCS#11 binding is only loaded when a `pkcs11:` key is used.
 */
export default async function sigilPlugin(): Promise<SigilPlugin> {
  return {name: 'sigil-plugin-pkcs11', keyProviders: [pkcs11Provider()]}
}
