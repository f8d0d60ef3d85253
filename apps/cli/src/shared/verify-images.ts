/**
 * `sigil verify` of registry images, as `verify` and `manifest verify` share it: the flags, each
 * image checked over both storage formats (cosign 3's referrers and the legacy .sig tag) and its
 * verified payloads printed as cosign prints them.
 */
import {parseAnnotationFlags} from '@sigil/core'
import type {HashAlgorithm} from '@sigil/core'
import {marshalPayloadForOutput, payloadForOutput, verifyImage} from '@sigil/signing'
import type {VerifyImageResult} from '@sigil/signing'
import type {FlagValues} from '../command.js'
import type {CommandIO} from './command-io.js'
import {registryFlagSpecs} from './flags.js'
import {verifyEach} from './verify-each.js'
import {shared} from '../messages/shared.js'
import {verify as text} from '../messages/verify.js'
import {writeStdout, writeStderr} from './stdio.js'

/** The verify flags before the registry flags (`verify` adds --local-image between them). */
export const verifyFlagSpecs = {
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
} as const

type VerifyFlags = FlagValues<typeof verifyFlagSpecs & typeof registryFlagSpecs>

/** One image of what `verify --json` prints. */
export type VerifiedImageJson = {image: string; digest?: string; verified: boolean; signatures?: unknown[]; error?: {code?: string; message: string}}

/** The annotations, hash and claims check the flags ask for. */
export function verifyOptionsOf(flags: FlagValues<typeof verifyFlagSpecs>) {
  const annotations = parseAnnotationFlags(flags.annotations)
  const hasAnnotations = Object.keys(annotations).length > 0
  return {annotations: hasAnnotations ? annotations : undefined, hash: flags['signature-digest-algorithm'] as HashAlgorithm, checkClaims: flags['check-claims']}
}

/** Verify each registry image of `args` in order, printing each one's payloads (see verifyEach for failures and `each`). */
export async function verifyRegistryImages(io: CommandIO, flags: VerifyFlags, args: readonly string[], options: {readonly each?: boolean} = {}): Promise<VerifiedImageJson[]> {
  const {annotations, hash, checkClaims} = verifyOptionsOf(flags)
  return verifyEach(io, flags, args, async ({image, client, verifier, stores, adapter, signatureRepository}) => {
    const result = await verifyImage(image, {
      // Both formats, always: cosign 3's bundles (referrers) and the legacy .sig tag.
      stores,
      client,
      verifier,
      checkClaims,
      annotations,
      hash,
      signatureRepository,
      attachmentTagPrefix: flags['attachment-tag-prefix'],
      concurrency: flags['max-workers'],
      resolveWithHead: adapter?.capabilities.rateLimitedPulls === true,
    })
    reportVerified(io, image.name, result, flags.output, annotations !== undefined, checkClaims)
    return {digest: result.digest, signatures: result.signatures.map((s) => payloadForOutput(s.payload))}
  }, options)
}

/** The verified payloads as cosign prints them (nothing under --json: the result is printed instead). */
export function reportVerified(io: {json: boolean}, name: string, result: VerifyImageResult, output: string, annotations: boolean, claims: boolean): void {
  if (io.json) return
  writeStderr(`${text.header(name, annotations, claims)}\n`)
  if (output === 'text') {
    for (const s of result.signatures) writeStdout(`${Buffer.from(s.payloadBytes).toString('utf8')}\n`)
  } else {
    writeStdout(`\n[${result.signatures.map((s) => marshalPayloadForOutput(s.payload)).join(',')}]\n`)
  }
}
