import {MAX_PREDICATE_BYTES, SigilError, attestationPredicate, parseReference} from '@sigil/core'
import {attestImage} from '@sigil/signing'
import {defineCommand} from '../command.js'
import {info, keyContext, keyProviderFor} from '../shared/command-io.js'
import {registryFlagSpecs} from '../shared/flags.js'
import {readBoundedFile} from '../shared/input-files.js'
import {createRegistryClient, dockerMediaTypesFromEnv, explainRegistryError, referrersApiMemory, signatureRepositoryFromEnv} from '../shared/registry.js'
import {signsBundles} from '../shared/user-config.js'
import {writeStdout} from '../shared/stdio.js'
import {attestation as text} from '../messages/attestation.js'
import {shared} from '../messages/shared.js'
import {sign as signText} from '../messages/sign.js'

/** What `attest --json` prints: one entry per attested image. */
export interface AttestResultJson {
  attested: Array<{
    image: string
    digest: string
    predicateType: string
    /** The `.att` tag, or the referrer `registry/repo@sha256:…`. */
    location: string
    added: boolean
    /** Standard base64 of the envelope (legacy) or the bundle (--new-bundle-format). */
    envelope?: string
    bundle?: string
    replaced?: number
  }>
}

/** `sigil attest`: attest each image in turn with one unlocked key; stops at the first failure, as cosign. */
export default defineCommand({
  summary: text.attest.summary,
  description: text.attest.description,
  examples: text.attest.examples,
  args: [{name: 'image', description: 'Image reference(s) to attest.', required: true, variadic: true}],
  flags: {
    key: {kind: 'string', char: 'k', description: shared.key, required: true},
    predicate: {kind: 'string', description: text.predicate, required: true},
    type: {kind: 'string', description: text.type, default: 'custom'},
    replace: {kind: 'boolean', description: text.attest.replace, allowNo: true, default: false},
    'no-upload': {kind: 'boolean', description: text.attest.noUpload, allowNo: true, default: false},
    yes: {kind: 'boolean', char: 'y', description: text.yes, default: false},
    'tlog-upload': {kind: 'boolean', description: text.tlogUpload, allowNo: true, default: false},
    'new-bundle-format': {kind: 'boolean', description: signText.newBundleFormat, allowNo: true},
    'registry-referrers-mode': {kind: 'string', description: signText.referrersMode, options: ['legacy', 'oci-1-1']},
    'signing-config': {kind: 'string', description: signText.signingConfig, hidden: true},
    'use-signing-config': {kind: 'boolean', description: signText.signingConfig, allowNo: true, hidden: true},
    ...registryFlagSpecs,
  },
  async run({flags, args, io}): Promise<AttestResultJson> {
    if (flags['tlog-upload']) throw new SigilError('INVALID_ARGUMENT', text.tlogUnsupported)
    const bundleFormat = signsBundles(flags['new-bundle-format'])
    if (bundleFormat && flags['no-upload']) throw new SigilError('INVALID_ARGUMENT', text.attest.bundleNoUpload)
    // Everything the user typed is checked before the key or the network is touched.
    const images = args.map((a) => parseReference(a))
    const file = await readBoundedFile('predicate', flags.predicate, MAX_PREDICATE_BYTES)
    const {predicateType, predicate} = attestationPredicate({type: flags.type, predicate: file})

    const provider = await keyProviderFor(io, flags.key)
    const ctx = keyContext(io, {timeout: flags.timeout, insecure: flags['allow-insecure-registry'] || flags['allow-http-registry']})
    const signer = provider.signer(flags.key, ctx).catch((err: unknown) => {
      throw ctx.explain(err)
    })
    signer.catch(() => {}) // awaited (and reported) by attestImage; never an unhandled rejection
    const client = await createRegistryClient(io, flags)
    const memory = referrersApiMemory()
    const mode = flags['registry-referrers-mode']
    const attested: AttestResultJson['attested'] = []
    for (const image of images) {
      const result = await attestImage(image, {
        client,
        signer,
        predicateType,
        predicate,
        format: bundleFormat ? 'bundle' : 'legacy',
        replace: flags.replace,
        upload: !flags['no-upload'],
        memory,
        ...(mode === undefined ? {} : {referrersApi: mode === 'oci-1-1'}),
        signatureRepository: signatureRepositoryFromEnv(),
        attachmentTagPrefix: flags['attachment-tag-prefix'],
        dockerMediaTypes: dockerMediaTypesFromEnv(),
        onEvent: (e) => {
          if (e.kind === 'resolved' && e.fromTag) info(io, signText.tagWarning(e.image.name))
          if (e.kind === 'pushing') info(io, text.attest.pushing(e.location))
          if (e.kind === 'duplicate') info(io, text.attest.duplicate(e.location))
        },
      }).catch(async (err: unknown) => {
        // A bad key is reported before a registry problem met while it was being unlocked.
        await signer
        throw await explainRegistryError(io, image, err)
      })
      if (result.replaced) info(io, text.attest.replaced(result.replaced))
      if (flags['no-upload'] && !io.json) writeStdout(`${Buffer.from(result.envelope!).toString('utf8')}\n`)
      attested.push({
        image: image.name,
        digest: result.digest,
        predicateType,
        location: result.location,
        added: result.added,
        ...(result.envelope ? {envelope: Buffer.from(result.envelope).toString('base64')} : {}),
        ...(result.bundle ? {bundle: Buffer.from(result.bundle).toString('base64')} : {}),
        ...(result.replaced === undefined ? {} : {replaced: result.replaced}),
      })
    }
    return {attested}
  },
})
