import {SigilError, parseReference} from '@sigil/core'
import type {AttachmentKind} from '@sigil/core'
import {copyImage} from '@sigil/signing'
import type {CopyEvent, CopyImageResult} from '@sigil/signing'
import {defineCommand} from '../command.js'
import {info, registryAdapters} from '../shared/command-io.js'
import {registryFlagSpecs} from '../shared/flags.js'
import {createRegistryClient, referrersApiMemory} from '../shared/registry.js'
import {writeStderr} from '../shared/stdio.js'
import {copy as text} from '../messages/copy.js'

/** What `copy --json` prints. */
export type CopyResultJson = CopyImageResult

const ONLY: Readonly<Record<string, AttachmentKind>> = {sig: 'signature', att: 'attestation', sbom: 'sbom'}
/** A copy still running after this long, or of this many bytes of blobs, shows a progress line (on a terminal only). */
const PROGRESS_AFTER_MS = 500
const PROGRESS_FROM_BYTES = 8 * 1024 * 1024
/** Bytes are reported as they stream: the line is redrawn at most this often (and when a blob is done). */
const PROGRESS_REDRAW_MS = 100

/** `--only sig,att` (repeatable, comma-separated) → the kinds; an unknown value is a usage error. */
function parseOnly(values: readonly string[], sigOnly: boolean): AttachmentKind[] {
  const names = new Set(values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== ''))
  if (sigOnly) names.add('sig')
  for (const name of names) if (!(name in ONLY)) throw new SigilError('INVALID_ARGUMENT', text.badOnly(name))
  return [...names].map((n) => ONLY[n]!)
}

/** `sigil copy SRC DST`: the image and everything attached to it, in both formats (cosign 2's `copy`). */
export default defineCommand({
  summary: text.summary,
  description: text.description,
  examples: text.examples,
  args: [
    {name: 'source', description: 'Image to copy (tag or digest).', required: true},
    {name: 'destination', description: 'Where to copy it: a repository with a tag (default latest) or the same digest.', required: true},
  ],
  flags: {
    only: {kind: 'string', description: text.only, multiple: true, default: []},
    'sig-only': {kind: 'boolean', description: text.sigOnly, default: false},
    force: {kind: 'boolean', char: 'f', description: text.force, default: false},
    platform: {kind: 'string', description: text.platform},
    ...registryFlagSpecs,
  },
  async run({flags, args, io}): Promise<CopyResultJson> {
    const source = parseReference(args[0]!)
    const destination = parseReference(args[1]!)
    if (flags['sig-only']) info(io, text.sigOnlyDeprecated)
    const only = parseOnly(flags.only, flags['sig-only'])
    const client = await createRegistryClient(io, flags)
    const adapter = (await registryAdapters(io)).find((a) => a.matches(destination.registry))
    const referrersApi = adapter?.capabilities.referrersApi

    const started = Date.now()
    const terminal = !io.json && process.stderr.isTTY === true
    let progressShown = false
    let big = false
    let drawnAt = 0
    let drawnDone = -1
    const onEvent = (e: CopyEvent): void => {
      if (e.kind === 'resolved') big = e.bytes >= PROGRESS_FROM_BYTES
      if (e.kind === 'write' && !e.location.includes('/blobs/') && !/@sha256:[0-9a-f]{64}$/.test(e.location)) {
        if (progressShown) writeStderr('\r\x1b[K')
        progressShown = false
        info(io, text.writing(e.location))
      }
      if (e.kind === 'progress' && terminal && (big || Date.now() - started > PROGRESS_AFTER_MS) && (e.done !== drawnDone || Date.now() - drawnAt >= PROGRESS_REDRAW_MS)) {
        drawnAt = Date.now()
        drawnDone = e.done
        writeStderr(`\r\x1b[K${text.progress(e.done, e.total, e.bytes)}`)
        progressShown = true
      }
    }
    let result: CopyImageResult
    try {
      result = await copyImage(source, destination, {
        client,
        only: only.length > 0 ? only : undefined,
        force: flags.force,
        ...(flags.platform === undefined ? {} : {platform: flags.platform}),
        attachmentTagPrefix: flags['attachment-tag-prefix'],
        memory: referrersApiMemory(),
        ...(referrersApi === undefined ? {} : {referrersApi}),
        onEvent,
      })
    } finally {
      if (progressShown) writeStderr('\r\x1b[K')
    }
    info(
      io,
      text.done(result.source, result.destination, {
        manifests: result.manifests.length,
        written: result.manifests.filter((m) => m.written).length,
        blobs: result.blobs,
        attachments: result.attachments.length,
        attachmentsWritten: result.attachments.filter((a) => a.written).length,
      }),
    )
    return result
  },
})
