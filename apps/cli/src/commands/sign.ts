import {SigilError, parseAnnotationFlags, parseReference, withDigest} from '@sigil/core'
import type {ImageReference} from '@sigil/core'
import {platformString, recursiveSignTargets, signImage, signImageBundle} from '@sigil/signing'
import type {SignEvent, SignTarget} from '@sigil/signing'
import {defineCommand} from '../command.js'
import {info, keyContext, keyProviderFor} from '../shared/command-io.js'
import {dedupVerifier} from '../shared/dedup.js'
import {signsBundles} from '../shared/user-config.js'
import {registryFlagSpecs} from '../shared/flags.js'
import {createRegistryClient, dockerMediaTypesFromEnv, explainRegistryError, referrersApiMemory, signatureRepositoryFromEnv} from '../shared/registry.js'
import {shared} from '../messages/shared.js'
import {sign as text} from '../messages/sign.js'
import {twoStep} from '../messages/two-step.js'
import {checkWritable, writeOutputFile} from '../shared/files.js'
import {writeStdout} from '../shared/stdio.js'

/** What `sign --json` prints: one entry per signed digest (with --recursive: each manifest an index lists, then the index). */
export interface SignResultJson {
  signed: Array<{
    image: string
    digest: string
    signatureTag: string
    appended: boolean
    signature: string
    payload: string
    bundle?: string
    referrer?: string
    /** --recursive: the digest of the index listing this manifest. */
    index?: string
    /** --recursive: the platform its index gives it (`os/arch[/variant]`). */
    platform?: string
  }>
}

/** The `--json` fields saying where a --recursive target sits in its index. */
function placeOf(target: SignTarget | undefined): {index?: string; platform?: string} {
  if (target?.index === undefined) return {}
  return {index: target.index, ...(target.platform && {platform: platformString(target.platform)})}
}

/** `sigil sign`: sign each image in turn with one unlocked key; stops at the first failure, as cosign. */
export default defineCommand({
  summary: text.summary,
  description: text.description,
  examples: text.examples,
  args: [{name: 'image', description: 'Image reference(s) to sign.', required: true, variadic: true}],
  flags: {
    key: {kind: 'string', char: 'k', description: shared.key, required: true},
    annotations: {kind: 'string', char: 'a', description: shared.annotations, multiple: true, default: []},
    yes: {kind: 'boolean', char: 'y', description: text.yes, default: false},
    'tlog-upload': {kind: 'boolean', description: text.tlogUpload, allowNo: true, default: false},
    upload: {kind: 'boolean', description: text.upload, allowNo: true, default: true},
    'sign-container-identity': {kind: 'string', description: text.identity},
    'new-bundle-format': {kind: 'boolean', description: text.newBundleFormat, allowNo: true},
    'registry-referrers-mode': {kind: 'string', description: text.referrersMode, options: ['legacy', 'oci-1-1']},
    'signing-config': {kind: 'string', description: text.signingConfig, hidden: true},
    'use-signing-config': {kind: 'boolean', description: text.signingConfig, allowNo: true, hidden: true},
    recursive: {kind: 'boolean', char: 'r', description: text.recursive, allowNo: true, default: false},
    'output-signature': {kind: 'string', description: twoStep.outputSignature},
    'output-payload': {kind: 'string', description: twoStep.outputPayload},
    force: {kind: 'boolean', description: twoStep.force, default: false},
    ...registryFlagSpecs,
  },
  async run({flags, args, io}): Promise<SignResultJson> {
    if (flags['tlog-upload']) throw new SigilError('INVALID_ARGUMENT', text.tlogUnsupported)
    const annotations = parseAnnotationFlags(flags.annotations)
    // Parse every reference before touching the key or the network: a typo costs nothing.
    const images = args.map((a) => parseReference(a))
    const outputs = {signature: flags['output-signature'], payload: flags['output-payload']}
    const writesFiles = outputs.signature !== undefined || outputs.payload !== undefined
    if (writesFiles && images.length > 1 && !flags.recursive) throw new SigilError('INVALID_ARGUMENT', twoStep.outputsOneImage)
    // cosign's naming: with --recursive each digest gets its own files.
    const outputPath = (path: string, digest: string) => (flags.recursive ? `${path}-${digest.replace(':', '-')}` : path)
    if (!flags.recursive) for (const path of [outputs.signature, outputs.payload]) if (path !== undefined) await checkWritable(path, flags.force)

    const provider = await keyProviderFor(io, flags.key)
    // The key unlocks (scrypt, a KMS round trip) while the first image is resolved.
    const ctx = keyContext(io, {timeout: flags.timeout, insecure: flags['allow-insecure-registry'] || flags['allow-http-registry']})
    const signer = provider.signer(flags.key, ctx).catch((err: unknown) => {
      throw ctx.explain(err)
    })
    signer.catch(() => {}) // awaited (and reported) by signImage; never an unhandled rejection
    const verifier = dedupVerifier(signer)
    const client = await createRegistryClient(io, flags)
    const signed: SignResultJson['signed'] = []
    const onEvent = (e: SignEvent): void => {
      if (e.kind === 'resolved' && e.fromTag) info(io, text.tagWarning(e.image.name))
    }
    /** What one IMAGE argument signs: itself, or with --recursive each manifest its index lists and the index. */
    const expand = async (image: ImageReference): Promise<Array<{ref: ImageReference; target?: SignTarget}>> => {
      if (!flags.recursive) return [{ref: image}]
      const found = await recursiveSignTargets(client, image, {onEvent}).catch(async (err: unknown) => {
        await signer
        throw err
      })
      if (found.targets.length > 1) info(io, text.recursiveTargets(found.targets.length - 1, `${image.repositoryName}@${found.digest}`))
      return found.targets.map((target) => ({ref: withDigest(image, target.digest), target}))
    }
    /** Every image argument expanded, in order, before anything is signed. */
    const expandAll = async (): Promise<Array<{ref: ImageReference; target?: SignTarget}>> => {
      const all = []
      for (const image of images) all.push(...(await expand(image)))
      return all
    }
    // cosign 3's format: --new-bundle-format, else SIGIL_NEW_BUNDLE_FORMAT, else config.json.
    const bundleFormat = signsBundles(flags['new-bundle-format'])
    if (bundleFormat) {
      if (writesFiles) throw new SigilError('INVALID_ARGUMENT', twoStep.outputsNoBundle)
      if (!flags.upload) throw new SigilError('INVALID_ARGUMENT', text.bundleNoUpload)
      const memory = referrersApiMemory()
      const referrersApi = flags['registry-referrers-mode'] === undefined ? undefined : flags['registry-referrers-mode'] === 'oci-1-1'
      for (const {ref: image, target} of await expandAll()) {
        const result = await signImageBundle(image, {
          client,
          signer,
          annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
          memory,
          ...(referrersApi === undefined ? {} : {referrersApi}),
          onEvent: (e) => {
            onEvent(e)
            if (e.kind === 'pushing') info(io, `Pushing signature to: ${e.location}`)
          },
        }).catch(async (err: unknown) => {
          await signer
          throw err
        })
        const referrerDigest = result.referrer.slice(result.referrer.lastIndexOf('@') + 1)
        signed.push({image: image.name, digest: result.digest, signatureTag: result.indexTag ?? result.referrer, appended: true, signature: '', payload: '', bundle: Buffer.from(result.bundle).toString('base64'), referrer: referrerDigest, ...placeOf(target)})
      }
      return {signed}
    }
    const targets = await expandAll()
    // With --recursive the output names carry each digest: all of them are checked before the
    // first signature, so an existing file never stops the command half-way.
    if (flags.recursive) {
      for (const {ref} of targets) for (const path of [outputs.signature, outputs.payload]) if (path !== undefined && ref.digest !== undefined) await checkWritable(outputPath(path, ref.digest), flags.force)
    }
    for (const {ref: image, target} of targets) {
      const result = await signImage(image, {
        client,
        signer,
        verifier,
        annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
        identity: flags['sign-container-identity'],
        signatureRepository: signatureRepositoryFromEnv(),
        attachmentTagPrefix: flags['attachment-tag-prefix'],
        dockerMediaTypes: dockerMediaTypesFromEnv(),
        upload: flags.upload,
        onEvent: (e) => {
          onEvent(e)
          if (e.kind === 'pushing') info(io, `Pushing signature to: ${e.location.replace(/:[^:/]+$/, '')}`)
          if (e.kind === 'duplicate') info(io, `Signature already present in ${e.location}; nothing to add`)
        },
      }).catch(async (err: unknown) => {
        // A bad key (missing, wrong password, not a private key) is reported before a registry
        // problem that happened while it was being unlocked.
        await signer
        throw await explainRegistryError(io, image, err)
      })
      // The files are written once the signature is made (and pushed): each atomically.
      if (outputs.signature !== undefined) await writeOutputFile(outputPath(outputs.signature, result.digest), result.signature, flags.force)
      if (outputs.payload !== undefined) await writeOutputFile(outputPath(outputs.payload, result.digest), result.payload, flags.force)
      if (!flags.upload && !io.json && !writesFiles) {
        writeStdout(`${Buffer.from(result.payload).toString('utf8')}\n${result.signature}\n`)
      }
      signed.push({
        image: image.name,
        digest: result.digest,
        signatureTag: result.signatureLocation,
        appended: result.appended,
        signature: result.signature,
        payload: Buffer.from(result.payload).toString('base64'),
        ...placeOf(target),
      })
    }
    return {signed}
  },
})
