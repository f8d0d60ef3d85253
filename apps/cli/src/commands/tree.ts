import {parseReference} from '@sigil/core'
import {attachmentTree} from '@sigil/signing'
import {attachmentStores} from '../shared/attachment-stores.js'
import type {AttachmentTree} from '@sigil/signing'
import {defineCommand} from '../command.js'
import {registryFlagSpecs} from '../shared/flags.js'
import {createRegistryClient, signatureRepositoryFromEnv} from '../shared/registry.js'
import {writeStdout} from '../shared/stdio.js'
import {tree as text} from '../messages/tree.js'

/** What `tree --json` prints. */
export interface TreeResultJson extends AttachmentTree {
  image: string
}

/** `sigil tree`: what is attached to an image, as `cosign tree` shows it. */
export default defineCommand({
  summary: text.summary,
  description: text.description,
  examples: text.examples,
  args: [{name: 'image', description: 'Image reference.', required: true}],
  flags: {...registryFlagSpecs},
  async run({flags, args, io}): Promise<TreeResultJson> {
    const image = parseReference(args[0]!)
    const client = await createRegistryClient(io, flags)
    const location = {signatureRepository: signatureRepositoryFromEnv(), attachmentTagPrefix: flags['attachment-tag-prefix']}
    const tree = await attachmentTree(image, {
      client,
      ...location,
      // Both formats: the legacy tags first (as cosign tree lists them), then cosign 3's referrers.
      stores: await attachmentStores(io, client, image.registry, location.attachmentTagPrefix),
    })
    if (!io.json) writeStdout(text.render(image.name, `${image.repositoryName}@${tree.digest}`, tree))
    return {image: image.name, ...tree}
  },
})
