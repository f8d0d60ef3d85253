/**
 * Files re-read when they change: policy files and directories (a mounted ConfigMap swaps a
 * symlink), the TLS certificate and key. A change is taken only once two reads a moment apart
 * agree, so a file caught half-written is read again later rather than loaded.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

/** One file's text. */
export interface FileText {
  readonly file: string
  readonly text: string
}

const POLICY_FILE = /\.(ya?ml|json)$/

/** The files a path names: itself, or a directory's visible YAML/JSON files (sorted). */
export function filesOf(path: string): string[] {
  const st = statSync(path)
  if (!st.isDirectory()) return [path]
  return readdirSync(path)
    .filter((n) => !n.startsWith('.') && POLICY_FILE.test(n))
    .map((n) => join(path, n))
    .filter((f) => statSync(f).isFile())
    .sort()
}

/** Every file of `paths` with its text. Throws when a path cannot be read. */
export function readAll(paths: readonly string[]): FileText[] {
  return paths.flatMap(filesOf).map((file) => ({file, text: readFileSync(file, 'utf8')}))
}

function same(a: readonly FileText[], b: readonly FileText[]): boolean {
  return a.length === b.length && a.every((x, i) => x.file === b[i]!.file && x.text === b[i]!.text)
}

/**
 * Poll `paths` every `intervalMs`; call `onChange` with their texts when they changed and two
 * reads `settleMs` apart agree. Read errors wait for the next poll. Returns a stop function.
 */
export function watchFiles(
  paths: readonly string[],
  initial: readonly FileText[],
  onChange: (files: FileText[]) => void,
  options: {intervalMs: number; settleMs: number; onError?: (err: unknown) => void},
): {stop(): void; check(): Promise<void>} {
  let current = initial
  let busy = false
  const check = async (): Promise<void> => {
    if (busy) return
    busy = true
    try {
      const first = readAll(paths)
      if (same(first, current)) return
      await new Promise((r) => setTimeout(r, options.settleMs))
      const second = readAll(paths)
      if (!same(first, second)) return // still being written
      current = second
      onChange(second)
    } catch (err) {
      options.onError?.(err)
    } finally {
      busy = false
    }
  }
  const timer = setInterval(() => void check(), options.intervalMs)
  timer.unref()
  return {stop: () => clearInterval(timer), check}
}
