/**
 * `--local-image DIR`: an image and its attachments read from an OCI image layout (sigil save,
 * cosign save) with no network at all. The verify workflows run unchanged over the layout's
 * attachment store; a command adds `--local-image` in one line:
 *
 *   const local = await openLocalImage(dir)  // then {...local} in place of client, image and stores
 */
import {SigilError} from '@sigil/core'
import type {AttachmentStore, ImageReference, Verifier} from '@sigil/core'
import {RegistryClient, openOciLayout} from '@sigil/oci'
import {layoutImageEntry, ociLayoutStore, verifyImage} from '@sigil/signing'
import type {VerifyImageOptions, VerifyImageResult} from '@sigil/signing'
import {keyContext, keyProviderFor} from './command-io.js'
import type {CommandIO} from './command-io.js'
import {offline as text} from '../messages/offline.js'

/** The image of a layout, by digest, and where its attachments are: everything a verify workflow needs. */
export interface LocalImage {
  readonly image: ImageReference
  readonly digest: string
  readonly stores: readonly AttachmentStore[]
  /** A client that refuses every request: nothing may reach a registry. */
  readonly client: RegistryClient
}

/** Open the layout at `dir` (`INVALID_LAYOUT` when it is not one) as a {@link LocalImage}. */
export async function openLocalImage(dir: string, options: {readonly attachmentTagPrefix?: string} = {}): Promise<LocalImage> {
  const layout = await openOciLayout(dir)
  const entry = layoutImageEntry(await layout.index())
  if (!entry) throw new SigilError('INVALID_LAYOUT', `the layout ${dir} has no image (an index.json entry with annotation kind=dev.cosignproject.cosign/image or …/imageIndex)`)
  // The reference names no registry: cosign 3 prints an empty docker-reference for a local image.
  const image: ImageReference = {registry: '', repository: '', repositoryName: '', digest: entry.digest, name: ''}
  const client = new RegistryClient({
    credentials: async () => undefined,
    endpoint: (host) => {
      throw new SigilError('INTERNAL', `--local-image: no registry may be contacted (asked for ${host})`)
    },
  })
  return {image, digest: entry.digest, stores: [ociLayoutStore(layout, options)], client}
}

/**
 * A verifier for `key` that needs no network: a public key file or `env://VAR` (file provider).
 * A KMS key or a key URL is refused with how to export it.
 */
export async function localVerifier(io: CommandIO, key: string): Promise<Verifier> {
  const provider = await keyProviderFor(io, key)
  if (provider.name !== 'file' || /^https?:\/\//i.test(key)) throw new SigilError('INVALID_ARGUMENT', text.localImageKey(key))
  const {fetchUrl: _none, ...ctx} = keyContext(io)
  return provider.verifier(key, ctx)
}

/** What a verify workflow gets from {@link withLocalImage}. */
export interface LocalVerification extends LocalImage {
  /** The local key's verifier (still loading: workflows report a key error before a layout one). */
  readonly verifier: Promise<Verifier>
}

/**
 * `--local-image DIR`: open the layout and the local key together and run `verify` (a verify
 * workflow: {@link verifyImage}, verifyAttestations) over them. A bad key is reported before a
 * bad layout, as a registry verify reports it before a registry fault.
 */
export async function withLocalImage<T>(io: CommandIO, dir: string, key: string, options: {readonly attachmentTagPrefix?: string}, verify: (local: LocalVerification) => Promise<T>): Promise<T> {
  const verifier = localVerifier(io, key)
  verifier.catch(() => {}) // awaited by the workflow, or below
  let local
  try {
    local = await openLocalImage(dir, options)
  } catch (err) {
    await verifier
    throw err
  }
  return verify({...local, verifier})
}

/** `verify --local-image DIR`: {@link verifyImage} over the layout's attachments. */
export function verifyLocalImage(
  io: CommandIO,
  dir: string,
  key: string,
  options: Omit<VerifyImageOptions, 'client' | 'verifier' | 'stores'>,
): Promise<VerifyImageResult> {
  return withLocalImage(io, dir, key, {attachmentTagPrefix: options.attachmentTagPrefix}, (local) =>
    verifyImage(local.image, {...options, client: local.client, stores: local.stores, verifier: local.verifier}),
  )
}
