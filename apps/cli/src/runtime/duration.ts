/** Go's duration syntax, as cosign's `--timeout 3m` takes it: `300ms`, `30s`, `1m30s`, `2h`. */
import {SigilError} from '@sigil/core'

const UNITS: Readonly<Record<string, number>> = {ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000}

/** Milliseconds in `text`; a bare number is seconds. */
export function parseDuration(text: string, flag = '--timeout'): number {
  const trimmed = text.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)]
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new SigilError('INVALID_ARGUMENT', `invalid duration for ${flag}: "${text}" (examples: 30s, 3m, 1m30s)`)
  }
  return parts.reduce((ms, [, n, unit]) => ms + Number(n) * UNITS[unit!]!, 0)
}

/** `180000` → `3m0s`, as Go prints a duration. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`
  const h = Math.floor(ms / 3_600_000)
  const m = Math.floor((ms % 3_600_000) / 60_000)
  const s = (ms % 60_000) / 1000
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`
}
