/**
 * The built-in plugins (the CLI's `oclif.plugins` that answer `sigil:plugin`). This module reads
 * them from the installed packages; the start-up bundle replaces it with one that has their hooks
 * compiled in (build/bundle.mjs), so nothing is resolved or imported at run time.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import type {BuiltinPlugin, PluginHook, PluginPackageJson} from './plugin-loader.js'
import {hookFiles, packageRoot} from './plugin-loader.js'

/** The built-in plugins declared in `<root>/package.json`, in order. */
export function builtinPlugins(root: string): BuiltinPlugin[] {
  const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {oclif?: {plugins?: string[]}}
  return (pjson.oclif?.plugins ?? []).map((name) => {
    const dir = packageRoot(name, root)
    if (dir === undefined) throw new Error(`cannot find the built-in plugin ${name} from ${root}`)
    const plugin = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PluginPackageJson
    const [hook] = hookFiles(plugin)
    return {
      name,
      version: plugin.version ?? '0.0.0',
      ...(hook
        ? {hook: async () => ((await import(pathToFileURL(join(dir, hook.file)).href)) as Record<string, PluginHook>)[hook.identifier]!}
        : {}),
    }
  })
}
