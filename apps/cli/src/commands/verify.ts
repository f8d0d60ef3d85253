import {Args, Flags} from '@oclif/core'
import {isSigilError, parseAnnotationFlags, parseReference} from '@sigil/core'
import type {HashAlgorithm} from '@sigil/core'
import {BaseCommand} from '../shared/base-command.js'
import {exitCodeFor} from '../shared/exit-codes.js'
import {registryFlags} from '../shared/flags.js'
import {keyProviderFor} from '../shared/providers.js'
import {createRegistryClient, signatureRepositoryFromEnv} from '../shared/registry.js'
import {shared, verify as text} from '../messages.js'

/** What `verify --json` prints. */
export interface VerifyResultJson {
  images: Array<{
    image: string
    digest?: string
    verified: boolean
    signatures?: unknown[]
    error?: {code?: string; message: string}
  }>
}

export default class Verify extends BaseCommand<VerifyResultJson> {
  static override summary = text.summary
  static override description = text.description
  static override examples = text.examples
  static override strict = false
  static override args = {image: Args.string({description: 'Image reference(s) to verify.', required: true})}
  static override flags = {
    key: Flags.string({char: 'k', description: shared.pubKey, required: true}),
    annotations: Flags.string({char: 'a', description: shared.annotations, multiple: true, multipleNonGreedy: true, default: []}),
    'check-claims': Flags.boolean({description: text.checkClaims, allowNo: true, default: true}),
    output: Flags.string({char: 'o', description: text.output, options: ['json', 'text'], default: 'json'}),
    'insecure-ignore-tlog': Flags.boolean({description: text.ignoreTlog, allowNo: true, default: false}),
    offline: Flags.boolean({description: text.offline, allowNo: true, default: false}),
    'signature-digest-algorithm': Flags.string({
      description: text.digestAlgorithm,
      options: ['sha224', 'sha256', 'sha384', 'sha512'],
      default: 'sha256',
    }),
    'max-workers': Flags.integer({description: text.maxWorkers, default: 10, min: 1}),
    ...registryFlags,
  }

  public async run(): Promise<VerifyResultJson> {
    const {argv, flags} = await this.parse(Verify)
    const annotations = parseAnnotationFlags(flags.annotations)
    const images = (argv as string[]).map((a) => parseReference(a))

    const provider = await keyProviderFor(this.config, flags.key)
    const verifier = await provider.verifier(flags.key, this.keyContext())
    const client = await createRegistryClient(this.config, flags, (l) => this.trace(l))
    const {verifyImage, payloadForOutput, marshalPayloadForOutput} = await import('@sigil/signing')

    const out: VerifyResultJson['images'] = []
    let firstError: unknown
    for (const image of images) {
      try {
        const result = await verifyImage(image, {
          client,
          verifier,
          checkClaims: flags['check-claims'],
          annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
          hash: flags['signature-digest-algorithm'] as HashAlgorithm,
          signatureRepository: signatureRepositoryFromEnv(),
          attachmentTagPrefix: flags['attachment-tag-prefix'],
          concurrency: flags['max-workers'],
        })
        if (!this.jsonEnabled()) {
          process.stderr.write(`${text.header(image.name, Object.keys(annotations).length > 0, flags['check-claims'])}\n`)
          if (flags.output === 'text') {
            for (const s of result.signatures) process.stdout.write(`${Buffer.from(s.payloadBytes).toString('utf8')}\n`)
          } else {
            process.stdout.write(`\n[${result.signatures.map((s) => marshalPayloadForOutput(s.payload)).join(',')}]\n`)
          }
        }
        out.push({
          image: image.name,
          digest: result.digest,
          verified: true,
          signatures: result.signatures.map((s) => payloadForOutput(s.payload)),
        })
      } catch (err) {
        // Report each image; the exit code is the first failure's.
        firstError ??= err
        const code = isSigilError(err) ? err.code : undefined
        out.push({image: image.name, verified: false, error: {code, message: (err as Error).message}})
        if (images.length > 1 && !this.jsonEnabled()) process.stderr.write(`Error: ${image.name}: ${(err as Error).message}\n`)
      }
    }
    if (firstError !== undefined) {
      if (images.length === 1) throw firstError
      process.exitCode = exitCodeFor(firstError)
      if (this.jsonEnabled()) return {images: out}
      return {images: out}
    }
    return {images: out}
  }
}
