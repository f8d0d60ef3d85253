import {SigilError, parseReference} from '@sigil/core'
import type {AttachmentKind} from '@sigil/core'
import {downloadAttachments} from '@sigil/signing'
import {defineCommand} from '../command.js'
import {info} from './command-io.js'
import {download as text} from '../messages/download.js'
import {attachmentStores} from './attachment-stores.js'
import {registryFlagSpecs} from './flags.js'
import {createRegistryClient} from './registry.js'
import {writeStdout} from './stdio.js'

/** What `download signature|attestation|sbom --json` prints. */
export interface DownloadResultJson {
  image: string
  digest: string
  kind: AttachmentKind
  /** Each as cosign prints it (parsed; an SBOM that is not JSON stays text), with where it was stored. */
  attachments: Array<{location: string; format: string; mediaType: string; content: unknown}>
}

function parsedOrText(line: string): unknown {
  try {
    return JSON.parse(line)
  } catch {
    return line
  }
}

/** `sigil download <kind>`: one line per attachment on stdout, as `cosign download <kind>`. */
export function downloadCommand(kind: AttachmentKind, summary: string) {
  return defineCommand({
    summary,
    description: text.description,
    examples: text.examples(kind),
    args: [{name: 'image', description: 'Image reference.', required: true}],
    flags: {...registryFlagSpecs},
    async run({flags, args, io}): Promise<DownloadResultJson> {
      const image = parseReference(args[0]!)
      const client = await createRegistryClient(io, flags)
      const stores = await attachmentStores(io, client, image.registry, flags['attachment-tag-prefix'])
      const found = await downloadAttachments(image, kind, {client, stores})
      if (found.attachments.length === 0) throw new SigilError('NO_SIGNATURES_FOUND', text.none(kind, image.name))
      if (!io.json && kind === 'sbom') {
        // As cosign: the SBOM as stored, no newline added; its media type on stderr.
        for (const a of found.attachments) {
          info(io, text.sbomFound(a.mediaType))
          writeStdout(a.line)
        }
      } else if (!io.json) {
        writeStdout(found.attachments.map((a) => `${a.line}\n`).join(''))
      }
      return {
        image: image.name,
        digest: found.digest,
        kind,
        attachments: found.attachments.map((a) => ({location: a.location, format: a.format, mediaType: a.mediaType, content: parsedOrText(a.line)})),
      }
    },
  })
}
