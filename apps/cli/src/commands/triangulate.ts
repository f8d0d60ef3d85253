import {Args, Flags} from '@oclif/core'
import {parseReference} from '@sigil/core'
import {BaseCommand} from '../shared/base-command.js'
import {registryFlags} from '../shared/flags.js'
import {createRegistryClient, signatureRepositoryFromEnv} from '../shared/registry.js'
import {triangulate as text} from '../messages.js'

/** What `triangulate --json` prints. */
export interface TriangulateResultJson {
  reference: string
}

export default class Triangulate extends BaseCommand<TriangulateResultJson> {
  static override summary = text.summary
  static override examples = text.examples
  static override args = {image: Args.string({description: 'Image reference.', required: true})}
  static override flags = {
    type: Flags.string({description: text.type, options: ['signature', 'attestation', 'sbom', 'digest'], default: 'signature'}),
    ...registryFlags,
  }

  public async run(): Promise<TriangulateResultJson> {
    const {args, flags} = await this.parse(Triangulate)
    const image = parseReference(args.image)
    const client = await createRegistryClient(this.config, flags, (l) => this.trace(l))
    const {triangulate} = await import('@sigil/signing')
    const reference = await triangulate(image, {
      client,
      type: flags.type as 'signature' | 'attestation' | 'sbom' | 'digest',
      signatureRepository: signatureRepositoryFromEnv(),
      attachmentTagPrefix: flags['attachment-tag-prefix'],
    })
    if (!this.jsonEnabled()) process.stdout.write(`${reference}\n`)
    return {reference}
  }
}
