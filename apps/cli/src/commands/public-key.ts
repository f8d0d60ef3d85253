import {defineCommand} from '../command.js'
import {info, keyContext, keyProviderFor} from '../shared/command-io.js'
import {writePublicKey} from '../shared/public-key-file.js'
import {timeoutFlagSpec} from '../shared/flags.js'
import {writeStdout} from '../shared/stdio.js'
import {shared, publicKey as text} from '../messages.js'

/** What `public-key --json` prints. */
export interface PublicKeyResultJson {
  pem: string
  outfile?: string
}

export default defineCommand({
  summary: text.summary,
  examples: text.examples,
  flags: {
    key: {kind: 'string', char: 'k', description: shared.key, required: true},
    outfile: {kind: 'string', description: text.outfile},
    force: {kind: 'boolean', char: 'f', description: 'Overwrite --outfile if it exists.', default: false},
    ...timeoutFlagSpec,
  },
  async run({flags, io}): Promise<PublicKeyResultJson> {
    const provider = await keyProviderFor(io, flags.key)
    const ctx = keyContext(io, {timeout: flags.timeout})
    const key = await provider.publicKey(flags.key, ctx).catch((err: unknown) => {
      throw ctx.explain(err)
    })
    if (flags.outfile) {
      await writePublicKey(flags.outfile, key.pem, flags.force)
      info(io, `Public key written to ${flags.outfile}`)
    } else if (!io.json) {
      writeStdout(key.pem)
    }
    return {pem: key.pem, outfile: flags.outfile}
  },
})
