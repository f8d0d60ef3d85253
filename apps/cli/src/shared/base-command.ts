import {Command, Flags} from '@oclif/core'
import type {Interfaces} from '@oclif/core'
import type {SigilPlugin} from '@sigil/core'
import type {CommandIO} from './command-io.js'
import {reportError} from './report-error.js'

/** Payload of the `sigil:plugin` hook that plugins answer with a `SigilPlugin`. */
export interface SigilPluginHookOptions {
  readonly purpose: 'key-provider' | 'registry-adapter'
}

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

  /** The host interface actions use: version, output mode, plugins through the `sigil:plugin` hook. */
  protected io(): CommandIO {
    const config = this.config
    return {
      version: config.version,
      json: this.jsonEnabled(),
      verbose: this.argv.includes('--verbose'),
      async plugins(purpose): Promise<SigilPlugin[]> {
        // Only ask when an installed plugin declares the hook: keeps start-up lean.
        const hasHook = [...config.plugins.values()].some((p) => p.hooks && 'sigil:plugin' in p.hooks)
        if (!hasHook) return []
        const res = await config.runHook('sigil:plugin', {purpose} satisfies SigilPluginHookOptions)
        return res.successes.map((s) => s.result as SigilPlugin).filter(Boolean)
      },
    }
  }

  protected override async catch(err: Interfaces.CommandError): Promise<void> {
    reportError(err, {json: this.jsonEnabled(), verbose: this.argv.includes('--verbose')})
  }

  public abstract override run(): Promise<T>
}
