/**
 * Plugins on sigil's own start-up path: the same `sigil:plugin` hooks oclif runs, found the way
 * oclif finds them (the CLI's `oclif.plugins`, then the user's and linked plugins recorded in
 * `<data dir>/package.json`), without loading oclif. Built-in plugins come compiled into the
 * start-up bundle (see build/bundle.mjs); user plugins are imported from where they are installed.
 */
import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {SigilError} from '@sigil/core'
import type {SigilPlugin, SigilPluginHookOptions} from '@sigil/core'
import {sigilDir} from '../shared/dirs.js'
import type {LoadedPlugin, PluginOrigin} from '../shared/plugins.js'

/** A `sigil:plugin` hook function, as oclif calls it. */
export type PluginHook = (this: unknown, options: SigilPluginHookOptions & {config: HookConfig}) => Promise<SigilPlugin | undefined> | SigilPlugin | undefined

/** The part of oclif's `config` a hook receives on sigil's start-up path. */
export interface HookConfig {
  readonly name: string
  readonly version: string
  readonly bin: string
  readonly root: string
  readonly dataDir: string
  readonly cacheDir: string
  readonly configDir: string
}

/** A built-in plugin, compiled into the bundle (or loaded from its package when unbundled). */
export interface BuiltinPlugin {
  readonly name: string
  readonly version: string
  readonly hook?: () => Promise<PluginHook>
}

/** A plugin found on disk: where it lives and how it got there. */
export interface FoundPlugin {
  readonly name: string
  readonly version: string
  readonly origin: PluginOrigin
  readonly root: string
  readonly pjson: PluginPackageJson
}

export interface PluginPackageJson {
  readonly name?: string
  readonly version?: string
  readonly oclif?: {
    readonly hooks?: Record<string, unknown>
    readonly commands?: unknown
    readonly plugins?: unknown
  }
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new SigilError('PLUGIN_FAILED', `cannot read ${path}: ${(err as Error).message}`, {cause: err})
  }
}

/**
 * The directory of package `name` as Node resolves it from `from`: the first `node_modules/<name>`
 * with a package.json, `from` and up (packages need not export package.json); undefined when
 * there is none. The build scripts (build/*.mjs) use it too, from dist.
 */
export function packageRoot(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dirname(dir) === dir) return undefined
  }
}

/**
 * The user-installed and linked plugins oclif would load, from `<data dir>/package.json`. A
 * recorded plugin that is missing on disk is an error naming it (oclif warns and goes on; a
 * provider that silently vanished would make its keys look unsupported).
 */
export function findUserPlugins(env: NodeJS.ProcessEnv = process.env): FoundPlugin[] {
  const dataDir = sigilDir('data', env)
  const userPjson = readJson<{oclif?: {plugins?: Array<{name?: string; type?: string; root?: string}>}}>(join(dataDir, 'package.json'))
  const found: FoundPlugin[] = []
  for (const entry of userPjson?.oclif?.plugins ?? []) {
    if (!entry.name || (entry.type !== 'user' && entry.type !== 'link')) continue
    const root = entry.type === 'link' ? entry.root : packageRoot(entry.name, dataDir)
    const pjson = root === undefined ? undefined : readJson<PluginPackageJson>(join(root, 'package.json'))
    if (root === undefined || pjson === undefined) {
      throw new SigilError('PLUGIN_FAILED', `plugin ${entry.name} is recorded in ${join(dataDir, 'package.json')} but not found on disk; reinstall or uninstall it (sigil plugins uninstall ${entry.name})`)
    }
    found.push({name: pjson.name ?? entry.name, version: pjson.version ?? '0.0.0', origin: entry.type, root, pjson})
  }
  return found
}

/** The `sigil:plugin` hook files a plugin's package.json declares (oclif allows a string, an object or a list). */
export function hookFiles(pjson: PluginPackageJson): Array<{file: string; identifier: string}> {
  const declared = pjson.oclif?.hooks?.['sigil:plugin']
  const list = Array.isArray(declared) ? declared : declared === undefined ? [] : [declared]
  return list.flatMap((h: unknown) => {
    if (typeof h === 'string') return [{file: h, identifier: 'default'}]
    if (h && typeof h === 'object' && typeof (h as {target?: unknown}).target === 'string') {
      const {target, identifier} = h as {target: string; identifier?: string}
      return [{file: target, identifier: identifier ?? 'default'}]
    }
    return []
  })
}

/** `import()` of a module URL, from a real module (code run from a V8 code cache has no import callback). */
export type ImportModule = (url: string) => Promise<unknown>

/** Import a user plugin's hook module (ES module or CommonJS) and take its hook function. */
async function importHook(root: string, file: string, identifier: string, name: string, importModule: ImportModule): Promise<PluginHook> {
  const path = join(root, file)
  let mod: Record<string, unknown>
  try {
    mod = (await importModule(pathToFileURL(path).href)) as Record<string, unknown>
  } catch (err) {
    throw new SigilError('PLUGIN_FAILED', `plugin ${name} failed to load: ${(err as Error).message}`, {cause: err})
  }
  const fn = mod[identifier] ?? (identifier === 'default' ? (mod.default as Record<string, unknown> | undefined)?.default : undefined)
  if (typeof fn !== 'function') throw new SigilError('PLUGIN_FAILED', `plugin ${name}: ${file} exports no "${identifier}" function for the sigil:plugin hook`)
  return fn as PluginHook
}

/** Call a hook as oclif would, turning a throw into an error naming the plugin. */
async function callHook(hook: PluginHook, name: string, options: SigilPluginHookOptions, config: HookConfig): Promise<SigilPlugin | undefined> {
  try {
    return (await hook.call({config}, {...options, config})) ?? undefined
  } catch (err) {
    throw new SigilError('PLUGIN_FAILED', `plugin ${name} failed to load: ${(err as Error).message}`, {cause: err})
  }
}

/** Every plugin's answer to `sigil:plugin`: built-in ones first, in declaration order, then the user's. */
export async function loadPlugins(
  builtins: readonly BuiltinPlugin[],
  config: HookConfig,
  options: SigilPluginHookOptions,
  importModule: ImportModule,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedPlugin[]> {
  const loaded: LoadedPlugin[] = []
  const answers = await Promise.all(
    builtins.map(async (b) => (b.hook ? {b, plugin: await callHook(await b.hook(), b.name, options, config)} : undefined)),
  )
  for (const a of answers) {
    if (a?.plugin) loaded.push({name: a.plugin.name ?? a.b.name, version: a.b.version, origin: 'core', plugin: a.plugin})
  }
  for (const user of findUserPlugins(env)) {
    for (const {file, identifier} of hookFiles(user.pjson)) {
      const plugin = await callHook(await importHook(user.root, file, identifier, user.name, importModule), user.name, options, config)
      if (plugin) loaded.push({name: plugin.name ?? user.name, version: user.version, origin: user.origin, plugin})
    }
  }
  return loaded
}
