/**
 * Run a script in a fresh `node` process in which some modules cannot be loaded: a module
 * resolve hook refuses every specifier matching `block`. Plugins use it to prove that loading
 * their `sigil:plugin` hook pulls in no SDK (and, as a control, that real use does).
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

let registerModule: string | undefined

// The hook gets the pattern as data (register's `data`), never spliced into code.
function registerUrl(): string {
  if (registerModule === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'sigil-module-guard-'))
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `let pattern, reason
export async function initialize(data) { pattern = new RegExp(data.source, data.flags); reason = data.reason }
export async function resolve(specifier, context, next) {
  if (pattern.test(specifier)) throw new Error(reason + ': ' + specifier)
  return next(specifier, context)
}
`,
    )
    writeFileSync(
      join(dir, 'register.mjs'),
      `import {register} from 'node:module'
register('./hooks.mjs', import.meta.url, {data: JSON.parse(process.env.SIGIL_MODULE_GUARD)})
`,
    )
    registerModule = pathToFileURL(join(dir, 'register.mjs')).href
  }
  return registerModule
}

/** Options of {@link runWithBlockedModules}. */
export interface BlockedModulesOptions {
  /** Specifiers to refuse, e.g. `/(^|[\\/])@(aws-sdk|smithy)[\\/]/`. */
  readonly block: RegExp
  /** The error message prefix a refused load throws. Default `module load blocked`. */
  readonly reason?: string
  /** Extra argv for the script (`process.argv.slice(1)` in it). */
  readonly args?: readonly string[]
  readonly cwd?: string
  readonly env?: NodeJS.ProcessEnv
  /** Default 20 000 ms. */
  readonly timeoutMs?: number
}

/** What the child did. `json()` parses the last line of its stdout. */
export interface BlockedModulesRun {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
  json<T = Record<string, unknown>>(): T
}

/** Run the ES module `script` (top-level await allowed) with `options.block` unloadable. */
export function runWithBlockedModules(script: string, options: BlockedModulesOptions): BlockedModulesRun {
  const guard = JSON.stringify({source: options.block.source, flags: options.block.flags, reason: options.reason ?? 'module load blocked'})
  const r = spawnSync(process.execPath, ['--import', registerUrl(), '--input-type=module', '-e', script, ...(options.args ?? [])], {
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 20_000,
    env: {...process.env, ...options.env, SIGIL_MODULE_GUARD: guard},
  })
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    json: <T>() => JSON.parse(r.stdout.trim().split('\n').at(-1) ?? 'null') as T,
  }
}
