/**
 * `sigil-ssh-keygen` (bin/sigil-ssh-keygen.js): git's `gpg.ssh.program`. The launcher hands every
 * call but `-Y sign` and `--help` to the system's ssh-keygen before this code loads.
 */
import type {CommandIO} from '../command.js'
import {exitCodeFor} from '../shared/exit-codes.js'
import {writeStderr, writeStdout} from '../shared/stdio.js'
import {sshKeygen as text} from '../messages/ssh-keygen.js'
import {sshSign} from './sign.js'

/** Run `sigil-ssh-keygen ARGV`; sets the exit code. An error is one line on stderr, never a stack. */
export async function runSshKeygen(argv: readonly string[], io: CommandIO): Promise<void> {
  if (argv.length === 0 || argv.includes('--help')) {
    writeStdout(text.help)
    return
  }
  try {
    await sshSign(argv, io)
  } catch (err) {
    const message = (err as Error)?.message || String(err)
    writeStderr(`sigil-ssh-keygen: ${message.split('\n')[0]}\n`)
    process.exitCode = exitCodeFor(err)
  }
}
