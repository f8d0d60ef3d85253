import {Command, Flags} from '@oclif/core'
import type {Interfaces} from '@oclif/core'
import {SigilError} from '@sigil/core'
import type {SigilPlugin, SigilPluginHookOptions} from '@sigil/core'
import type {CommandIO} from './command-io.js'
import {composePlugins} from './plugins.js'
import type {ComposedPlugins, LoadedPlugin, PluginOrigin} from './plugins.js'
import {reportError} from './report-error.js'

/** cosign's boolean flags accept `--flag=true|false`; oclif wants `--flag` / `--no-flag`. */
function normaliseBooleanArgs(argv: string[], booleans: ReadonlySet<string>): string[] {
  return argv.map((arg) => {
    const m = /^--([a-z0-9-]+)=(true|false|1|0)$/i.exec(arg)
    if (!m || !booleans.has(m[1]!)) return arg
    return m[2] === 'true' || m[2] === '1' ? `--${m[1]}` : `--no-${m[1]}`
  })
}

/**
 * Every sigil command extends this: one `catch()` (shared with the lean path) turns any error
 * into a one-line message or JSON and an exit code; no stack traces reach the user.
 */
export abstract class BaseCommand<T> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    verbose: Flags.boolean({description: 'Print each registry request and other diagnostics to stderr.', helpGroup: 'GLOBAL'}),
  }

  public override async init(): Promise<void> {
    const ctor = this.constructor as unknown as {flags?: Record<string, {type: string; allowNo?: boolean}>}
    const booleans = new Set(
      Object.entries({...ctor.flags}).filter(([, f]) => f.type === 'boolean' && f.allowNo).map(([name]) => name),
    )
    this.argv = normaliseBooleanArgs(this.argv, booleans)
    await super.init()
  }

  #plugins?: Promise<ComposedPlugins>

  /** Every plugin's answer to the `sigil:plugin` hook, with its origin. */
  protected async loadPlugins(purpose: SigilPluginHookOptions['purpose']): Promise<LoadedPlugin[]> {
    const res = await this.config.runHook('sigil:plugin', {purpose} satisfies SigilPluginHookOptions)
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

  /** The host interface actions use: version, output mode, plugins through the `sigil:plugin` hook. */
  protected io(): CommandIO {
    return {
      version: this.config.version,
      json: this.jsonEnabled(),
      verbose: this.argv.includes('--verbose'),
      plugins: () => (this.#plugins ??= this.loadPlugins('key-provider').then((loaded) => composePlugins(loaded))),
    }
  }

  protected override async catch(err: Interfaces.CommandError): Promise<void> {
    reportError(err, {json: this.jsonEnabled(), verbose: this.argv.includes('--verbose')})
  }

  public abstract override run(): Promise<T>
}
