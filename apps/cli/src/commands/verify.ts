import {SigilError, parseAnnotationFlags} from '@sigil/core'
import type {HashAlgorithm} from '@sigil/core'
import {marshalPayloadForOutput, payloadForOutput, verifyImage} from '@sigil/signing'
import {verifyEach} from '../shared/verify-each.js'
import type {VerifyImageResult} from '@sigil/signing'
import {defineCommand} from '../command.js'
import {registryFlagSpecs} from '../shared/flags.js'
import {offline} from '../messages/offline.js'
import {shared} from '../messages/shared.js'
import {verify as text} from '../messages/verify.js'
import {writeStdout, writeStderr} from '../shared/stdio.js'

/** What `verify --json` prints. */
export interface VerifyResultJson {
  images: Array<{image: string; digest?: string; verified: boolean; signatures?: unknown[]; error?: {code?: string; message: string}}>
}

/**
 * `sigil verify`: every image is checked and reported; the exit code is the first failure's
 * (a single image's failure is thrown, so it prints like any other error).
 */
export default defineCommand({
  summary: text.summary,
  description: text.description,
  examples: text.examples,
  args: [{name: 'image', description: 'Image reference(s) to verify.', required: true, variadic: true}],
  flags: {
    key: {kind: 'string', char: 'k', description: shared.pubKey, required: true},
    annotations: {kind: 'string', char: 'a', description: shared.annotations, multiple: true, default: []},
    'check-claims': {kind: 'boolean', description: text.checkClaims, allowNo: true, default: true},
    output: {kind: 'string', char: 'o', description: text.output, options: ['json', 'text'], default: 'json'},
    'insecure-ignore-tlog': {kind: 'boolean', description: text.ignoreTlog, allowNo: true, default: false},
    offline: {kind: 'boolean', description: text.offline, allowNo: true, default: false},
    'signature-digest-algorithm': {
      kind: 'string',
      description: text.digestAlgorithm,
      options: ['sha224', 'sha256', 'sha384', 'sha512'],
      default: 'sha256',
    },
    'max-workers': {kind: 'integer', description: text.maxWorkers, default: 10, min: 1},
    'local-image': {kind: 'boolean', description: offline.localImage, default: false},
    ...registryFlagSpecs,
  },
  async run({flags, args, io}): Promise<VerifyResultJson> {
    const annotations = parseAnnotationFlags(flags.annotations)
    const hasAnnotations = Object.keys(annotations).length > 0
    const hash = flags['signature-digest-algorithm'] as HashAlgorithm
    if (flags['local-image']) {
      if (args.length !== 1) throw new SigilError('INVALID_ARGUMENT', offline.localImageOne)
      // Loaded only here: a registry verify never reads a layout.
      const {verifyLocalImage} = await import('../shared/local-image.js')
      const result = await verifyLocalImage(io, args[0]!, flags.key, {
        checkClaims: flags['check-claims'],
        annotations: hasAnnotations ? annotations : undefined,
        hash,
        attachmentTagPrefix: flags['attachment-tag-prefix'],
        concurrency: flags['max-workers'],
      })
      report(io, args[0]!, result, flags.output, hasAnnotations, flags['check-claims'])
      return {images: [{image: args[0]!, digest: result.digest, verified: true, signatures: result.signatures.map((s) => payloadForOutput(s.payload))}]}
    }
    const out = await verifyEach(io, flags, args, async ({image, client, verifier, stores, adapter, signatureRepository}) => {
      const result = await verifyImage(image, {
        // Both formats, always: cosign 3's bundles (referrers) and the legacy .sig tag.
        stores,
        client,
        verifier,
        checkClaims: flags['check-claims'],
        annotations: hasAnnotations ? annotations : undefined,
        hash,
        signatureRepository,
        attachmentTagPrefix: flags['attachment-tag-prefix'],
        concurrency: flags['max-workers'],
        resolveWithHead: adapter?.capabilities.rateLimitedPulls === true,
      })
      report(io, image.name, result, flags.output, hasAnnotations, flags['check-claims'])
      return {digest: result.digest, signatures: result.signatures.map((s) => payloadForOutput(s.payload))}
    })
    return {images: out}
  },
})

/** The verified payloads as cosign prints them (nothing under --json: the result is printed instead). */
function report(io: {json: boolean}, name: string, result: VerifyImageResult, output: string, annotations: boolean, claims: boolean): void {
  if (io.json) return
  writeStderr(`${text.header(name, annotations, claims)}\n`)
  if (output === 'text') {
    for (const s of result.signatures) writeStdout(`${Buffer.from(s.payloadBytes).toString('utf8')}\n`)
  } else {
    writeStdout(`\n[${result.signatures.map((s) => marshalPayloadForOutput(s.payload)).join(',')}]\n`)
  }
}
