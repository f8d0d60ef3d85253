import {Flags} from '@oclif/core'
import {SigilError} from '@sigil/core'
import type {GeneratedKey} from '@sigil/core'
import {BaseCommand} from '../shared/base-command.js'
import {info, keyContext, keyProviderFor} from '../shared/command-io.js'
import {writePublicKey} from '../shared/public-key-file.js'
import {generateKeyPair as text} from '../messages.js'

/** What `generate-key-pair --json` prints. */
export interface GenerateResultJson {
  privateKey?: string
  publicKey: string
  publicKeyPem: string
}

export default class GenerateKeyPair extends BaseCommand<GenerateResultJson> {
  static override summary = text.summary
  static override description = text.description
  static override examples = text.examples
  static override flags = {
    'output-key-prefix': Flags.string({description: text.prefix, default: 'cosign'}),
    force: Flags.boolean({char: 'f', description: text.force, default: false}),
    'scrypt-n': Flags.integer({description: text.scryptN, options: ['32768', '65536', '131072'], default: 32768}),
    kms: Flags.string({description: 'Create the key in a KMS (URI handled by an installed plugin) and write only the public key.'}),
  }

  public async run(): Promise<GenerateResultJson> {
    const {flags} = await this.parse(GenerateKeyPair)
    const io = this.io()
    const ctx = keyContext(io)
    let generated: GeneratedKey
    if (flags.kms) {
      const provider = await keyProviderFor(io, flags.kms)
      if (!provider.generate) throw new SigilError('KEY_UNSUPPORTED', `the ${provider.name} provider cannot create keys`)
      generated = await provider.generate(flags.kms, ctx, {force: flags.force, outputPrefix: flags['output-key-prefix']})
      if (!generated.written.some((w) => w.kind === 'public-key')) {
        // The key lives in the KMS: only its public half is written here, as cosign does.
        const pubPath = `${flags['output-key-prefix']}.pub`
        await writePublicKey(pubPath, generated.publicKey.pem, flags.force)
        generated = {...generated, written: [...generated.written, {kind: 'public-key' as const, location: pubPath}]}
      }
    } else {
      const {fileKeyProvider} = await import('@sigil/key-file')
      const provider = fileKeyProvider({scryptN: flags['scrypt-n'] as 32768 | 65536 | 131072})
      generated = await provider.generate!(flags['output-key-prefix'], ctx, {force: flags.force, outputPrefix: flags['output-key-prefix']})
    }
    for (const w of generated.written) {
      if (w.kind !== 'remote-key') info(io, `${w.kind === 'private-key' ? 'Private key' : 'Public key'} written to ${w.location}`)
    }
    return {
      privateKey: generated.written.find((w) => w.kind === 'private-key')?.location,
      publicKey: generated.written.find((w) => w.kind === 'public-key')?.location ?? '',
      publicKeyPem: generated.publicKey.pem,
    }
  }
}
