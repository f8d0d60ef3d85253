/**
 * How a sigil command is written: one file in `src/commands/` default-exporting
 * `defineCommand({...})`. The file name is the command id (`sign-blob.ts` → `sigil sign-blob`,
 * `git/setup.ts` → `sigil git setup`). The definition is plain data plus a `run` function: sigil's
 * own start-up path parses, helps and runs it without oclif, and the build makes oclif's command
 * classes (manifest, completion, `sigil help`) from the same data.
 */
import type {ComposedPlugins} from './shared/plugins.js'

/** One flag, as data. */
export interface FlagSpec {
  readonly kind: 'string' | 'boolean' | 'integer'
  readonly description: string
  readonly char?: string
  readonly required?: boolean
  readonly multiple?: boolean
  /** Boolean flags: also accept `--no-<name>` and cosign's `--<name>=true|false`. */
  readonly allowNo?: boolean
  readonly options?: readonly string[]
  readonly default?: string | boolean | number | readonly string[]
  readonly min?: number
  readonly helpGroup?: string
  /** Other names accepted for this flag (cosign spellings). */
  readonly aliases?: readonly string[]
  /** Left out of help (accepted for compatibility only). */
  readonly hidden?: boolean
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>

/** The value type of one flag, from its spec. */
type FlagValue<S extends FlagSpec> = S['kind'] extends 'boolean'
  ? S extends {default: boolean}
    ? boolean
    : boolean | undefined
  : S['kind'] extends 'integer'
    ? S extends {required: true} | {default: number}
      ? number
      : number | undefined
    : S extends {multiple: true}
      ? string[]
      : S extends {required: true} | {default: string}
        ? string
        : string | undefined

/** Parsed flag values, typed from the specs. */
export type FlagValues<F extends FlagSpecs> = {-readonly [K in keyof F]: FlagValue<F[K]>}

/** Positional arguments: named ones first, then (optionally) the rest as a list. */
export interface ArgSpec {
  readonly name: string
  readonly description: string
  readonly required?: boolean
  /** The last argument may repeat (`IMAGE…`). */
  readonly variadic?: boolean
}

/** What a command's `run` gets. */
export interface CommandContext<F extends FlagSpecs> {
  readonly flags: FlagValues<F>
  /** Positional arguments in order (a variadic one spread at the end). */
  readonly args: string[]
  readonly io: CommandIO
}

/** What a command needs from its host: version, output mode, plugins. */
export interface CommandIO {
  /** sigil's version, for the User-Agent. */
  readonly version: string
  readonly json: boolean
  readonly verbose: boolean
  /** Key providers and registry adapters from the plugins answering `sigil:plugin`, conflict-checked. */
  plugins(): Promise<ComposedPlugins>
}

/** A command: help text, flags, arguments and what it does. */
export interface CommandDefinition<F extends FlagSpecs = FlagSpecs, R = unknown> {
  readonly summary: string
  readonly description?: string
  /** `$ sigil …` lines; `<%= config.bin %>` is the program name. */
  readonly examples?: readonly string[]
  readonly flags: F
  readonly args?: readonly ArgSpec[]
  /** Hidden from the command list (aliases, compatibility commands). */
  readonly hidden?: boolean
  /**
   * Runs the command. Its result is what `--json` prints; text output is written by `run` itself
   * (stdout for data, stderr for people). Errors are thrown, never printed.
   */
  run(ctx: CommandContext<F>): Promise<R>
}

/** Flags every command takes. */
export const GLOBAL_FLAGS = {
  json: {kind: 'boolean', description: 'Format output as json.', helpGroup: 'GLOBAL'},
  verbose: {kind: 'boolean', description: 'Print each registry request and other diagnostics to stderr.', helpGroup: 'GLOBAL'},
} as const satisfies FlagSpecs

/** Declare a command; typing only (the definition is returned as is). */
export function defineCommand<const F extends FlagSpecs, R>(definition: CommandDefinition<F, R>): CommandDefinition<F, R> {
  return definition
}
