import {SigilError} from '@sigil/core'
import {defineCommand} from '../command.js'
import {info, keyContext, keyProviderFor} from '../shared/command-io.js'
import {generateKeyPair as gen} from '../messages/generate-key-pair.js'
import {importKeyPair as text} from '../messages/import-key-pair.js'

/** What `import-key-pair --json` prints. */
export interface ImportResultJson {
  privateKey: string
  publicKey: string
}

export default defineCommand({
  summary: text.summary,
  examples: text.examples,
  flags: {
    key: {kind: 'string', char: 'k', description: text.key, required: true},
    'output-key-prefix': {kind: 'string', char: 'o', description: gen.prefix, default: 'import-cosign'},
    force: {kind: 'boolean', char: 'f', description: gen.force, default: false},
    'scrypt-n': {kind: 'integer', description: gen.scryptN, options: ['32768', '65536', '131072'], default: 32768},
  },
  async run({flags, io}): Promise<ImportResultJson> {
    const prefix = flags['output-key-prefix']
    const provider = await keyProviderFor(io, `${prefix}.key`)
    if (!provider.importKeyPair) throw new SigilError('KEY_UNSUPPORTED', `the ${provider.name} provider cannot import keys`)
    const generated = await provider.importKeyPair(flags.key, prefix, keyContext(io), {
      force: flags.force,
      scryptN: flags['scrypt-n'] as 32768 | 65536 | 131072,
    })
    for (const w of generated.written) {
      info(io, `${w.kind === 'private-key' ? 'Private key' : 'Public key'} written to ${w.location}`)
    }
    return {
      privateKey: generated.written.find((w) => w.kind === 'private-key')?.location ?? '',
      publicKey: generated.written.find((w) => w.kind === 'public-key')?.location ?? '',
    }
  },
})
