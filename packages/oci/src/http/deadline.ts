/**
 * Deadlines: the time by which a response, a request with its retries, or a whole command must
 * be done, on a monotonic clock (a wall-clock jump must not end or extend a wait).
 */

/** A point in time to be done by, and the budget it came from (messages name the budget). */
export interface Deadline {
  /** Monotonic milliseconds ({@link monotonicMs}). */
  readonly at: number
  /** The budget that set it, in milliseconds. */
  readonly budgetMs: number
}

/** Milliseconds on a monotonic clock (process.hrtime: the `performance` global loads perf_hooks). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n)
}

/** The deadline `budgetMs` from now. */
export function deadlineIn(budgetMs: number, now = monotonicMs()): Deadline {
  return {at: now + Math.max(0, budgetMs), budgetMs: Math.max(0, budgetMs)}
}

/** The earliest of the given deadlines (undefined ones ignored). */
export function earliest(...deadlines: (Deadline | undefined)[]): Deadline | undefined {
  let first: Deadline | undefined
  for (const d of deadlines) if (d !== undefined && (first === undefined || d.at < first.at)) first = d
  return first
}

/** Milliseconds left before `deadline` (0 when passed). */
export function remainingMs(deadline: Deadline, now = monotonicMs()): number {
  return Math.max(0, deadline.at - now)
}

/** A duration as Go prints a `time.Duration` (`3m0s`, `1.5s`, `200ms`), as cosign's `--timeout` is written. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms))
  if (total === 0) return '0s'
  if (total < 1000) return `${total}ms`
  const h = Math.floor(total / 3_600_000)
  const m = Math.floor((total % 3_600_000) / 60_000)
  const s = `${Math.floor((total % 60_000) / 1000)}${total % 1000 === 0 ? '' : `.${String(total % 1000).padStart(3, '0').replace(/0+$/, '')}`}s`
  if (h > 0) return `${h}h${m}m${s}`
  if (m > 0) return `${m}m${s}`
  return s
}
