/**
 * Run an ES module script in a fresh `node` (the built package, module-level state of its own).
 * Not a test file itself.
 */
import {spawn} from 'node:child_process'

export interface ScriptRun {
  /** Exit code; null when killed (still running after `timeoutMs`). */
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  /** Date.now() when the process exited. */
  readonly exitedAt: number
}

/** `env` is the child's whole environment (default: this process's). */
export function runScript(script: string, {env = process.env, timeoutMs = 10_000}: {env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['ignore', 'pipe', 'pipe'], env})
    const killer = setTimeout(() => child.kill(), timeoutMs)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('error', reject)
    child.on('exit', (code) => {
      const exitedAt = Date.now()
      clearTimeout(killer)
      resolve({code, stdout, stderr, exitedAt})
    })
  })
}
