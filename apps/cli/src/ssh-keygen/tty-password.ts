/** Key passwords for sigil-ssh-keygen, which git runs with stderr captured. */
import {SigilError} from '@sigil/core'
import type {KeyContext} from '@sigil/core'
import {promptHidden} from '../shared/password.js'
import {sshKeygen as text} from '../messages/ssh-keygen.js'
import type {Deadline} from './deadline.js'

/**
 * A key password: SIGIL_PASSWORD / COSIGN_PASSWORD, else a hidden prompt on the controlling
 * terminal (git captures stderr and may give the program no standard input, as ssh-keygen's own
 * prompt on /dev/tty assumes).
 */
export function passwordSource(deadline: Deadline): NonNullable<KeyContext['getPassword']> {
  return async () => {
    const fromEnv = process.env.SIGIL_PASSWORD ?? process.env.COSIGN_PASSWORD
    if (fromEnv !== undefined) return Buffer.from(fromEnv, 'utf8')
    const {openSync, closeSync} = process.getBuiltinModule('node:fs')
    const tty = process.getBuiltinModule('node:tty')
    let fd: number
    try {
      fd = openSync('/dev/tty', 'r+')
    } catch {
      throw new SigilError('PASSWORD_REQUIRED', text.noPassword)
    }
    const input = new tty.ReadStream(fd)
    const output = new tty.WriteStream(fd)
    deadline.pause()
    try {
      return Buffer.from(await promptHidden('Enter password for private key: ', {env: process.env, stdin: input, stderr: output}), 'utf8')
    } finally {
      input.destroy()
      output.destroy()
      try {
        closeSync(fd)
      } catch {
        // already closed with the streams
      }
      deadline.resume()
    }
  }
}

