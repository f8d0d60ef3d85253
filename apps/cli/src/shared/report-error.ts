import {exitCodeFor} from './exit-codes.js'
import {writeStdout, writeStderr} from './stdio.js'

/**
 * Print an error the one sigil way (a single `Error: …` line, or JSON under `--json`) and set
 * the exit code. Used by every command, on either start-up path.
 */
export function reportError(err: unknown, opts: {json: boolean; verbose: boolean}): number {
  const exitCode = exitCodeFor(err)
  process.exitCode = exitCode
  const e = err as {name?: string; code?: unknown; message?: string; details?: unknown; cause?: unknown}
  const message = e?.message || String(err)
  if (opts.json) {
    const code = typeof e?.code === 'string' ? e.code : undefined
    writeStdout(`${JSON.stringify({status: exitCode, error: {name: e?.name, code, message, details: e?.details}}, null, 2)}\n`)
  } else {
    writeStderr(`Error: ${message}\n`)
    const cause = e?.cause as {message?: string} | undefined
    if (opts.verbose && cause) writeStderr(`Caused by: ${cause.message ?? String(cause)}\n`)
  }
  return exitCode
}
