import {parseReference} from '@sigil/core'
import {openOciLayout} from '@sigil/oci'
import {loadImage} from '@sigil/signing'
import type {LoadImageResult} from '@sigil/signing'
import {defineCommand} from '../command.js'
import {info, registryAdapters} from '../shared/command-io.js'
import {registryFlagSpecs} from '../shared/flags.js'
import {createRegistryClient, signatureRepositoryFromEnv} from '../shared/registry.js'
import {offline as text} from '../messages/offline.js'
import {streaming as streamingText} from '../messages/streaming.js'
import {progressBar} from '../shared/progress.js'

/** `sigil load`: push an OCI image layout (sigil save, cosign save) to a registry (cosign load). */
export default defineCommand({
  summary: text.load.summary,
  description: text.load.description,
  examples: text.load.examples,
  args: [{name: 'image', description: 'Where to push the image: a reference with a tag (or the layout image\'s digest).', required: true}],
  flags: {
    dir: {kind: 'string', description: text.load.dir, required: true},
    ...registryFlagSpecs,
  },
  async run({flags, args, io}): Promise<LoadImageResult> {
    const destination = parseReference(args[0]!)
    // The layout is opened (and checked) before anything touches the network.
    const layout = await openOciLayout(flags.dir)
    const client = await createRegistryClient(io, flags)
    const adapter = (await registryAdapters(io)).find((a) => a.matches(destination.registry))
    const progress = progressBar(io, streamingText.loading(flags.dir))
    let moved = 0
    const result = await loadImage(layout, destination, {
      client,
      onBytes: (n) => progress.update((moved += n)),
      signatureRepository: signatureRepositoryFromEnv(),
      attachmentTagPrefix: flags['attachment-tag-prefix'],
      ...(adapter?.capabilities.referrersApi === undefined ? {} : {referrersApi: adapter.capabilities.referrersApi}),
      onAttachment: (location) => info(io, text.load.attachment(location)),
    }).finally(() => progress.done())
    info(io, text.load.done(result.image, result.digest))
    return result
  },
})
