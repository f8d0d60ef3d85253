/**
 * oclif's view of sigil's commands: a Command class per definition, for oclif's manifest, help,
 * shell completion and `SIGIL_VIA_OCLIF=1` runs. The class parses nothing itself: it hands its argv
 * to the same runner sigil's own start-up path uses, with plugins from oclif's hook runner.
 */
import {Args, Command, Flags} from '@oclif/core'
import type {Interfaces} from '@oclif/core'
import {SigilError} from '@sigil/core'
import type {SigilPlugin, SigilPluginHookOptions} from '@sigil/core'
import type {CommandDefinition, FlagSpecs} from '../command.js'
import {GLOBAL_FLAGS} from '../command.js'
import {runDefinition} from '../runtime/main.js'
import {renderTemplate} from '../runtime/help.js'
import {composePlugins} from '../shared/plugins.js'
import type {ComposedPlugins, LoadedPlugin, PluginOrigin} from '../shared/plugins.js'

/** oclif flag definitions for `specs` (for help, the manifest and completion). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function toOclifFlags(specs: FlagSpecs): Interfaces.FlagInput<Record<string, any>> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const out: Record<string, Interfaces.Flag<any>> = {}
  for (const [name, s] of Object.entries(specs)) {
    const common = {
      description: s.description,
      ...(s.char ? {char: s.char as 'a'} : {}),
      ...(s.required ? {required: true} : {}),
      ...(s.helpGroup ? {helpGroup: s.helpGroup} : {}),
      ...(s.hidden ? {hidden: true} : {}),
      ...(s.aliases ? {aliases: [...s.aliases]} : {}),
    }
    if (s.kind === 'boolean') {
      out[name] = Flags.boolean({...common, allowNo: Boolean(s.allowNo)})
    } else if (s.kind === 'integer') {
      out[name] = Flags.integer({...common, ...(s.min === undefined ? {} : {min: s.min}), ...(s.default === undefined ? {} : {default: s.default as number})})
    } else if (s.multiple) {
      out[name] = Flags.string({...common, multiple: true})
    } else {
      out[name] = Flags.string({...common, ...(s.options ? {options: [...s.options]} : {}), ...(s.default === undefined ? {} : {default: s.default as string})})
    }
  }
  return out
}

/** Every plugin's answer to the `sigil:plugin` hook, as oclif runs it. */
async function loadPluginsThroughOclif(config: Interfaces.Config, purpose: SigilPluginHookOptions['purpose']): Promise<LoadedPlugin[]> {
  const res = await config.runHook('sigil:plugin', {purpose} satisfies SigilPluginHookOptions)
  for (const f of res.failures) {
    // A broken plugin is named, never silently skipped: its keys would look "unsupported".
    throw new SigilError('PLUGIN_FAILED', `plugin ${f.plugin.name} failed to load: ${f.error.message}`, {cause: f.error})
  }
  return res.successes
    .filter((s) => s.result)
    .map((s) => ({
      name: (s.result as SigilPlugin).name ?? s.plugin.name,
      version: s.plugin.version,
      origin: s.plugin.type as PluginOrigin,
      plugin: s.result as SigilPlugin,
    }))
}

/** The oclif Command class for definition `def` with id `id`. */
export function toOclifCommand(id: string, def: CommandDefinition): Command.Class {
  const args = Object.fromEntries((def.args ?? []).map((a) => [a.name, Args.string({description: a.description, required: Boolean(a.required)})]))
  return class extends Command {
    static override id = id
    static override summary = def.summary
    static override description = def.description
    static override examples = (def.examples ?? []).map(renderTemplate)
    static override hidden = Boolean(def.hidden)
    static override strict = false
    static override args = args
    static override flags = toOclifFlags({...def.flags, ...GLOBAL_FLAGS})

    public async run(): Promise<void> {
      // Parsed by runDefinition, with sigil's own parser (oclif would warn it was skipped).
      ;(this as unknown as {parsed: boolean}).parsed = true
      let plugins: Promise<ComposedPlugins> | undefined
      await runDefinition(id, def, this.argv, {
        version: this.config.version,
        plugins: () => (plugins ??= loadPluginsThroughOclif(this.config, 'key-provider').then((loaded) => composePlugins(loaded))),
      })
    }
  }
}
