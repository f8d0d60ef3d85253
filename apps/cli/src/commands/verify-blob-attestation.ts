import {MAX_BUNDLE_BYTES, MAX_DSSE_ENVELOPE_BYTES, SigilError, bundleStatement, checkAttestationStatement, envelopeStatement, parseDsseEnvelope, parseSigstoreBundle, predicateTypeForFlag} from '@sigil/core'
import type {BundleStatement} from '@sigil/core'
import {defineCommand} from '../command.js'
import {info, keyContext, keyProviderFor} from '../shared/command-io.js'
import {timeoutFlagSpec} from '../shared/flags.js'
import {readBoundedFile, sha256File} from '../shared/input-files.js'
import {attestation as text} from '../messages/attestation.js'
import {shared} from '../messages/shared.js'

/** The envelope in cosign 2's `attest-blob --bundle` file (`{"base64Signature": <base64 of the envelope>, "cert": …}`), if it is one. */
function legacyBundleEnvelope(input: Uint8Array): Uint8Array | undefined {
  let doc: unknown
  try {
    doc = JSON.parse(Buffer.from(input).toString('utf8'))
  } catch {
    return undefined
  }
  const b64 = (doc as {base64Signature?: unknown})?.base64Signature
  return typeof b64 === 'string' && (doc as {mediaType?: unknown}).mediaType === undefined ? new Uint8Array(Buffer.from(b64, 'base64')) : undefined
}

/** What `verify-blob-attestation --json` prints. */
export interface VerifyBlobAttestationResultJson {
  file: string
  sha256: string
  verified: true
  predicateType: string
  statement: unknown
}

/** `sigil verify-blob-attestation`: check a file's DSSE attestation (envelope or bundle) with a public key, offline. */
export default defineCommand({
  summary: text.verifyBlob.summary,
  description: text.verifyBlob.description,
  examples: text.verifyBlob.examples,
  args: [{name: 'file', description: 'The attested file.', required: true}],
  flags: {
    key: {kind: 'string', char: 'k', description: shared.pubKey, required: true},
    signature: {kind: 'string', description: text.verifyBlob.signature},
    bundle: {kind: 'string', description: text.verifyBlob.bundle},
    type: {kind: 'string', description: text.verifyType},
    'check-claims': {kind: 'boolean', description: text.checkClaims, allowNo: true, default: true},
    'insecure-ignore-tlog': {kind: 'boolean', description: 'Accepted for cosign compatibility: sigil never consults a transparency log.', allowNo: true, default: false},
    ...timeoutFlagSpec,
  },
  async run({flags, args, io}): Promise<VerifyBlobAttestationResultJson> {
    const file = args[0]!
    if ((flags.signature === undefined) === (flags.bundle === undefined)) throw new SigilError('INVALID_ARGUMENT', text.verifyBlob.oneOf)
    const predicateType = flags.type === undefined ? undefined : predicateTypeForFlag(flags.type)
    const fromBundle = flags.bundle !== undefined
    const input = await readBoundedFile(fromBundle ? 'bundle' : 'signature', (flags.bundle ?? flags.signature)!, fromBundle ? MAX_BUNDLE_BYTES : MAX_DSSE_ENVELOPE_BYTES)
    let parsed: BundleStatement
    try {
      const legacy = fromBundle ? legacyBundleEnvelope(input) : undefined
      parsed = legacy ? envelopeStatement(parseDsseEnvelope(legacy)) : fromBundle ? bundleStatement(parseSigstoreBundle(input)) : envelopeStatement(parseDsseEnvelope(input))
    } catch (err) {
      throw new SigilError('NO_MATCHING_SIGNATURES', `${flags.bundle ?? flags.signature}: ${(err as Error).message}`, {cause: err})
    }
    const hex = await sha256File('file', file)

    const provider = await keyProviderFor(io, flags.key)
    const ctx = keyContext(io, {timeout: flags.timeout})
    const verifier = await provider.verifier(flags.key, ctx)
    if (!parsed.envelope.signatures.some((s) => s.sig.length > 0 && verifier.verify(parsed.pae, s.sig))) {
      throw new SigilError('NO_MATCHING_SIGNATURES', 'invalid signature when validating the DSSE envelope')
    }
    if (flags['check-claims']) {
      const claims = checkAttestationStatement(parsed.statement, {digest: `sha256:${hex}`})
      if (!claims.ok) throw new SigilError('NO_MATCHING_SIGNATURES', claims.reason)
    }
    if (predicateType !== undefined && parsed.statement.predicateType !== predicateType) {
      throw new SigilError('NO_MATCHING_SIGNATURES', `none of the attestations matched the predicate type: ${predicateType}, found: ${parsed.statement.predicateType}`)
    }
    info(io, text.verifyBlob.verified)
    return {file, sha256: hex, verified: true, predicateType: parsed.statement.predicateType, statement: JSON.parse(Buffer.from(parsed.envelope.payload).toString('utf8')) as unknown}
  },
})
