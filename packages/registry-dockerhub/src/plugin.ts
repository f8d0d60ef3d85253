/** The `sigil:plugin` hook: cheap, no I/O. */
import type {SigilPlugin, SigilPluginHookOptions} from '@sigil/core'
import {dockerHubAdapter} from './adapter.js'

export default async function sigilPlugin(_options: SigilPluginHookOptions): Promise<SigilPlugin> {
  return {name: '@sigil/registry-dockerhub', registryAdapters: [dockerHubAdapter()]}
}
