/**
 * What `verify` and `verify-attestation` share for registry images: the key loads while the
 * first image is resolved, each image is checked over both storage formats and reported, and
 * the exit code is the first failure's (one image's failure is thrown, so it prints like any
 * other error).
 */
import {isSigilError, parseReference} from '@sigil/core'
import type {AttachmentStore, ImageReference, RegistryAdapter, Verifier} from '@sigil/core'
import type {RegistryClient} from '@sigil/oci'
import {storesOf} from './attachment-stores.js'
import {keyContext, keyProviderFor, registryAdapters} from './command-io.js'
import type {CommandIO} from './command-io.js'
import {exitCodeFor} from './exit-codes.js'
import {createRegistryClient, referrersApiMemory, signatureRepositoryFromEnv} from './registry.js'
import type {RegistryFlags} from './registry.js'
import {writeStderr} from './stdio.js'

/** What one image's check gets. */
export interface ImageCheck {
  readonly image: ImageReference
  readonly client: RegistryClient
  /** The key's verifier, maybe still loading (the workflows report a key error first). */
  readonly verifier: Verifier | Promise<Verifier>
  /** cosign 3's referrers, then the legacy tags (in COSIGN_REPOSITORY when set). */
  readonly stores: readonly AttachmentStore[]
  readonly adapter: RegistryAdapter | undefined
  readonly signatureRepository: ReturnType<typeof signatureRepositoryFromEnv>
}

/** One image's `--json` entry. */
export type CheckedImage<T> = ({readonly verified: true; readonly digest: string} & T) | {readonly verified: false; readonly error: {code?: string; message: string}}

/**
 * Check every image in `args` with `check` (which reports its own success), in order. Returns
 * each image's entry; a failure of one image among several is reported on stderr and sets the
 * exit code, a single image's failure is thrown (unless `each`: then it is reported like one of
 * several, naming the image).
 */
export async function verifyEach<T>(
  io: CommandIO,
  flags: RegistryFlags & {readonly key: string; readonly 'attachment-tag-prefix'?: string},
  args: readonly string[],
  check: (c: ImageCheck) => Promise<{digest: string} & T>,
  options: {readonly each?: boolean} = {},
): Promise<Array<{image: string} & CheckedImage<T>>> {
  const images = args.map((a) => parseReference(a))
  const single = images.length === 1 && options.each !== true
  const provider = await keyProviderFor(io, flags.key)
  // One image: its registry is asked while the key loads. Several: a key that does not load
  // fails the command before any of them, not each one.
  const loading = provider.verifier(flags.key, keyContext(io, {timeout: flags.timeout, insecure: flags['allow-insecure-registry'] || flags['allow-http-registry']}))
  const verifier = single ? loading : await loading
  const client = await createRegistryClient(io, flags)
  const adapters = await registryAdapters(io)
  // Read once for every image of the run.
  const signatureRepository = signatureRepositoryFromEnv()
  const memory = referrersApiMemory()
  const out: Array<{image: string} & CheckedImage<T>> = []
  let firstError: unknown
  for (const image of images) {
    try {
      const adapter = adapters.find((a) => a.matches(image.registry))
      const stores = storesOf(client, {adapter, signatureRepository, memory}, flags['attachment-tag-prefix'], 'referrers-first')
      const result = await check({image, client, verifier, stores, adapter, signatureRepository})
      out.push({image: image.name, verified: true, ...result})
    } catch (err) {
      if (single) throw err
      firstError ??= err
      out.push({image: image.name, verified: false, error: {...(isSigilError(err) ? {code: err.code} : {}), message: (err as Error).message}})
      if (!io.json) writeStderr(`Error: ${image.name}: ${(err as Error).message}\n`)
    }
  }
  if (firstError !== undefined) process.exitCode = exitCodeFor(firstError)
  return out
}
