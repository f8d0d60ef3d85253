import type {SigilPlugin} from '@sigil/core'
import {fileKeyProvider} from './provider.js'

/**
 * The `sigil:plugin` hook of the file key provider: sigil's built-in keys load through the
 * same mechanism as any third-party plugin.
 */
export default async function sigilPlugin(): Promise<SigilPlugin> {
  return {name: '@sigil/key-file', keyProviders: [fileKeyProvider()]}
}
