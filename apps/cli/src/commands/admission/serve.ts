import {existsSync} from 'node:fs'
import {SigilError} from '@sigil/core'
import {defineCommand} from '../../command.js'
import {admissionVerification} from '../../shared/admission.js'
import {parseDuration} from '../../runtime/duration.js'
import {writeStderr} from '../../shared/stdio.js'
import {admission} from '../../messages/admission.js'
import {shared} from '../../messages/shared.js'

const text = admission.serve

/** What `admission serve --json` prints once the server has stopped. */
export interface ServeResultJson {
  url: string
}

function parseListen(value: string): {host: string; port: number} {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value)
  const port = Number(m?.[3])
  if (!m || port > 65535) throw new SigilError('INVALID_ARGUMENT', text.badListen(value))
  return {host: m[1] ?? (m[2] || '0.0.0.0'), port}
}

/** `sigil admission serve`: the webhook, until SIGTERM or SIGINT. */
export default defineCommand({
  summary: text.summary,
  description: text.description,
  examples: text.examples,
  flags: {
    policy: {kind: 'string', description: text.policy, required: true, multiple: true},
    'tls-cert-file': {kind: 'string', description: text.cert, required: true},
    'tls-private-key-file': {kind: 'string', description: text.key, required: true},
    listen: {kind: 'string', description: text.listen, default: '0.0.0.0:8443'},
    'no-match-policy': {kind: 'string', description: text.noMatch, options: ['deny', 'warn', 'allow'], default: 'deny'},
    'failure-policy': {kind: 'string', description: text.failurePolicy, options: ['deny', 'warn'], default: 'deny'},
    deadline: {kind: 'string', description: text.deadline, default: '8s'},
    'cache-ttl': {kind: 'string', description: text.cacheTtl, default: '5m'},
    'failure-cache-ttl': {kind: 'string', description: text.failureCacheTtl, default: '10s'},
    'resolve-cache-ttl': {kind: 'string', description: text.resolveTtl, default: '10s'},
    'max-body-bytes': {kind: 'integer', description: text.maxBody, default: 8 * 1024 * 1024, min: 1024},
    'reload-interval': {kind: 'string', description: text.reloadInterval, default: '2s'},
    'allow-insecure-registry': {kind: 'boolean', description: shared.allowInsecure, default: false},
    'allow-http-registry': {kind: 'boolean', description: shared.allowHttp, default: false},
  },
  async run({flags, io}): Promise<ServeResultJson> {
    const {host, port} = parseListen(flags.listen)
    for (const [flag, paths] of [['--policy', flags.policy], ['--tls-cert-file', [flags['tls-cert-file']]], ['--tls-private-key-file', [flags['tls-private-key-file']]]] as const) {
      for (const path of paths) if (!existsSync(path)) throw new SigilError('INVALID_ARGUMENT', text.missing(flag, path))
    }
    const deadlineMs = parseDuration(flags.deadline, '--deadline')
    const durations = {
      verifiedTtlMs: parseDuration(flags['cache-ttl'], '--cache-ttl'),
      deniedTtlMs: parseDuration(flags['failure-cache-ttl'], '--failure-cache-ttl'),
      resolveTtlMs: parseDuration(flags['resolve-cache-ttl'], '--resolve-cache-ttl'),
      reloadIntervalMs: parseDuration(flags['reload-interval'], '--reload-interval'),
    }
    const insecure = flags['allow-insecure-registry'] || flags['allow-http-registry']
    const {admission: controller, verification} = await admissionVerification(io, {insecure, deadlineMs})
    const server = await controller.startAdmissionServer({
      ...verification,
      ...durations,
      host,
      port,
      tlsCertFile: flags['tls-cert-file'],
      tlsKeyFile: flags['tls-private-key-file'],
      policyPaths: flags.policy,
      noMatchPolicy: flags['no-match-policy'] as 'deny' | 'warn' | 'allow',
      failurePolicy: flags['failure-policy'] as 'deny' | 'warn',
      deadlineMs,
      maxBodyBytes: flags['max-body-bytes'],
      log: (line) => writeStderr(`${new Date().toISOString()} ${line}\n`),
    })
    writeStderr(`${text.listening(server.url, server.policies().policies.length)}\n`)
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGTERM', stop)
        process.off('SIGINT', stop)
        resolve()
      }
      process.on('SIGTERM', stop)
      process.on('SIGINT', stop)
    })
    writeStderr(`${text.stopping}\n`)
    await server.close()
    return {url: server.url}
  },
})
