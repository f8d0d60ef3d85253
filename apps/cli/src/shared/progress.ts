/**
 * A progress bar on standard error for long reads (sign-blob and verify-blob of large files):
 * drawn only on a terminal, never under --json, only past a size threshold, at most ~8 times a
 * second. `done()` erases it, so the line that follows starts clean.
 */
import type {CommandIO} from '../command.js'
import {writeStderr} from './stdio.js'

/** Below this many bytes (100 MB) no bar is drawn: the read is over too soon to need one. */
export const PROGRESS_MIN_BYTES = 100 * 1000 * 1000

/** A progress reporter: call `update` as bytes go by, `done` once at the end (also on failure). */
export interface Progress {
  update(doneBytes: number, totalBytes?: number): void
  done(): void
}

const NONE: Progress = {update() {}, done() {}}

/** Options of `progressBar`. */
export interface ProgressOptions {
  readonly minBytes?: number
  /** For tests: draw even when standard error is not a terminal. */
  readonly force?: boolean
  readonly width?: number
}

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(0)} MiB`
}

/**
 * A bar labelled `label` (`Signing release.tar.gz`) when standard error is a terminal and
 * the output is not JSON; a no-op otherwise. Unknown totals (standard input) show bytes read.
 */
export function progressBar(io: CommandIO, label: string, options: ProgressOptions = {}): Progress {
  if (io.json || !(options.force || process.getBuiltinModule('node:tty').isatty(2))) return NONE
  const min = options.minBytes ?? PROGRESS_MIN_BYTES
  const width = options.width ?? 30
  let last = 0
  let shown = false
  return {
    update(doneBytes, totalBytes) {
      if ((totalBytes ?? doneBytes) < min) return
      const now = Date.now()
      if (now - last < 120 && doneBytes !== totalBytes) return
      last = now
      shown = true
      if (totalBytes === undefined || totalBytes === 0) {
        writeStderr(`\r${label}: ${mib(doneBytes)}\x1b[K`)
        return
      }
      const ratio = Math.min(1, doneBytes / totalBytes)
      const filled = Math.round(ratio * width)
      writeStderr(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${mib(doneBytes)}/${mib(totalBytes)}\x1b[K`)
    },
    done() {
      if (shown) writeStderr('\r\x1b[K')
      shown = false
    },
  }
}
