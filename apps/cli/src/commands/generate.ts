import {buildPayload, parseAnnotationFlags, parseReference} from '@sigil/core'
import {resolveForSigning} from '@sigil/signing'
import {defineCommand} from '../command.js'
import {registryFlagSpecs} from '../shared/flags.js'
import {createRegistryClient} from '../shared/registry.js'
import {generate as text} from '../messages/generate.js'
import {shared} from '../messages/shared.js'
import {writeStdout} from '../shared/stdio.js'

/** What `generate --json` prints. */
export interface GenerateResultJson {
  image: string
  digest: string
  /** The payload as printed without --json (UTF-8 JSON text). */
  payload: string
}

/** `sigil generate`: the simple-signing payload of an image, for signing elsewhere (cosign 2's `generate`). */
export default defineCommand({
  summary: text.summary,
  description: text.description,
  examples: text.examples,
  args: [{name: 'image', description: 'Image reference.', required: true}],
  flags: {
    annotations: {kind: 'string', char: 'a', description: shared.annotations, multiple: true, default: []},
    ...registryFlagSpecs,
  },
  async run({flags, args, io}): Promise<GenerateResultJson> {
    const annotations = parseAnnotationFlags(flags.annotations)
    const image = parseReference(args[0]!)
    const client = await createRegistryClient(io, flags)
    const digest = await resolveForSigning(client, image)
    // The very bytes `sign` signs: the repository name (no tag) and the digest.
    const payload = buildPayload({
      dockerReference: image.repositoryName,
      manifestDigest: digest,
      annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
    })
    // No trailing newline, as cosign: the output is the payload, byte for byte.
    if (!io.json) writeStdout(Buffer.from(payload).toString('utf8'))
    return {image: image.name, digest, payload: Buffer.from(payload).toString('utf8')}
  },
})
