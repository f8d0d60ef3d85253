import {spawn} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

/** The built `sigil` binary, run as a user would. */
export const BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url))

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** A cache dir of the test run's own, so tests never touch the user's ~/.cache/sigil. */
const CACHE = mkdtempSync(join(tmpdir(), 'sigil-test-cache-'))

/** Run `sigil ARGS` in `cwd` with `env` added; stdin is `input` (or closed). */
export function sigil(
  args: string[],
  opts: {cwd?: string; env?: Record<string, string | undefined>; input?: string; inputDelayMs?: number; onSpawn?: (pid: number) => void} = {},
): Promise<CliResult> {
  // The file itself, as a shell runs `sigil`.
  return runProgram(BIN, args, {...opts, env: {OCLIF_DISABLE_LINKED_ESM_WARNING: '1', SIGIL_CACHE_DIR: CACHE, ...opts.env}})
}

/** Run `program ARGS` with the test's environment plus `env` (undefined removes a variable). */
export function runProgram(
  program: string,
  args: string[],
  opts: {cwd?: string; env?: Record<string, string | undefined>; input?: string; inputDelayMs?: number; onSpawn?: (pid: number) => void} = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {...process.env, ...opts.env}
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k]
    const child = spawn(program, args, {cwd: opts.cwd, env, stdio: ['pipe', 'pipe', 'pipe']})
    if (child.pid !== undefined) opts.onSpawn?.(child.pid)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    // A program that exits without reading its input (git, ssh-keygen -l) closes the pipe first.
    child.stdin.on('error', () => undefined)
    child.on('close', (code) => resolve({code: code ?? -1, stdout, stderr}))
    // `inputDelayMs`: a writer that is slower than the command (a password from another program).
    if (opts.inputDelayMs === undefined) child.stdin.end(opts.input ?? '')
    else setTimeout(() => child.stdin.end(opts.input ?? ''), opts.inputDelayMs)
  })
}

/**
 * Run `sigil ARGS` on a pseudo-terminal (test/fixtures/pty-run.py, python3's pty module),
 * answering its prompts: `steps` expect text on the terminal, then send keys (`\r` = Enter).
 * `output` is everything the terminal showed, echo included. Asynchronous on purpose: servers
 * the command talks to may run in the test's own process.
 */
export async function sigilOnTerminal(
  args: string[],
  opts: {cwd: string; env?: Record<string, string | undefined>; program?: string},
  steps: Array<['expect' | 'send', string]>,
): Promise<{code: number; output: string}> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries({...process.env, OCLIF_DISABLE_LINKED_ESM_WARNING: '1', SIGIL_CACHE_DIR: CACHE, ...opts.env})) if (v !== undefined) env[k] = v
  // `program`: another executable of the CLI package (bin/sigil-ssh-keygen.js).
  const spec = {argv: [opts.program ?? BIN, ...args], cwd: opts.cwd, env, steps}
  const child = spawn('python3', [fileURLToPath(new URL('./fixtures/pty-run.py', import.meta.url)), JSON.stringify(spec)], {stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  if (code !== 0) throw new Error(`pty-run.py failed (${code}): ${stderr}${stdout}`)
  const result = JSON.parse(stdout) as {code: number; output: string; timeout?: string}
  if (result.timeout !== undefined) throw new Error(`no "${result.timeout}" on the terminal; it showed:\n${result.output}`)
  return result
}
