import {SigilError} from '@sigil/core'
import {payloadForOutput} from '@sigil/signing'
import {defineCommand} from '../command.js'
import {registryFlagSpecs} from '../shared/flags.js'
import {reportVerified, verifyFlagSpecs, verifyOptionsOf, verifyRegistryImages} from '../shared/verify-images.js'
import type {VerifiedImageJson} from '../shared/verify-images.js'
import {offline} from '../messages/offline.js'
import {verify as text} from '../messages/verify.js'

/** What `verify --json` prints. */
export interface VerifyResultJson {
  images: VerifiedImageJson[]
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
    ...verifyFlagSpecs,
    'local-image': {kind: 'boolean', description: offline.localImage, default: false},
    ...registryFlagSpecs,
  },
  async run({flags, args, io}): Promise<VerifyResultJson> {
    const {annotations, hash, checkClaims} = verifyOptionsOf(flags)
    if (flags['local-image']) {
      if (args.length !== 1) throw new SigilError('INVALID_ARGUMENT', offline.localImageOne)
      // Loaded only here: a registry verify never reads a layout.
      const {verifyLocalImage} = await import('../shared/local-image.js')
      const result = await verifyLocalImage(io, args[0]!, flags.key, {
        checkClaims,
        annotations,
        hash,
        attachmentTagPrefix: flags['attachment-tag-prefix'],
        concurrency: flags['max-workers'],
      })
      reportVerified(io, args[0]!, result, flags.output, annotations !== undefined, checkClaims)
      return {images: [{image: args[0]!, digest: result.digest, verified: true, signatures: result.signatures.map((s) => payloadForOutput(s.payload))}]}
    }
    return {images: await verifyRegistryImages(io, flags, args)}
  },
})
