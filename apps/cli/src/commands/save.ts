import {parseReference} from '@sigil/core'
import {saveImage} from '@sigil/signing'
import type {SaveImageResult} from '@sigil/signing'
import {defineCommand} from '../command.js'
import {info, registryAdapters} from '../shared/command-io.js'
import {registryFlagSpecs} from '../shared/flags.js'
import {createRegistryClient, referrersApiMemory, signatureRepositoryFromEnv} from '../shared/registry.js'
import {offline as text} from '../messages/offline.js'
import {streaming as streamingText} from '../messages/streaming.js'
import {progressBar} from '../shared/progress.js'

/** What `save --json` prints. */
export interface SaveResultJson extends SaveImageResult {
  image: string
}

/** `sigil save`: an image and its attachments, both formats, as an OCI image layout (cosign save). */
export default defineCommand({
  summary: text.save.summary,
  description: text.save.description,
  examples: text.save.examples,
  args: [{name: 'image', description: 'Image reference to save.', required: true}],
  flags: {
    dir: {kind: 'string', description: text.save.dir, required: true},
    force: {kind: 'boolean', char: 'f', description: text.save.force, default: false},
    ...registryFlagSpecs,
  },
  async run({flags, args, io}): Promise<SaveResultJson> {
    const image = parseReference(args[0]!)
    const client = await createRegistryClient(io, flags)
    const adapter = (await registryAdapters(io)).find((a) => a.matches(image.registry))
    const progress = progressBar(io, streamingText.saving(flags.dir))
    let moved = 0
    const result = await saveImage(image, {
      client,
      onBytes: (n) => progress.update((moved += n)),
      dir: flags.dir,
      force: flags.force,
      signatureRepository: signatureRepositoryFromEnv(),
      attachmentTagPrefix: flags['attachment-tag-prefix'],
      memory: referrersApiMemory(),
      ...(adapter?.capabilities.referrersApi === undefined ? {} : {referrersApi: adapter.capabilities.referrersApi}),
    }).finally(() => progress.done())
    const a = result.attachments
    info(io, text.save.done(flags.dir, result.digest, {manifests: result.manifests, blobs: result.blobs, attachments: a.sig + a.att + a.sbom + a.referrers}))
    return {image: image.name, ...result}
  },
})
