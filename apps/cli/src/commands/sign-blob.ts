import {SigilError, buildLegacyBlobBundle, buildMessageSignatureBundle, encodeStdBase64, publicKeyHint} from '@sigil/core'
import {signBlob} from '@sigil/signing'
import type {BlobInput} from '@sigil/signing'
import {defineCommand} from '../command.js'
import {info, keyContext, keyProviderFor} from '../shared/command-io.js'
import type {CliKeyContext} from '../shared/command-io.js'
import {stdinIsTerminal} from '../shared/password.js'
import {writeOutputFile} from '../shared/files.js'
import {timeoutFlagSpec} from '../shared/flags.js'
import {progressBar} from '../shared/progress.js'
import {shared} from '../messages/shared.js'
import {signBlob as text} from '../messages/sign-blob.js'
import {writeStdout, writeStdoutBytes} from '../shared/stdio.js'

/** What `sign-blob --json` prints. */
export interface SignBlobResultJson {
  /** The signature, standard base64. */
  signature: string
  /** SHA-256 of the file, `sha256:<hex>`. */
  digest: string
  size: number
  /** Where the signature was written (--output-signature). */
  signatureFile?: string
  /** Where the bundle was written (--bundle), and its format. */
  bundle?: string
  bundleFormat?: 'sigstore-bundle-v0.3' | 'legacy'
}

/** `sigil sign-blob`: one pass over the file, then the signature and the optional bundle written atomically. */
export default defineCommand({
  summary: text.summary,
  description: text.description,
  examples: text.examples,
  args: [{name: 'file', description: text.file, required: true}],
  flags: {
    key: {kind: 'string', char: 'k', description: shared.key, required: true},
    'output-signature': {kind: 'string', description: text.outputSignature},
    output: {kind: 'string', description: text.output, hidden: true},
    'output-certificate': {kind: 'string', description: text.outputCertificate, hidden: true},
    bundle: {kind: 'string', description: text.bundle},
    'new-bundle-format': {kind: 'boolean', description: text.newBundleFormat, allowNo: true, default: true},
    b64: {kind: 'boolean', description: text.b64, allowNo: true, default: true},
    yes: {kind: 'boolean', char: 'y', description: text.yes, default: false},
    'tlog-upload': {kind: 'boolean', description: text.tlogUpload, allowNo: true, default: false},
    'signing-config': {kind: 'string', description: text.signingConfig, hidden: true},
    'use-signing-config': {kind: 'boolean', description: text.signingConfig, allowNo: true, hidden: true},
    timeout: {...timeoutFlagSpec.timeout, description: text.timeout},
  },
  async run({flags, args, io}): Promise<SignBlobResultJson> {
    if (flags['tlog-upload']) throw new SigilError('INVALID_ARGUMENT', text.tlogUnsupported)
    // FILE is required: parseArgv has refused a command line without it.
    const file = args[0]!
    if (file === '') throw new SigilError('INVALID_ARGUMENT', 'no file given: sigil sign-blob --key KEY FILE (or - for standard input)')
    const outputSignature = flags['output-signature'] ?? flags.output
    const input: BlobInput = file === '-' ? {stream: process.stdin, name: 'standard input'} : {path: file}
    if (file !== '-') info(io, text.usingPayload(file))

    const provider = await keyProviderFor(io, flags.key)
    const base = keyContext(io, {timeout: flags.timeout})
    // Standard input is the file: a password cannot come from there too.
    const ctx: CliKeyContext =
      file === '-' && process.env.SIGIL_PASSWORD === undefined && process.env.COSIGN_PASSWORD === undefined && !stdinIsTerminal()
        ? {...base, getPassword: () => Promise.reject(new SigilError('PASSWORD_REQUIRED', text.stdinPassword))}
        : base
    const signer = provider.signer(flags.key, ctx).catch((err: unknown) => {
      throw ctx.explain(err)
    })
    signer.catch(() => {}) // awaited (and reported) by signBlob
    const progress = progressBar(io, `Signing ${file === '-' ? 'standard input' : file}`)
    let result
    try {
      result = await signBlob(input, {signer, onProgress: (done, total) => progress.update(done, total)})
    } finally {
      progress.done()
    }
    const signatureB64 = encodeStdBase64(result.signature)
    const out: SignBlobResultJson = {signature: signatureB64, digest: `sha256:${result.sha256}`, size: result.size}

    if (flags.bundle !== undefined) {
      const bundle = flags['new-bundle-format']
        ? buildMessageSignatureBundle({digestHex: result.sha256, signature: result.signature, publicKeyHint: publicKeyHint((await (await signer).publicKey()).spki)})
        : buildLegacyBlobBundle(result.signature)
      await writeOutputFile(flags.bundle, bundle, true)
      info(io, text.wroteBundle(flags.bundle))
      out.bundle = flags.bundle
      out.bundleFormat = flags['new-bundle-format'] ? 'sigstore-bundle-v0.3' : 'legacy'
    }
    if (outputSignature !== undefined) {
      await writeOutputFile(outputSignature, flags.b64 ? new TextEncoder().encode(signatureB64) : result.signature, true)
      info(io, text.wroteSignature(outputSignature))
      out.signatureFile = outputSignature
    } else if (!io.json) {
      if (flags.b64) writeStdout(`${signatureB64}\n`)
      else writeStdoutBytes(result.signature)
    }
    return out
  },
})
