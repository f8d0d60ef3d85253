import {SigilError, decodeStdBase64, parseReference} from '@sigil/core'
import {MAX_PAYLOAD_BYTES, attachSignature} from '@sigil/signing'
import {defineCommand} from '../../command.js'
import {info} from '../../shared/command-io.js'
import {readInputFile} from '../../shared/files.js'
import {registryFlagSpecs} from '../../shared/flags.js'
import {readAllStdin, processSources} from '../../shared/password.js'
import {createRegistryClient, dockerMediaTypesFromEnv, explainRegistryError, signatureRepositoryFromEnv} from '../../shared/registry.js'
import {attachSignature as text} from '../../messages/attach-signature.js'

/** What `attach signature --json` prints. */
export interface AttachSignatureResultJson {
  image: string
  digest: string
  signatureTag: string
  appended: boolean
  signature: string
}

/** A signature is far smaller than this; anything bigger is not one. */
const MAX_SIGNATURE_TEXT = 64 * 1024

/** `--signature`: `-` (standard input), a file holding the base64, or the base64 itself (as cosign). */
async function signatureText(value: string): Promise<string> {
  if (value === '-') {
    const bytes = await readAllStdin(processSources())
    if (bytes.length > MAX_SIGNATURE_TEXT) throw new SigilError('INVALID_ARGUMENT', text.stdinTooLarge(MAX_SIGNATURE_TEXT))
    return new TextDecoder().decode(bytes)
  }
  const {stat} = process.getBuiltinModule('node:fs/promises')
  const isFile = await stat(value).then((s) => s.isFile(), () => false)
  if (isFile) return new TextDecoder().decode(await readInputFile('signature', value, MAX_SIGNATURE_TEXT))
  if (decodeStdBase64(value.trim())?.length) return value
  throw new SigilError('INVALID_ARGUMENT', text.notBase64(value))
}

/** `sigil attach signature`: push a signature made elsewhere, as `sign` stores it. */
export default defineCommand({
  summary: text.summary,
  description: text.description,
  examples: text.examples,
  args: [{name: 'image', description: 'Image reference.', required: true}],
  flags: {
    payload: {kind: 'string', description: text.payload, required: true},
    signature: {kind: 'string', description: text.signature, required: true},
    ...registryFlagSpecs,
  },
  async run({flags, args, io}): Promise<AttachSignatureResultJson> {
    const image = parseReference(args[0]!)
    // Both inputs are read before the registry is contacted: a missing file costs nothing.
    const payload = await readInputFile('payload', flags.payload, MAX_PAYLOAD_BYTES)
    const signature = await signatureText(flags.signature)
    const client = await createRegistryClient(io, flags)
    const signatureRepository = signatureRepositoryFromEnv()
    const result = await attachSignature(image, {
      client,
      payload,
      signature,
      signatureRepository,
      attachmentTagPrefix: flags['attachment-tag-prefix'],
      dockerMediaTypes: dockerMediaTypesFromEnv(),
      onEvent: (e) => {
        if (e.kind === 'pushing') info(io, `Pushing signature to: ${e.location.replace(/:[^:/]+$/, '')}`)
        else info(io, `Signature already present in ${e.location}; nothing to add`)
      },
    }).catch(async (err: unknown) => {
      throw await explainRegistryError(io, image, err)
    })
    return {image: image.name, digest: result.digest, signatureTag: result.signatureLocation, appended: result.appended, signature: result.signature}
  },
})
