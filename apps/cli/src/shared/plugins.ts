import {SigilError} from '@sigil/core'
import type {KeyProvider, RegistryAdapter, SigilPlugin} from '@sigil/core'

/** Where a plugin comes from: shipped with sigil (`core`) or added by the user (`user`, `link`). */
export type PluginOrigin = 'core' | 'user' | 'link' | 'dev'

/** One plugin's answer to the `sigil:plugin` hook, with where it came from. */
export interface LoadedPlugin {
  readonly name: string
  readonly version: string
  readonly origin: PluginOrigin
  readonly plugin: SigilPlugin
}

/** Providers and adapters in the order they are consulted, after conflict checks. */
export interface ComposedPlugins {
  /** Every plugin that answered, built-in ones first. */
  readonly plugins: readonly LoadedPlugin[]
  readonly keyProviders: ReadonlyArray<{readonly provider: KeyProvider; readonly from: LoadedPlugin}>
  readonly registryAdapters: ReadonlyArray<{readonly adapter: RegistryAdapter; readonly from: LoadedPlugin}>
}

/**
 * The environment variable that lets user-installed plugins take over a scheme or host that
 * sigil itself provides: a comma-separated list of plugin names. Without it such a plugin is an
 * error, never a silent replacement (a supply-chain risk).
 */
export const OVERRIDE_ENV = 'SIGIL_PLUGIN_OVERRIDE'

function claims(p: LoadedPlugin): Array<{kind: 'scheme' | 'host'; value: string}> {
  return [
    ...(p.plugin.keyProviders ?? []).flatMap((k) => (k.schemes ?? []).map((value) => ({kind: 'scheme' as const, value: value.toLowerCase()}))),
    ...(p.plugin.registryAdapters ?? []).flatMap((a) => (a.hosts ?? []).map((value) => ({kind: 'host' as const, value: value.toLowerCase()}))),
  ]
}

/**
 * Check for conflicts and fix the order: built-in (core) plugins first, in declaration order,
 * then user and linked plugins. Two plugins claiming the same URI scheme or host pattern is an
 * error naming both, unless the later one is a user plugin the user opted into via
 * `SIGIL_PLUGIN_OVERRIDE`, which then goes first for what it claims.
 */
export function composePlugins(loaded: readonly LoadedPlugin[], env: NodeJS.ProcessEnv = process.env): ComposedPlugins {
  const allowed = new Set((env[OVERRIDE_ENV] ?? '').split(',').map((s) => s.trim()).filter(Boolean))
  const rank = (p: LoadedPlugin) => (p.origin === 'core' ? 0 : allowed.has(p.name) ? -1 : 1)
  const ordered = [...loaded].sort((a, b) => rank(a) - rank(b))
  const owner = new Map<string, LoadedPlugin>()
  for (const p of ordered) {
    for (const c of claims(p)) {
      const key = `${c.kind}:${c.value}`
      const first = owner.get(key)
      if (first && first.name !== p.name) {
        const overriding = allowed.has(first.name) && first.origin !== 'core'
        if (!overriding) {
          throw new SigilError(
            'PLUGIN_CONFLICT',
            `plugins ${first.name} (${first.origin}) and ${p.name} (${p.origin}) both provide the ${c.kind} "${c.value}"; ` +
              `uninstall one (sigil plugins uninstall …) or, to let a user plugin replace a built-in one, set ${OVERRIDE_ENV}=<plugin name>`,
          )
        }
      } else if (!first) {
        owner.set(key, p)
      }
    }
  }
  return {
    plugins: ordered,
    keyProviders: ordered.flatMap((from) => (from.plugin.keyProviders ?? []).map((provider) => ({provider, from}))),
    registryAdapters: ordered.flatMap((from) => (from.plugin.registryAdapters ?? []).map((adapter) => ({adapter, from}))),
  }
}
