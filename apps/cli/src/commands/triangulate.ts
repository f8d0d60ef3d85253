import {parseReference} from '@sigil/core'
import {triangulate} from '@sigil/signing'
import {defineCommand} from '../command.js'
import {registryFlagSpecs} from '../shared/flags.js'
import {createRegistryClient, signatureRepositoryFromEnv} from '../shared/registry.js'
import {writeStdout} from '../shared/stdio.js'
import {triangulate as text} from '../messages/triangulate.js'

/** What `triangulate --json` prints. */
export interface TriangulateResultJson {
  reference: string
}

export default defineCommand({
  summary: text.summary,
  examples: text.examples,
  args: [{name: 'image', description: 'Image reference.', required: true}],
  flags: {
    type: {kind: 'string', description: text.type, options: ['signature', 'attestation', 'sbom', 'digest'], default: 'signature'},
    ...registryFlagSpecs,
  },
  async run({flags, args, io}): Promise<TriangulateResultJson> {
    const image = parseReference(args[0]!)
    const client = await createRegistryClient(io, flags)
    const reference = await triangulate(image, {
      client,
      type: flags.type as 'signature' | 'attestation' | 'sbom' | 'digest',
      signatureRepository: signatureRepositoryFromEnv(),
      attachmentTagPrefix: flags['attachment-tag-prefix'],
    })
    if (!io.json) writeStdout(`${reference}\n`)
    return {reference}
  },
})
