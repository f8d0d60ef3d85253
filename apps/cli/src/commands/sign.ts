import {Args, Flags} from '@oclif/core'
import {SigilError, parseAnnotationFlags, parseReference} from '@sigil/core'
import type {Verifier} from '@sigil/core'
import {BaseCommand} from '../shared/base-command.js'
import {registryFlags} from '../shared/flags.js'
import {keyProviderFor} from '../shared/providers.js'
import {createRegistryClient, signatureRepositoryFromEnv} from '../shared/registry.js'
import {shared, sign as text} from '../messages.js'

/** What `sign --json` prints: one entry per image. */
export interface SignResultJson {
  signed: Array<{image: string; digest: string; signatureTag: string; appended: boolean; signature: string; payload: string}>
}

export default class Sign extends BaseCommand<SignResultJson> {
  static override summary = text.summary
  static override description = text.description
  static override examples = text.examples
  static override strict = false
  static override args = {image: Args.string({description: 'Image reference(s) to sign.', required: true})}
  static override flags = {
    key: Flags.string({char: 'k', description: shared.key, required: true}),
    annotations: Flags.string({char: 'a', description: shared.annotations, multiple: true, multipleNonGreedy: true, default: []}),
    yes: Flags.boolean({char: 'y', description: text.yes, default: false}),
    'tlog-upload': Flags.boolean({description: text.tlogUpload, allowNo: true, default: false}),
    upload: Flags.boolean({description: text.upload, allowNo: true, default: true}),
    'sign-container-identity': Flags.string({description: text.identity}),
    ...registryFlags,
  }

  public async run(): Promise<SignResultJson> {
    const {argv, flags} = await this.parse(Sign)
    if (flags['tlog-upload']) throw new SigilError('INVALID_ARGUMENT', text.tlogUnsupported)
    const annotations = parseAnnotationFlags(flags.annotations)
    // Parse every reference before touching the key or the network: a typo costs nothing.
    const images = (argv as string[]).map((a) => parseReference(a))

    const provider = await keyProviderFor(this.config, flags.key)
    const signer = await provider.signer(flags.key, this.keyContext())
    const {createVerifier} = await import('@sigil/key-file')
    let verifier: Verifier | undefined
    try {
      verifier = createVerifier(await signer.publicKey())
    } catch {
      verifier = undefined // dedup is an optimisation; a key type we cannot verify locally just appends
    }
    const client = await createRegistryClient(this.config, flags, (l) => this.trace(l))
    const {signImage} = await import('@sigil/signing')
    const signed: SignResultJson['signed'] = []
    for (const image of images) {
      const result = await signImage(image, {
        client,
        signer,
        verifier,
        annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
        identity: flags['sign-container-identity'],
        signatureRepository: signatureRepositoryFromEnv(),
        attachmentTagPrefix: flags['attachment-tag-prefix'],
        dockerMediaTypes: Boolean(process.env.COSIGN_DOCKER_MEDIA_TYPES && process.env.COSIGN_DOCKER_MEDIA_TYPES !== '0'),
        upload: flags.upload,
        onEvent: (e) => {
          if (e.kind === 'resolved' && e.fromTag) this.info(text.tagWarning(e.image.name))
          if (e.kind === 'pushing') this.info(`Pushing signature to: ${e.location.replace(/:[^:/]+$/, '')}`)
          if (e.kind === 'duplicate') this.info(`Signature already present in ${e.location}; nothing to add`)
        },
      })
      if (!flags.upload && !this.jsonEnabled()) {
        process.stdout.write(`${Buffer.from(result.payload).toString('utf8')}\n${result.signature}\n`)
      }
      signed.push({
        image: image.name,
        digest: result.digest,
        signatureTag: result.signatureLocation,
        appended: result.appended,
        signature: result.signature,
        payload: Buffer.from(result.payload).toString('base64'),
      })
    }
    return {signed}
  }
}
