import {SigilError, isSigilError, parseAnnotationFlags, parseReference} from '@sigil/core'
import type {HashAlgorithm} from '@sigil/core'
import {marshalPayloadForOutput, payloadForOutput, verifyImage} from '@sigil/signing'
import {attachmentStores} from '../shared/attachment-stores.js'
import type {VerifyImageResult} from '@sigil/signing'
import {defineCommand} from '../command.js'
import {keyContext, keyProviderFor, registryAdapters} from '../shared/command-io.js'
import {exitCodeFor} from '../shared/exit-codes.js'
import {registryFlagSpecs} from '../shared/flags.js'
import {createRegistryClient, signatureRepositoryFromEnv} from '../shared/registry.js'
import {offline, shared, verify as text} from '../messages.js'
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
    if (args.length === 0) throw new SigilError('INVALID_ARGUMENT', 'no image given: sigil verify --key KEY IMAGE…')
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
    const images = args.map((a) => parseReference(a))

    const provider = await keyProviderFor(io, flags.key)
    // One image: its registry is asked while the key loads (verifyImage reports a key error first).
    // Several: a key that does not load fails the command before any of them, not each one.
    const loading = provider.verifier(flags.key, keyContext(io, {timeout: flags.timeout, insecure: flags['allow-insecure-registry'] || flags['allow-http-registry']}))
    const verifier = images.length === 1 ? loading : await loading
    const client = await createRegistryClient(io, flags)

    const adapters = await registryAdapters(io)
    const out: VerifyResultJson['images'] = []
    let firstError: unknown
    for (const image of images) {
      const adapter = adapters.find((a) => a.matches(image.registry))
      const location = {signatureRepository: signatureRepositoryFromEnv(), attachmentTagPrefix: flags['attachment-tag-prefix']}
      try {
        const result = await verifyImage(image, {
          // Both formats, always: cosign 3's bundles (referrers) and the legacy .sig tag.
          stores: await attachmentStores(io, client, image.registry, location.attachmentTagPrefix, 'referrers-first'),
          client,
          verifier,
          checkClaims: flags['check-claims'],
          annotations: hasAnnotations ? annotations : undefined,
          hash,
          signatureRepository: signatureRepositoryFromEnv(),
          attachmentTagPrefix: flags['attachment-tag-prefix'],
          concurrency: flags['max-workers'],
          resolveWithHead: adapter?.capabilities.rateLimitedPulls === true,
        })
        report(io, image.name, result, flags.output, hasAnnotations, flags['check-claims'])
        out.push({image: image.name, digest: result.digest, verified: true, signatures: result.signatures.map((s) => payloadForOutput(s.payload))})
      } catch (err) {
        if (images.length === 1) throw err
        firstError ??= err
        out.push({image: image.name, verified: false, error: {code: isSigilError(err) ? err.code : undefined, message: (err as Error).message}})
        if (!io.json) writeStderr(`Error: ${image.name}: ${(err as Error).message}\n`)
      }
    }
    if (firstError !== undefined) process.exitCode = exitCodeFor(firstError)
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
