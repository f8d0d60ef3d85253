import {basename} from 'node:path'
import {MAX_PREDICATE_BYTES, SigilError, attestationPredicate, buildAttestationStatement, buildDsseBundle, buildDsseEnvelope, publicKeyHint} from '@sigil/core'
import {signStatement} from '@sigil/signing'
import {defineCommand} from '../command.js'
import {info, keyContext, keyProviderFor} from '../shared/command-io.js'
import {timeoutFlagSpec} from '../shared/flags.js'
import {checkWritable} from '../shared/files.js'
import {readBoundedFile, sha256File, writeFilesAtomic} from '../shared/input-files.js'
import {writeStdout} from '../shared/stdio.js'
import {attestation as text} from '../messages/attestation.js'
import {shared} from '../messages/shared.js'

/** What `attest-blob --json` prints. */
export interface AttestBlobResultJson {
  file: string
  sha256: string
  predicateType: string
  /** Standard base64 of the envelope JSON and of the bundle (when --bundle). */
  envelope: string
  bundle?: string
  outputSignature?: string
  bundleFile?: string
}

/** `sigil attest-blob`: an in-toto statement about a local file, signed into a DSSE envelope; nothing leaves the machine but the KMS call, if any. */
export default defineCommand({
  summary: text.attestBlob.summary,
  description: text.attestBlob.description,
  examples: text.attestBlob.examples,
  args: [{name: 'file', description: 'The file to attest.', required: true}],
  flags: {
    key: {kind: 'string', char: 'k', description: shared.key, required: true},
    predicate: {kind: 'string', description: text.predicate, required: true},
    type: {kind: 'string', description: text.type, default: 'custom'},
    bundle: {kind: 'string', description: text.attestBlob.bundle},
    'output-signature': {kind: 'string', description: text.attestBlob.outputSignature},
    force: {kind: 'boolean', char: 'f', description: text.attestBlob.force, default: false},
    yes: {kind: 'boolean', char: 'y', description: text.yes, default: false},
    'tlog-upload': {kind: 'boolean', description: text.tlogUpload, allowNo: true, default: false},
    'new-bundle-format': {kind: 'boolean', description: text.attestBlob.bundle, allowNo: true, hidden: true},
    'signing-config': {kind: 'string', description: text.tlogUpload, hidden: true},
    'use-signing-config': {kind: 'boolean', description: text.tlogUpload, allowNo: true, hidden: true},
    ...timeoutFlagSpec,
  },
  async run({flags, args, io}): Promise<AttestBlobResultJson> {
    if (flags['tlog-upload']) throw new SigilError('INVALID_ARGUMENT', text.tlogUnsupported)
    const file = args[0]!
    if (flags.bundle !== undefined && flags.bundle === flags['output-signature']) throw new SigilError('INVALID_ARGUMENT', '--bundle and --output-signature name the same file')
    // Output files that exist are refused before any work (and again when written).
    for (const path of [flags.bundle, flags['output-signature']]) if (path !== undefined) await checkWritable(path, flags.force)
    const predicateFile = await readBoundedFile('predicate', flags.predicate, MAX_PREDICATE_BYTES)
    const {predicateType, predicate} = attestationPredicate({type: flags.type, predicate: predicateFile})
    info(io, text.attestBlob.hashing(file))
    const hex = await sha256File('file', file)
    // cosign names the subject by the path's base name (Go path.Base).
    const statement = buildAttestationStatement({subjects: [{name: basename(file), digest: {sha256: hex}}], predicateType, predicate})

    const provider = await keyProviderFor(io, flags.key)
    const ctx = keyContext(io, {timeout: flags.timeout})
    const signer = await provider.signer(flags.key, ctx).catch((err: unknown) => {
      throw ctx.explain(err)
    })
    const envelope = await signStatement(signer, statement)
    const envelopeJson = buildDsseEnvelope(envelope)
    const bundle = flags.bundle === undefined ? undefined : buildDsseBundle({envelope, publicKeyHint: publicKeyHint((await signer.publicKey()).spki)})
    const outputs = [
      ...(bundle ? [{path: flags.bundle!, data: bundle, what: 'Bundle'}] : []),
      ...(flags['output-signature'] === undefined ? [] : [{path: flags['output-signature'], data: envelopeJson, what: 'Signature'}]),
    ]
    await writeFilesAtomic(outputs, flags.force)
    for (const o of outputs) info(io, text.attestBlob.wrote(o.what, o.path))
    if (outputs.length === 0 && !io.json) {
      writeStdout(`${Buffer.from(envelopeJson).toString('utf8')}\n`)
    }
    return {
      file,
      sha256: hex,
      predicateType,
      envelope: Buffer.from(envelopeJson).toString('base64'),
      ...(bundle ? {bundle: Buffer.from(bundle).toString('base64'), bundleFile: flags.bundle} : {}),
      ...(flags['output-signature'] === undefined ? {} : {outputSignature: flags['output-signature']}),
    }
  },
})
