import {defineCommand} from '../command.js'
import {info, keyContext, keyProviderFor} from '../shared/command-io.js'
import {writePublicKey} from '../shared/public-key-file.js'
import {timeoutFlagSpec} from '../shared/flags.js'
import {writeStdout} from '../shared/stdio.js'
import {referenceForSshComment} from '../shared/ssh-key.js'
import {SigilError, formatSshPublicKey} from '@sigil/core'
import {shared} from '../messages/shared.js'
import {publicKey as text} from '../messages/public-key.js'
import {sshKey} from '../messages/ssh-key.js'

/** What `public-key --json` prints. */
export interface PublicKeyResultJson {
  pem: string
  /** The OpenSSH public-key line (`--output-format ssh`). */
  ssh?: string
  outfile?: string
}

export default defineCommand({
  summary: text.summary,
  examples: [...text.examples, ...text.sshExamples],
  flags: {
    key: {kind: 'string', char: 'k', description: shared.key, required: true},
    outfile: {kind: 'string', description: text.outfile},
    'output-format': {kind: 'string', description: sshKey.outputFormat, options: ['pem', 'ssh']},
    ssh: {kind: 'boolean', description: sshKey.ssh, default: false},
    force: {kind: 'boolean', char: 'f', description: 'Overwrite --outfile if it exists.', default: false},
    ...timeoutFlagSpec,
  },
  async run({flags, io}): Promise<PublicKeyResultJson> {
    if (flags.ssh && flags['output-format'] === 'pem') throw new SigilError('INVALID_ARGUMENT', sshKey.bothFormats)
    const format = flags.ssh ? 'ssh' : (flags['output-format'] ?? 'pem')
    const comment = format === 'ssh' ? referenceForSshComment(flags.key) : undefined
    const provider = await keyProviderFor(io, flags.key)
    const ctx = keyContext(io, {timeout: flags.timeout})
    const key = await provider.publicKey(flags.key, ctx).catch((err: unknown) => {
      throw ctx.explain(err)
    })
    const ssh = comment === undefined ? undefined : formatSshPublicKey(key, comment)
    const output = ssh ?? key.pem
    if (flags.outfile) {
      await writePublicKey(flags.outfile, output, flags.force)
      info(io, `Public key written to ${flags.outfile}`)
    } else if (!io.json) {
      writeStdout(output)
    }
    return {pem: key.pem, ...(ssh === undefined ? {} : {ssh}), outfile: flags.outfile}
  },
})
