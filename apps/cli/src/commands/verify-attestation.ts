import {SigilError, buildDsseEnvelope, predicateTypeForFlag} from '@sigil/core'
import type {HashAlgorithm} from '@sigil/core'
import {verifyAttestations} from '@sigil/signing'
import {verifyEach} from '../shared/verify-each.js'
import type {VerifyAttestationsResult} from '@sigil/signing'
import type {CommandIO} from '../shared/command-io.js'
import {defineCommand} from '../command.js'
import {registryFlagSpecs} from '../shared/flags.js'
import {attestation as text} from '../messages/attestation.js'
import {offline} from '../messages/offline.js'
import {shared} from '../messages/shared.js'
import {verify as verifyText} from '../messages/verify.js'
import {writeStderr, writeStdout} from '../shared/stdio.js'

/** What `verify-attestation --json` prints. */
export interface VerifyAttestationResultJson {
  images: Array<{
    image: string
    digest?: string
    verified: boolean
    attestations?: Array<{predicateType: string; location: string; format: string; statement: unknown}>
    error?: {code?: string; message: string}
  }>
}

/**
 * `sigil verify-attestation`: every image is checked and reported; the exit code is the first
 * failure's (a single image's failure is thrown, so it prints like any other error).
 */
export default defineCommand({
  summary: text.verify.summary,
  description: text.verify.description,
  examples: text.verify.examples,
  args: [{name: 'image', description: 'Image reference(s) to verify.', required: true, variadic: true}],
  flags: {
    key: {kind: 'string', char: 'k', description: shared.pubKey, required: true},
    type: {kind: 'string', description: text.verifyType},
    'check-claims': {kind: 'boolean', description: text.checkClaims, allowNo: true, default: true},
    'insecure-ignore-tlog': {kind: 'boolean', description: verifyText.ignoreTlog, allowNo: true, default: false},
    offline: {kind: 'boolean', description: verifyText.offline, allowNo: true, default: false},
    'signature-digest-algorithm': {kind: 'string', description: verifyText.digestAlgorithm, options: ['sha224', 'sha256', 'sha384', 'sha512'], default: 'sha256'},
    'max-workers': {kind: 'integer', description: verifyText.maxWorkers, default: 10, min: 1},
    'local-image': {kind: 'boolean', description: offline.localImage, default: false},
    ...registryFlagSpecs,
  },
  async run({flags, args, io}): Promise<VerifyAttestationResultJson> {
    // cosign's --type filter takes the same shortcuts as attest (its default "custom" filters too; sigil's default is no filter).
    const predicateType = flags.type === undefined ? undefined : predicateTypeForFlag(flags.type)
    const checks = {
      ...(predicateType === undefined ? {} : {predicateType}),
      checkClaims: flags['check-claims'],
      hash: flags['signature-digest-algorithm'] as HashAlgorithm,
      concurrency: flags['max-workers'],
    }
    if (flags['local-image']) {
      if (args.length !== 1) throw new SigilError('INVALID_ARGUMENT', offline.localImageOne)
      const dir = args[0]!
      const {withLocalImage} = await import('../shared/local-image.js')
      const result = await withLocalImage(io, dir, flags.key, {attachmentTagPrefix: flags['attachment-tag-prefix']}, (local) =>
        verifyAttestations(local.image, {stores: local.stores, client: local.client, verifier: local.verifier, ...checks}),
      )
      report(io, dir, result, flags['check-claims'])
      return {images: [{image: dir, verified: true, ...resultJson(result)}]}
    }
    const out = await verifyEach(io, flags, args, async ({image, client, verifier, stores, adapter, signatureRepository}) => {
      const result = await verifyAttestations(image, {
        // Both formats, always: cosign 3's bundle referrers, then the legacy .att tag.
        stores,
        client,
        verifier,
        ...checks,
        resolveWithHead: adapter?.capabilities.rateLimitedPulls === true,
        signatureRepository,
        attachmentTagPrefix: flags['attachment-tag-prefix'],
      })
      report(io, image.name, result, flags['check-claims'])
      return resultJson(result)
    })
    return {images: out}
  },
})

/** The header on stderr and each verified envelope on stdout, as cosign prints them (nothing with --json). */
function report(io: CommandIO, name: string, result: VerifyAttestationsResult, checkClaims: boolean): void {
  if (io.json) return
  writeStderr(`${text.verify.header(name, checkClaims)}\n`)
  // As cosign prints them: a bundle's envelope in protojson, a .att layer's in Go's spelling.
  for (const a of result.attestations) writeStdout(`${Buffer.from(buildDsseEnvelope(a.envelope, a.format === 'sigstore-bundle' ? 'bundle' : 'legacy')).toString('utf8')}\n`)
}

/** One verified image's `--json` entry, but its name. */
function resultJson(result: VerifyAttestationsResult): {digest: string; attestations: NonNullable<VerifyAttestationResultJson['images'][number]['attestations']>} {
  return {
    digest: result.digest,
    attestations: result.attestations.map((a) => ({
      predicateType: a.statement.predicateType,
      location: a.location,
      format: a.format,
      statement: JSON.parse(Buffer.from(a.envelope.payload).toString('utf8')) as unknown,
    })),
  }
}
