/** The time sigil-ssh-keygen gives the key backend: bounded, paused while a person types a password. */
import {SigilError} from '@sigil/core'
import {formatDuration, parseDuration} from '../runtime/duration.js'
import {sshKeygen as text} from '../messages/ssh-keygen.js'

/** How long the key backend may take, prompting for a password excluded (SIGIL_SSH_KEYGEN_TIMEOUT overrides). */
export const SIGN_TIME_LIMIT_MS = 60_000

/** The limit for this run: SIGIL_SSH_KEYGEN_TIMEOUT (a Go duration) or the default. */
export function timeLimit(): number {
  const value = process.env.SIGIL_SSH_KEYGEN_TIMEOUT
  return value ? parseDuration(value, 'SIGIL_SSH_KEYGEN_TIMEOUT') : SIGN_TIME_LIMIT_MS
}

/** Time spent waiting on the key backend, paused while a person types a password. */
export class Deadline {
  private timer: NodeJS.Timeout | undefined
  private left: number
  private started = 0
  readonly expired: Promise<never>
  private fire!: () => void
  constructor(ms: number) {
    this.left = ms
    this.expired = new Promise<never>((_, reject) => {
      this.fire = () => reject(new SigilError('TIMEOUT', text.timedOut(formatDuration(ms))))
    })
    this.expired.catch(() => undefined)
    this.resume()
  }
  resume(): void {
    this.started = Date.now()
    this.timer = setTimeout(this.fire, this.left)
  }
  pause(): void {
    clearTimeout(this.timer)
    this.left -= Date.now() - this.started
  }
  stop(): void {
    clearTimeout(this.timer)
  }
}

