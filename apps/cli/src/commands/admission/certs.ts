import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {SigilError} from '@sigil/core'
import {writeFileAtomic} from '@sigil/oci'
import {defineCommand} from '../../command.js'
import {info} from '../../shared/command-io.js'
import {writeStdout} from '../../shared/stdio.js'
import {admission} from '../../messages/admission.js'

const text = admission.certs

/** What `admission certs --json` prints (never a private key). */
export interface CertsResultJson {
  caBundle: string
  hosts: readonly string[]
  files: {ca: string; cert: string; key: string}
}

/** `sigil admission certs`: a CA and serving certificate for the webhook. */
export default defineCommand({
  summary: text.summary,
  description: text.description,
  examples: text.examples,
  flags: {
    service: {kind: 'string', description: text.service, required: true},
    namespace: {kind: 'string', description: text.namespace, required: true},
    'output-dir': {kind: 'string', description: text.outputDir, default: '.'},
    host: {kind: 'string', description: text.host, multiple: true, default: []},
    days: {kind: 'integer', description: text.days, default: 365, min: 1},
    force: {kind: 'boolean', description: text.force, default: false},
  },
  async run({flags, io}): Promise<CertsResultJson> {
    const {makeWebhookCertificates, serviceHosts} = await import('@sigil/admission/certs')
    const dir = flags['output-dir']
    const certs = makeWebhookCertificates([...serviceHosts(flags.service, flags.namespace), ...flags.host], flags.days)
    const files = {ca: join(dir, 'ca.crt'), cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key')}
    mkdirSync(dir, {recursive: true})
    const write = async (path: string, data: string, mode: number) => {
      try {
        await writeFileAtomic(path, data, mode, {overwrite: flags.force})
      } catch (err) {
        if ((err as {code?: unknown}).code === 'EEXIST') throw new SigilError('INVALID_ARGUMENT', text.exists(path))
        throw err
      }
    }
    // The key first: a refusal leaves nothing new behind.
    await write(files.key, certs.key, 0o600)
    await write(files.cert, certs.cert, 0o644)
    await write(files.ca, certs.caCert, 0o644)
    info(io, text.wrote(dir))
    if (!io.json) writeStdout(`${certs.caBundle}\n`)
    return {caBundle: certs.caBundle, hosts: certs.hosts, files}
  },
})
