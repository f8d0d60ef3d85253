import {Command, Flags} from '@oclif/core'
import type {Interfaces} from '@oclif/core'
import type {KeyContext} from '@sigil/core'
import {exitCodeFor} from './exit-codes.js'
import {askYesNo, readPassword} from './password.js'

/** cosign's boolean flags accept `--flag=true|false`; oclif wants `--flag` / `--no-flag`. */
function normaliseBooleanArgs(argv: string[], booleans: ReadonlySet<string>): string[] {
  return argv.map((arg) => {
    const m = /^--([a-z0-9-]+)=(true|false|1|0)$/i.exec(arg)
    if (!m || !booleans.has(m[1]!)) return arg
    const on = m[2] === 'true' || m[2] === '1'
    return on ? `--${m[1]}` : `--no-${m[1]}`
  })
}

/**
 * Every sigil command extends this: one `catch()` turns any error into a short message (or JSON
 * under `--json`) and an exit code from `exitCodeFor`; no stack traces reach the user.
 */
export abstract class BaseCommand<T> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    verbose: Flags.boolean({description: 'Print each registry request and other diagnostics to stderr.', helpGroup: 'GLOBAL'}),
  }

  protected verboseEnabled = false

  public override async init(): Promise<void> {
    const ctor = this.constructor as unknown as {flags?: Record<string, {type: string; allowNo?: boolean}>}
    const booleans = new Set(
      Object.entries({...ctor.flags}).filter(([, f]) => f.type === 'boolean' && f.allowNo).map(([name]) => name),
    )
    this.argv = normaliseBooleanArgs(this.argv, booleans)
    this.verboseEnabled = this.argv.includes('--verbose')
    await super.init()
  }

  /** Lines for people go to stderr so stdout stays machine-readable. */
  protected info(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${message}\n`)
  }

  protected trace(message: string): void {
    if (this.verboseEnabled) process.stderr.write(`${message}\n`)
  }

  protected keyContext(): KeyContext {
    const io = {env: process.env, stdin: process.stdin, stderr: process.stderr}
    return {
      getPassword: ({confirm}) => readPassword(confirm, io),
      confirm: (question) => askYesNo(question, io),
      log: (level, message) => (level === 'debug' ? this.trace(message) : this.info(message)),
    }
  }

  protected override async catch(err: Interfaces.CommandError): Promise<void> {
    const exitCode = exitCodeFor(err)
    process.exitCode = exitCode
    const code = (err as {code?: unknown}).code
    const message = err.message || String(err)
    if (this.jsonEnabled()) {
      const details = (err as {details?: unknown}).details
      this.logJson({status: exitCode, error: {name: err.name, code: typeof code === 'string' ? code : undefined, message, details}})
    } else {
      process.stderr.write(`Error: ${message}\n`)
      if (this.verboseEnabled && err.cause) process.stderr.write(`Caused by: ${String((err.cause as Error).message ?? err.cause)}\n`)
    }
  }

  public abstract override run(): Promise<T>
}
