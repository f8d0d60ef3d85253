import {Args} from '@oclif/core'
import {parseReference} from '@sigil/core'
import {BaseCommand} from '../shared/base-command.js'
import {registryFlagSpecs} from '../shared/flags.js'
import {toOclifFlags} from '../shared/oclif-flags.js'
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
  static override flags = toOclifFlags({
    type: {kind: 'string', description: text.type, options: ['signature', 'attestation', 'sbom', 'digest'], default: 'signature'},
    ...registryFlagSpecs,
  })

  public async run(): Promise<TriangulateResultJson> {
    const {args, flags: parsed} = await this.parse(Triangulate)
    const flags = parsed as unknown as {type: string; 'allow-insecure-registry': boolean; 'allow-http-registry': boolean; 'attachment-tag-prefix': string}
    const image = parseReference(args.image)
    const client = await createRegistryClient(this.io(), flags)
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
