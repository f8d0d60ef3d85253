import {Flags} from '@oclif/core'
import {BaseCommand} from '../shared/base-command.js'
import {info, keyContext} from '../shared/command-io.js'
import {generateKeyPair as gen, importKeyPair as text} from '../messages.js'

/** What `import-key-pair --json` prints. */
export interface ImportResultJson {
  privateKey: string
  publicKey: string
}

export default class ImportKeyPair extends BaseCommand<ImportResultJson> {
  static override summary = text.summary
  static override examples = text.examples
  static override flags = {
    key: Flags.string({char: 'k', description: text.key, required: true}),
    'output-key-prefix': Flags.string({char: 'o', description: gen.prefix, default: 'import-cosign'}),
    force: Flags.boolean({char: 'f', description: gen.force, default: false}),
    'scrypt-n': Flags.integer({description: gen.scryptN, options: ['32768', '65536', '131072'], default: 32768}),
  }

  public async run(): Promise<ImportResultJson> {
    const {flags} = await this.parse(ImportKeyPair)
    const io = this.io()
    const {fileKeyProvider} = await import('@sigil/key-file')
    const provider = fileKeyProvider({scryptN: flags['scrypt-n'] as 32768 | 65536 | 131072})
    const generated = await provider.importKeyPair(flags.key, flags['output-key-prefix'], keyContext(io), {force: flags.force})
    for (const w of generated.written) {
      info(io, `${w.kind === 'private-key' ? 'Private key' : 'Public key'} written to ${w.location}`)
    }
    return {
      privateKey: generated.written.find((w) => w.kind === 'private-key')?.location ?? '',
      publicKey: generated.written.find((w) => w.kind === 'public-key')?.location ?? '',
    }
  }
}
