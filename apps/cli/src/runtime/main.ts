/**
 * `sigil`'s entry point (bin/run.js runs it from the start-up bundle): `--version`, help, and
 * every command defined in src/commands run here without oclif. Commands that other oclif plugins
 * contribute (`plugins …`, `autocomplete`, a user plugin's own) go to oclif.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {SigilError} from '@sigil/core'
import type {CommandDefinition, CommandIO} from '../command.js'
import {GLOBAL_FLAGS} from '../command.js'
import {COMMANDS} from '../command-table.generated.js'
import {composePlugins} from '../shared/plugins.js'
import type {ComposedPlugins} from '../shared/plugins.js'
import {reportError} from '../shared/report-error.js'
import {outputPending, writeStdout} from '../shared/stdio.js'
import {builtinPlugins} from './builtins.js'
import {closestCommand, displayId, renderCommandHelp, renderRootHelp, renderTopicHelp} from './help.js'
import type {ListedCommand} from './help.js'
import {parseArgv} from './parse-argv.js'
import {formatDuration, parseDuration} from './duration.js'
import {shared} from '../messages/shared.js'
import {sigilDir} from '../shared/dirs.js'
import {findUserPlugins, loadPlugins} from './plugin-loader.js'
import type {HookConfig, ImportModule} from './plugin-loader.js'

/** What the entry point knows about the installed CLI. */
export interface CliHost {
  /** The package root (where package.json is). */
  readonly root: string
  /** Hand the invocation to oclif (the other plugins' commands). */
  readonly runOclif: () => Promise<void>
  /** End the process as soon as a command is done (the executable only; not in tests). */
  readonly exitWhenDone?: boolean
  /** `import()` from a real module: code run from a code cache has none of its own. */
  readonly importModule?: ImportModule
}

interface PackageJson {
  name: string
  version: string
  description?: string
}

function readPackage(root: string): PackageJson {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson
}

/** `@sigil/cli/0.1.0 linux-x64 node-v20.20.2`, as oclif prints `--version`. */
function versionLine(pjson: PackageJson): string {
  return `${pjson.name}/${pjson.version} ${process.platform}-${process.arch} node-${process.version}`
}

/** The command id `argv` starts with (longest match of `a b` as `a:b`), and the rest of argv. */
function matchCommand(argv: readonly string[]): {id: string; rest: string[]} | undefined {
  for (let n = Math.min(argv.length, 3); n >= 1; n--) {
    const words = argv.slice(0, n)
    if (words.some((w) => w.startsWith('-'))) continue
    const id = words.join(':')
    if (id in COMMANDS) return {id, rest: argv.slice(n)}
  }
  const joined = argv[0]?.includes(':') ? argv[0] : undefined
  if (joined && joined in COMMANDS) return {id: joined, rest: argv.slice(1)}
  return undefined
}

/** Commands of the other oclif plugins: recorded at build time, plus the user's plugins' manifests. */
function otherCommands(root: string): {commands: ListedCommand[]; unknownUserCommands: boolean} {
  let commands: ListedCommand[] = []
  try {
    commands = JSON.parse(readFileSync(join(root, 'dist', 'oclif-commands.json'), 'utf8')) as ListedCommand[]
  } catch {
    // not built with oclif's manifest: only sigil's own commands are known
  }
  let unknownUserCommands = false
  for (const plugin of findUserPlugins()) {
    if (!plugin.pjson.oclif?.commands) continue
    try {
      const manifest = JSON.parse(readFileSync(join(plugin.root, 'oclif.manifest.json'), 'utf8')) as {commands?: Record<string, ListedCommand>}
      commands = [...commands, ...Object.values(manifest.commands ?? {})]
    } catch {
      unknownUserCommands = true
    }
  }
  return {commands, unknownUserCommands}
}

async function definitionOf(id: string): Promise<CommandDefinition> {
  return (await COMMANDS[id]!()).default as CommandDefinition
}

/** How help lists sigil's own command `id`. */
async function listed(id: string): Promise<ListedCommand> {
  const def = await definitionOf(id)
  return {id, summary: def.summary, hidden: def.hidden}
}

/** Plugins composed once per run, as the `sigil:plugin` hook answers on this path. */
function pluginSource(root: string, pjson: PackageJson, importModule: ImportModule): () => Promise<ComposedPlugins> {
  let composed: Promise<ComposedPlugins> | undefined
  const config: HookConfig = {
    name: pjson.name,
    version: pjson.version,
    bin: 'sigil',
    root,
    dataDir: sigilDir('data'),
    cacheDir: sigilDir('cache'),
    configDir: sigilDir('config'),
  }
  return () => (composed ??= loadPlugins(builtinPlugins(root), config, {purpose: 'key-provider'}, importModule).then((loaded) => composePlugins(loaded)))
}

/**
 * Parse and run one command definition; prints its result (`--json`) or its error, and sets the
 * exit code. Shared by this entry point and oclif's command classes, so both behave alike.
 */
export async function runDefinition(id: string, def: CommandDefinition, argv: readonly string[], host: {version: string; plugins: () => Promise<ComposedPlugins>}): Promise<void> {
  const dashDash = argv.indexOf('--')
  const flagWords = dashDash === -1 ? argv : argv.slice(0, dashDash)
  const out = {json: flagWords.includes('--json'), verbose: flagWords.includes('--verbose')}
  try {
    const parsed = parseArgv(argv, {...def.flags, ...GLOBAL_FLAGS}, def.args)
    if (parsed.help) {
      writeStdout(renderCommandHelp(id, def))
      return
    }
    const io: CommandIO = {version: host.version, json: Boolean(parsed.flags.json), verbose: Boolean(parsed.flags.verbose), plugins: host.plugins}
    const running = def.run({flags: parsed.flags as never, args: parsed.args, io})
    const result = typeof parsed.flags.timeout === 'string' ? await withinTimeout(running, id, parseDuration(parsed.flags.timeout)) : await running
    if (io.json) writeStdout(`${JSON.stringify(result, null, 2)}\n`)
  } catch (err) {
    reportError(err, out)
  }
}

/**
 * `running`, or a TIMEOUT error once `ms` have passed. Whatever the command still waits for is
 * abandoned: the process ends after the error is reported.
 */
async function withinTimeout<T>(running: Promise<T>, id: string, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SigilError('TIMEOUT', shared.timedOut(displayId(id), formatDuration(ms)))), ms)
  })
  try {
    return await Promise.race([running, expired])
  } catch (err) {
    // What the command still waits for must not keep the process alive once this is reported.
    if ((err as {code?: unknown}).code === 'TIMEOUT') setTimeout(() => process.exit(), 100).unref()
    throw err
  } finally {
    clearTimeout(timer)
  }
}

/** Run `sigil ARGV`. */
export async function main(argv: readonly string[], host: CliHost): Promise<void> {
  const pjson = readPackage(host.root)
  const done = () => {
    // Requests are answered and files written: only output queued in a stream must drain.
    if (host.exitWhenDone && !outputPending()) process.exit()
  }
  const first = argv[0]
  if (argv.length === 1 && (first === '--version' || first === 'version')) {
    writeStdout(`${versionLine(pjson)}\n`)
    return done()
  }
  const wantsRootHelp = argv.length === 0 || ((first === '--help' || first === '-h' || first === 'help') && argv.length === 1)
  if (wantsRootHelp) {
    const own = await Promise.all(Object.keys(COMMANDS).map(listed))
    writeStdout(renderRootHelp({summary: pjson.description ?? '', versionLine: versionLine(pjson), commands: [...own, ...otherCommands(host.root).commands]}))
    return done()
  }
  // `sigil help verify` is `sigil verify --help`.
  const helpOf = first === 'help' ? matchCommand(argv.slice(1)) : undefined
  const match = helpOf ? {id: helpOf.id, rest: ['--help']} : matchCommand(argv)
  if (match) {
    const plugins = pluginSource(host.root, pjson, host.importModule ?? ((url) => import(url)))
    await runDefinition(match.id, await definitionOf(match.id), match.rest, {version: pjson.version, plugins})
    return done()
  }
  const others = otherCommands(host.root)
  const word = first === 'help' ? argv[1] : first
  // A topic of sigil's own (`sigil attach`, `sigil download --help`, `sigil help admission`): its commands.
  const topicCommands = Object.keys(COMMANDS).filter((id) => id.startsWith(`${word}:`))
  if (topicCommands.length > 0 && argv.slice(first === 'help' ? 2 : 1).every((a) => a === '--help' || a === '-h')) {
    writeStdout(renderTopicHelp(word!, await Promise.all(topicCommands.map(listed))))
    return done()
  }
  const known = (w: string | undefined) => w !== undefined && others.commands.some((c) => c.id.split(':')[0] === w || c.id === w)
  if (word?.startsWith('-')) {
    reportError(new SigilError('INVALID_ARGUMENT', `Nonexistent flag: ${word} (see sigil --help)`), {json: argv.includes('--json'), verbose: false})
    return done()
  }
  // A topic of sigil's own commands (`sigil git`): oclif lists its commands.
  const ownTopic = word !== undefined && topicCommands.length > 0
  if (known(word) || ownTopic || others.unknownUserCommands) return host.runOclif()
  const suggestion = closestCommand(word ?? '', [...Object.keys(COMMANDS), ...others.commands.filter((c) => !c.hidden).map((c) => c.id)])
  reportError(
    new SigilError('INVALID_ARGUMENT', `${word} is not a sigil command${suggestion ? `; did you mean "${suggestion}"?` : ''} (see sigil --help)`),
    {json: argv.includes('--json'), verbose: false},
  )
  return done()
}

/** Run `sigil-ssh-keygen ARGV` (bin/sigil-ssh-keygen.js): the same bundle, plugins and key providers as `sigil`. */
export async function sshKeygen(argv: readonly string[], host: CliHost): Promise<void> {
  const pjson = readPackage(host.root)
  const plugins = pluginSource(host.root, pjson, host.importModule ?? ((url) => import(url)))
  // Loaded here, not at the top: `sigil`'s entry bundle does without the ssh-keygen modules.
  const {runSshKeygen} = await import('../ssh-keygen/main.js')
  await runSshKeygen(argv, {version: pjson.version, json: false, verbose: false, plugins})
  if (host.exitWhenDone && !outputPending()) process.exit()
}
