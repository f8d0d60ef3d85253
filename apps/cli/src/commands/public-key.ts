import {Flags} from '@oclif/core'
import {BaseCommand} from '../shared/base-command.js'
import {info, keyContext, keyProviderFor} from '../shared/command-io.js'
import {shared, publicKey as text} from '../messages.js'

/** What `public-key --json` prints. */
export interface PublicKeyResultJson {
  pem: string
  outfile?: string
}

export default class PublicKey extends BaseCommand<PublicKeyResultJson> {
  static override summary = text.summary
  static override examples = text.examples
  static override flags = {
    key: Flags.string({char: 'k', description: shared.key, required: true}),
    outfile: Flags.string({description: text.outfile}),
    force: Flags.boolean({char: 'f', description: 'Overwrite --outfile if it exists.', default: false}),
  }

  public async run(): Promise<PublicKeyResultJson> {
    const {flags} = await this.parse(PublicKey)
    const io = this.io()
    const provider = await keyProviderFor(io, flags.key)
    const key = await provider.publicKey(flags.key, keyContext(io))
    if (flags.outfile) {
      const {writeFile} = await import('node:fs/promises')
      try {
        await writeFile(flags.outfile, key.pem, {mode: 0o644, flag: flags.force ? 'w' : 'wx'})
      } catch (err) {
        const {SigilError} = await import('@sigil/core')
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new SigilError('KEY_EXISTS', `${flags.outfile} already exists; use --force to overwrite it`)
        }
        throw new SigilError('INVALID_ARGUMENT', `cannot write ${flags.outfile}: ${(err as Error).message}`, {cause: err})
      }
      info(io, `Public key written to ${flags.outfile}`)
    } else if (!this.jsonEnabled()) {
      process.stdout.write(key.pem)
    }
    return {pem: key.pem, outfile: flags.outfile}
  }
}
