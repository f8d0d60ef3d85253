/**
 * The lean start-up path for the hot commands (`sign`, `verify`): the same actions and flag
 * definitions as the oclif commands, without loading oclif (~90 ms of start-up here). It only
 * takes invocations it fully understands and that need no plugin: anything else (help, odd
 * flags, `scheme://` keys, installed plugins) returns false and oclif runs the command.
 */
import {existsSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'
import type {CommandIO} from './shared/command-io.js'
import {isPluginKeyRef} from './shared/command-io.js'
import {parseLean} from './shared/flag-spec.js'
import type {FlagSpecs} from './shared/flag-spec.js'
import {reportError} from './shared/report-error.js'

const BASE_FLAGS = {
  json: {kind: 'boolean', description: 'Format output as json.'},
  verbose: {kind: 'boolean', description: 'Verbose.'},
} as const satisfies FlagSpecs

/** Plugins oclif itself ships with sigil; none of them answers `sigil:plugin`. */
const PLAIN_CORE_PLUGINS = new Set(['@oclif/plugin-help', '@oclif/plugin-plugins'])

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
  } catch {
    return undefined
  }
}

/** True when a plugin could contribute key providers or registry adapters: then oclif runs. */
function pluginsMayMatter(pjson: Record<string, unknown>): boolean {
  const oclif = (pjson.oclif ?? {}) as {plugins?: string[]; hooks?: Record<string, unknown>; dirname?: string}
  if ((oclif.plugins ?? []).some((p) => !PLAIN_CORE_PLUGINS.has(p))) return true
  if (oclif.hooks && 'sigil:plugin' in oclif.hooks) return true
  // User-installed or linked plugins live in oclif's data dir (`sigil plugins install`).
  const dirname = oclif.dirname ?? 'sigil'
  const dataDir =
    process.env[`${dirname.toUpperCase()}_DATA_DIR`] ?? join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), dirname)
  const userPjson = join(dataDir, 'package.json')
  if (!existsSync(userPjson)) return false
  const user = readJson(userPjson)
  const installed = (user?.oclif as {plugins?: unknown[]} | undefined)?.plugins ?? []
  return user === undefined || installed.length > 0
}

/** Run `argv` (`sign …` or `verify …`) if the lean path can; false = let oclif do it. */
export async function runLean(argv: readonly string[], root: string): Promise<boolean> {
  const [command, ...rest] = argv
  const spec =
    command === 'sign'
      ? await import('./actions/sign.js').then((m) => ({flags: m.signFlags as FlagSpecs, run: m.signAction as never}))
      : command === 'verify'
        ? await import('./actions/verify.js').then((m) => ({flags: m.verifyFlags as FlagSpecs, run: m.verifyAction as never}))
        : undefined
  if (!spec) return false
  const parsed = parseLean(rest, {...spec.flags, ...BASE_FLAGS})
  if (!parsed || parsed.args.length === 0) return false
  const key = parsed.flags.key as string
  if (isPluginKeyRef(key) || key.startsWith('pkcs11:')) return false
  const pjson = readJson(join(root, 'package.json'))
  if (!pjson || pluginsMayMatter(pjson)) return false

  const io: CommandIO = {
    version: String(pjson.version ?? '0.0.0'),
    json: Boolean(parsed.flags.json),
    verbose: Boolean(parsed.flags.verbose),
    plugins: async () => [],
  }
  const run = spec.run as (flags: unknown, args: string[], io: CommandIO) => Promise<unknown>
  try {
    const result = await run(parsed.flags, parsed.args, io)
    if (io.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  } catch (err) {
    reportError(err, {json: io.json, verbose: io.verbose})
  }
  return true
}
