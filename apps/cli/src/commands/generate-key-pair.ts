import {SigilError} from '@sigil/core'
import type {GeneratedKey} from '@sigil/core'
import {defineCommand} from '../command.js'
import {info, keyContext, keyProviderFor} from '../shared/command-io.js'
import {timeoutFlagSpec} from '../shared/flags.js'
import {writePublicKey} from '../shared/public-key-file.js'
import {generateKeyPair as text} from '../messages/generate-key-pair.js'

/** What `generate-key-pair --json` prints. */
export interface GenerateResultJson {
  privateKey?: string
  publicKey: string
  publicKeyPem: string
}

export default defineCommand({
  summary: text.summary,
  description: text.description,
  examples: text.examples,
  flags: {
    'output-key-prefix': {kind: 'string', description: text.prefix, default: 'cosign'},
    force: {kind: 'boolean', char: 'f', description: text.force, default: false},
    'scrypt-n': {kind: 'integer', description: text.scryptN, options: ['32768', '65536', '131072'], default: 32768},
    kms: {kind: 'string', description: text.kms},
    ...timeoutFlagSpec,
  },
  async run({flags, io}): Promise<GenerateResultJson> {
    const prefix = flags['output-key-prefix']
    const ctx = keyContext(io)
    let generated: GeneratedKey
    if (flags.kms) {
      const provider = await keyProviderFor(io, flags.kms)
      if (!provider.generate) throw new SigilError('KEY_UNSUPPORTED', `the ${provider.name} provider cannot create keys`)
      generated = await provider.generate(flags.kms, ctx, {force: flags.force, outputPrefix: prefix})
      if (!generated.written.some((w) => w.kind === 'public-key')) {
        // The key lives in the KMS: only its public half is written here, as cosign does.
        const pubPath = `${prefix}.pub`
        await writePublicKey(pubPath, generated.publicKey.pem, flags.force)
        generated = {...generated, written: [...generated.written, {kind: 'public-key' as const, location: pubPath}]}
      }
    } else {
      // A key file: the provider that owns plain paths, with the chosen scrypt cost.
      const provider = await keyProviderFor(io, `${prefix}.key`)
      if (!provider.generate) throw new SigilError('KEY_UNSUPPORTED', `the ${provider.name} provider cannot create keys`)
      generated = await provider.generate(prefix, ctx, {force: flags.force, outputPrefix: prefix, scryptN: flags['scrypt-n'] as 32768 | 65536 | 131072})
    }
    for (const w of generated.written) {
      if (w.kind !== 'remote-key') info(io, `${w.kind === 'private-key' ? 'Private key' : 'Public key'} written to ${w.location}`)
    }
    return {
      privateKey: generated.written.find((w) => w.kind === 'private-key')?.location,
      publicKey: generated.written.find((w) => w.kind === 'public-key')?.location ?? '',
      publicKeyPem: generated.publicKey.pem,
    }
  },
})
