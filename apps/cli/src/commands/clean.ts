import {SigilError, parseReference} from '@sigil/core'
import type {AttachmentKind} from '@sigil/core'
import {cleanAttachments} from '@sigil/signing'
import type {CleanedLocation} from '@sigil/signing'
import {defineCommand} from '../command.js'
import {info} from '../shared/command-io.js'
import {attachmentStores} from '../shared/attachment-stores.js'
import {registryFlagSpecs} from '../shared/flags.js'
import {askYesNo, processSources, stdinIsTerminal} from '../shared/password.js'
import {createRegistryClient} from '../shared/registry.js'
import {clean as text} from '../messages/clean.js'
import {writeStderr} from '../shared/stdio.js'

/** What `clean --json` prints. */
export interface CleanResultJson {
  image: string
  digest?: string
  removed: CleanedLocation[]
}

const KINDS: Readonly<Record<string, readonly AttachmentKind[]>> = {
  signature: ['signature'],
  attestation: ['attestation'],
  sbom: ['sbom'],
  all: ['signature', 'attestation', 'sbom'],
}

/** `sigil clean`: remove an image's attachments, both storage formats, after a confirmation. */
export default defineCommand({
  summary: text.summary,
  description: text.description,
  examples: text.examples,
  args: [{name: 'image', description: 'Image reference.', required: true}],
  flags: {
    type: {kind: 'string', description: text.type, options: ['signature', 'attestation', 'sbom', 'all'], default: 'all'},
    force: {kind: 'boolean', char: 'f', description: text.force, default: false},
    ...registryFlagSpecs,
  },
  async run({flags, args, io}): Promise<CleanResultJson> {
    const image = parseReference(args[0]!)
    if (!flags.force) {
      // Never waits on a standard input that is not a person.
      if (!stdinIsTerminal()) throw new SigilError('INVALID_ARGUMENT', text.noTerminal)
      writeStderr(`${text.warning(flags.type)}\n`)
      if (!(await askYesNo(text.question, processSources()))) {
        writeStderr(`${text.declined}\n`)
        process.exitCode = 1
        return {image: image.name, removed: []}
      }
    }
    const client = await createRegistryClient(io, flags)
    const stores = await attachmentStores(io, client, image.registry, flags['attachment-tag-prefix'])
    const result = await cleanAttachments(image, {
      client,
      stores,
      kinds: KINDS[flags.type]!,
      onRemoved: (r) => info(io, text.removed(r.location, image.name)),
    })
    if (result.removed.length === 0) info(io, text.nothing(image.name))
    return {image: image.name, digest: result.digest, removed: [...result.removed]}
  },
})
