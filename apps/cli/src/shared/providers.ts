import type {Config} from '@oclif/core'
import {SigilError} from '@sigil/core'
import type {KeyProvider, RegistryAdapter, SigilPlugin} from '@sigil/core'

/** Payload and result of the `sigil:plugin` hook that plugins answer (see docs/plugins.md). */
export interface SigilPluginHookOptions {
  readonly purpose: 'key-provider' | 'registry-adapter'
}

/** Providers and adapters from installed plugins first, then the built-in file provider. */
export async function collectPlugins(config: Config, purpose: SigilPluginHookOptions['purpose']): Promise<SigilPlugin[]> {
  const found: SigilPlugin[] = []
  // Only ask plugins when some installed plugin declares the hook: keeps start-up lean.
  const hasHook = [...config.plugins.values()].some((p) => p.hooks && 'sigil:plugin' in p.hooks)
  if (hasHook) {
    const res = await config.runHook('sigil:plugin', {purpose} satisfies SigilPluginHookOptions)
    for (const s of res.successes) if (s.result) found.push(s.result as SigilPlugin)
  }
  return found
}

/** The key provider that owns `keyRef`. */
export async function keyProviderFor(config: Config, keyRef: string): Promise<KeyProvider> {
  const plugins = await collectPlugins(config, 'key-provider')
  for (const p of plugins) for (const kp of p.keyProviders ?? []) if (kp.handles(keyRef)) return kp
  const {fileKeyProvider} = await import('@sigil/key-file')
  const file = fileKeyProvider()
  if (file.handles(keyRef)) return file
  const scheme = /^([a-z0-9+.-]+):\/\//i.exec(keyRef)?.[1]
  throw new SigilError(
    'NO_KEY_PROVIDER',
    `no key provider handles "${scheme}://" keys; install the plugin that provides it (sigil plugins install …)`,
  )
}

/** Registry adapters from plugins, in order. */
export async function registryAdapters(config: Config): Promise<RegistryAdapter[]> {
  const plugins = await collectPlugins(config, 'registry-adapter')
  return plugins.flatMap((p) => [...(p.registryAdapters ?? [])])
}
