/**
 * The lean start-up path for the hot commands (`sign`, `verify`): the same actions and flag
 * definitions as the oclif commands, without loading oclif (~90 ms of start-up here). It only
 * takes invocations it fully understands and that need no plugin: anything else (help, odd
 * flags, `scheme://` keys, installed plugins) returns false and oclif runs the command.
 */
import {existsSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {parseReference, parseRepository} from '@sigil/core'
import {useExtraCaCertificates} from '@sigil/oci'
import type {CommandIO} from './shared/command-io.js'
import {parseLean} from './shared/flag-spec.js'
import {composePlugins} from './shared/plugins.js'
import type {FlagSpecs} from './shared/flag-spec.js'
import {reportError} from './shared/report-error.js'
import {outputPending, writeStdout} from './shared/stdio.js'

const BASE_FLAGS = {
  json: {kind: 'boolean', description: 'Format output as json.'},
  verbose: {kind: 'boolean', description: 'Verbose.'},
} as const satisfies FlagSpecs

/** What each built-in plugin contributes, recorded at build time (build/plugin-capabilities.mjs). */
interface Capabilities {
  plugins: Array<{
    name: string
    keyProviders: Array<{name: string; schemes: string[]; handlesPaths: boolean}>
    registryAdapters: Array<{name: string; hosts: string[]}>
  }>
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
  } catch {
    return undefined
  }
}

/** True when user-installed or linked plugins exist (oclif's data dir): then oclif runs. */
function userPluginsInstalled(pjson: Record<string, unknown>): boolean {
  const dirname = (pjson.oclif as {dirname?: string} | undefined)?.dirname ?? 'sigil'
  const dataDir =
    process.env[`${dirname.toUpperCase()}_DATA_DIR`] ?? join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), dirname)
  const userPjson = join(dataDir, 'package.json')
  if (!existsSync(userPjson)) return false
  const user = readJson(userPjson)
  const installed = (user?.oclif as {plugins?: unknown[]} | undefined)?.plugins ?? []
  return user === undefined || installed.length > 0
}

/**
 * True when, by the built-in plugins' recorded capabilities, `keyRef` is served by the file
 * provider of @sigil/key-file alone and no plugin adapts registries: exactly what the lean path
 * composes. A stale or missing record means no.
 */
function fileProviderOnly(pjson: Record<string, unknown>, caps: Capabilities | undefined, keyRef: string, registries: readonly string[]): boolean {
  if (!caps) return false
  const declared = ((pjson.oclif as {plugins?: string[]} | undefined)?.plugins ?? []).join('\n')
  if (caps.plugins.map((p) => p.name).join('\n') !== declared) return false
  if (caps.plugins.some((p) => p.registryAdapters.some((a) => a.hosts.length === 0 || registries.some((r) => a.hosts.some((h) => hostMatches(h, r)))))) {
    return false
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(keyRef)?.[1]?.toLowerCase()
  const owners = caps.plugins.flatMap((p) =>
    p.keyProviders.filter((k) => (scheme ? k.schemes.includes(scheme) : k.handlesPaths)).map(() => p.name),
  )
  return owners.length > 0 && owners.every((name) => name === '@sigil/key-file')
}

/**
 * True when `host` (`ghcr.io`, `1.dkr.ecr.x.amazonaws.com`, `localhost:5000`) matches an
 * adapter's declared pattern, where `*` stands for any run of characters. Generous on purpose:
 * a false match only sends the command through oclif, which consults the adapter itself.
 */
export function hostMatches(pattern: string, host: string): boolean {
  // A glob match without building a RegExp per pattern (this runs before every lean sign/verify).
  const h = host.toLowerCase()
  const parts = pattern.toLowerCase().split('*')
  const port = /:\d+$/.exec(h)
  for (const candidate of port ? [h, h.slice(0, port.index)] : [h]) {
    if (!candidate.startsWith(parts[0]!)) continue
    let at = parts[0]!.length
    let ok = true
    for (const part of parts.slice(1, -1)) {
      const found = candidate.indexOf(part, at)
      if (found < 0) {
        ok = false
        break
      }
      at = found + part.length
    }
    const last = parts.length > 1 ? parts.at(-1)! : ''
    if (ok && (parts.length === 1 ? at === candidate.length : candidate.length - last.length >= at && candidate.endsWith(last))) return true
  }
  return false
}

/** Registry hosts the images (and a COSIGN_REPOSITORY) name; unparsable ones are the action's to report. */
async function registriesOf(images: readonly string[]): Promise<string[]> {
  const hosts: string[] = []
  for (const image of images) {
    try {
      hosts.push(parseReference(image).registry)
    } catch {
      // reported by the action itself
    }
  }
  const sigRepo = process.env.SIGIL_REPOSITORY ?? process.env.COSIGN_REPOSITORY
  if (sigRepo) {
    try {
      hosts.push(parseRepository(sigRepo).registry)
    } catch {
      // idem
    }
  }
  return hosts
}

/** Options of {@link runLean}. */
export interface LeanOptions {
  /**
   * NODE_EXTRA_CA_CERTS as the launcher took it over (bin/run.js): this process did not load it,
   * so HTTPS requests load it themselves (@sigil/oci's useExtraCaCertificates).
   */
  readonly extraCaCertificates?: string
  /**
   * End the process as soon as the command is done (its exit code set, its output written),
   * instead of letting Node wind down the event loop first (~2 ms). For the launcher only.
   */
  readonly exitWhenDone?: boolean
}

/** A command the lean path can run: its flag definitions and its action (shared with oclif's command). */
interface LeanCommand {
  readonly flags: FlagSpecs
  readonly run: (flags: never, args: string[], io: CommandIO) => Promise<unknown>
}

/** Run `argv` (`sign …` or `verify …`) if the lean path can; false = let oclif do it. */
export async function runLean(argv: readonly string[], root: string, options: LeanOptions = {}): Promise<boolean> {
  const spec =
    argv[0] === 'sign'
      ? await import('./actions/sign.js').then((m): LeanCommand => ({flags: m.signFlags, run: m.signAction}))
      : argv[0] === 'verify'
        ? await import('./actions/verify.js').then((m): LeanCommand => ({flags: m.verifyFlags, run: m.verifyAction}))
        : undefined
  if (!spec) return false
  const parsed = parseLean(argv.slice(1), {...spec.flags, ...BASE_FLAGS})
  if (!parsed || parsed.args.length === 0) return false
  const key = parsed.flags.key as string
  if (key.startsWith('pkcs11:')) return false
  const pjson = readJson(join(root, 'package.json'))
  if (!pjson || userPluginsInstalled(pjson)) return false
  const caps = readJson(join(root, 'dist', 'plugin-capabilities.json')) as Capabilities | undefined
  if (!fileProviderOnly(pjson, caps, key, await registriesOf(parsed.args))) return false

  if (options.extraCaCertificates !== undefined) useExtraCaCertificates(options.extraCaCertificates)
  const version = String(pjson.version ?? '0.0.0')
  const io: CommandIO = {
    version,
    json: Boolean(parsed.flags.json),
    verbose: Boolean(parsed.flags.verbose),
    // The file provider, through its own `sigil:plugin` hook, composed as oclif would.
    plugins: async () => {
      const {default: hook} = await import('@sigil/key-file/plugin')
      return composePlugins([{name: '@sigil/key-file', version, origin: 'core', plugin: await hook()}])
    },
  }
  const run = spec.run as (flags: unknown, args: string[], io: CommandIO) => Promise<unknown>
  try {
    const result = await run(parsed.flags, parsed.args, io)
    if (io.json) writeStdout(`${JSON.stringify(result, null, 2)}\n`)
  } catch (err) {
    reportError(err, {json: io.json, verbose: io.verbose})
  }
  // Nothing is left to do: requests are answered, files written synchronously, idle sockets
  // unref'd. Only output still queued in a stream (a full non-blocking pipe) must drain first.
  if (options.exitWhenDone && !outputPending()) process.exit()
  return true
}
