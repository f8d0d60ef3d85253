import {SigilError, parseReference} from '@sigil/core'
import {defineCommand} from '../../command.js'
import {info} from '../../shared/command-io.js'
import {registryFlagSpecs} from '../../shared/flags.js'
import {readBoundedFile} from '../../shared/input-files.js'
import {verifyFlagSpecs, verifyOptionsOf, verifyRegistryImages} from '../../shared/verify-images.js'
import type {VerifiedImageJson} from '../../shared/verify-images.js'
import {manifest} from '../../messages/manifest.js'

const text = manifest.verify

/** A manifest is text a person wrote or a tool rendered: far below this. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024

/** Where an image is used in the manifest. */
export interface ImageLocation {
  line: number
  /** `Kind/name`. */
  object: string
  /** `containers/<name>`, `initContainers/<name>` or `ephemeralContainers/<name>`. */
  container: string
}

/** What `manifest verify --json` prints: `verify --json`'s images, each with where it is used. */
export interface ManifestVerifyResultJson {
  manifest: string
  images: Array<VerifiedImageJson & {locations: ImageLocation[]}>
}

/** Standard input, whole, refused past `max` bytes (the --timeout bounds the wait). */
async function readStdin(max: number): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of process.stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string)
    size += b.length
    if (size > max) throw new SigilError('INVALID_ARGUMENT', text.tooBig('(standard input)', max))
    chunks.push(b)
  }
  return Buffer.concat(chunks)
}

/**
 * `sigil manifest verify`: the images of a Kubernetes manifest, each verified as `sigil verify`
 * does (see the help for where it differs from cosign's).
 */
export default defineCommand({
  summary: text.summary,
  description: text.description,
  examples: text.examples,
  args: [{name: 'file', description: text.file, required: true}],
  flags: {...verifyFlagSpecs, ...registryFlagSpecs},
  async run({flags, args, io}): Promise<ManifestVerifyResultJson> {
    verifyOptionsOf(flags) // a malformed -a is a usage error before anything is read
    const file = args[0]!
    const name = file === '-' ? '(standard input)' : file
    const bytes = file === '-' ? await readStdin(MAX_MANIFEST_BYTES) : await readBoundedFile('manifest', file, MAX_MANIFEST_BYTES)
    // Loaded only here: YAML is for this command and `admission serve`.
    const {ManifestError, manifestImages} = await import('@sigil/admission/manifest')
    let found
    try {
      found = manifestImages(Buffer.from(bytes).toString('utf8'))
    } catch (err) {
      if (err instanceof ManifestError) throw new SigilError('INVALID_ARGUMENT', text.invalid(name, err.message))
      throw err
    }
    // Each image once, by its full name (nginx and docker.io/library/nginx:latest are one), in order of first use.
    const byName = new Map<string, {written: string; locations: ImageLocation[]}>()
    for (const f of found) {
      let full: string
      try {
        full = parseReference(f.image).name
      } catch (err) {
        throw new SigilError('INVALID_REFERENCE', text.badImage(name, f.line, `${f.object} ${f.container}`, (err as Error).message))
      }
      const entry = byName.get(full) ?? {written: f.image, locations: []}
      entry.locations.push({line: f.line, object: f.object, container: f.container})
      byName.set(full, entry)
    }
    if (byName.size === 0) throw new SigilError('INVALID_ARGUMENT', text.noImages(name))
    info(io, text.extracted([...byName.values()].map((e) => e.written)))
    const names = [...byName.keys()]
    // A manifest's only image is reported as one of several would be: its failure names it.
    const results = await verifyRegistryImages(io, flags, names, {each: true})
    return {manifest: name, images: results.map((r, i) => ({...r, locations: byName.get(names[i]!)!.locations}))}
  },
})
