import {Flags} from '@oclif/core'
import {BaseCommand} from '../shared/base-command.js'
import {info, keyContext, keyProviderFor} from '../shared/command-io.js'
import {writePublicKey} from '../shared/public-key-file.js'
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
      await writePublicKey(flags.outfile, key.pem, flags.force)
      info(io, `Public key written to ${flags.outfile}`)
    } else if (!this.jsonEnabled()) {
      process.stdout.write(key.pem)
    }
    return {pem: key.pem, outfile: flags.outfile}
  }
}
