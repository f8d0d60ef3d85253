import {existsSync, readFileSync} from 'node:fs'
import {SigilError} from '@sigil/core'
import type {CheckedImage, CheckedTarget} from '@sigil/admission'
import {defineCommand} from '../../command.js'
import {admissionVerification} from '../../shared/admission.js'
import {timeoutFlagSpec} from '../../shared/flags.js'
import {parseDuration} from '../../runtime/duration.js'
import {writeStderr, writeStdout} from '../../shared/stdio.js'
import {admission} from '../../messages/admission.js'
import {shared} from '../../messages/shared.js'

const text = admission.check

/** Exit statuses of `admission check` beyond 0 (all admitted), 1 (does not load) and 2 (usage). */
export const CHECK_EXIT = {DENIED: 3, FAULT: 4} as const

type Verdict = 'admitted' | 'warned' | 'denied'

/** One image in `admission check --json`. */
export interface CheckImageJson {
  image: string
  container: string
  decision: Verdict
  policies: readonly string[]
  reason?: string
  /** Set when a registry or KMS fault decided it (the failure policy's answer). */
  fault?: true
  digest?: string
  pinned?: string
}

/** What `admission check --json` (or `-o json`) prints. */
export interface CheckResultJson {
  /** Everything would be admitted. */
  admitted: boolean
  exitCode: number
  objects: Array<{source: string; kind: string; namespace?: string; name?: string; allowed: boolean; message?: string; warnings: readonly string[]; images: CheckImageJson[]}>
}

function verdictOf(d: CheckedImage): Verdict {
  return !d.allowed ? 'denied' : d.warned ? 'warned' : 'admitted'
}

function imageJson(d: CheckedImage): CheckImageJson {
  return {
    image: d.image,
    container: d.container,
    decision: verdictOf(d),
    policies: d.policies,
    ...(d.reason === undefined ? {} : {reason: d.reason}),
    ...(d.fault ? {fault: true as const} : {}),
    ...(d.digest === undefined ? {} : {digest: d.digest}),
    ...(d.pinned === undefined ? {} : {pinned: d.pinned}),
  }
}

/** 0, or DENIED, or FAULT when every denied image was denied by the failure policy alone. */
function exitCodeOf(results: readonly CheckedTarget[]): number {
  const denied = results.flatMap((r) => r.images).filter((i) => !i.allowed)
  if (denied.length === 0) return 0
  return denied.every((i) => i.fault) ? CHECK_EXIT.FAULT : CHECK_EXIT.DENIED
}

function report(results: readonly CheckedTarget[]): void {
  const lines: string[] = []
  let admitted = 0
  let warned = 0
  let denied = 0
  for (const r of results) {
    const what = r.kind === 'Pod' && r.source === '--image' ? '--image' : `${r.source} ${r.kind} ${[r.namespace, r.name].filter(Boolean).join('/')}`.trimEnd()
    lines.push(`${what}: ${r.allowed ? (r.images.some((i) => i.warned) ? 'admitted with warnings' : 'admitted') : 'denied'}`)
    if (r.images.length === 0) lines.push('  (no images)')
    for (const i of r.images) {
      const verdict = verdictOf(i)
      if (verdict === 'denied') denied++
      else if (verdict === 'warned') (admitted++, warned++)
      else admitted++
      const policies = i.policies.length === 0 ? 'no policy matches' : `policies: ${i.policies.join(', ')}`
      lines.push(`  ${verdict.padEnd(8)} ${i.image} (${i.container}; ${policies})`)
      if (i.reason !== undefined) lines.push(`           ${i.reason}`)
      if (i.pinned !== undefined) lines.push(`           pinned by /mutate to ${i.pinned}`)
      else if (i.digest !== undefined && !i.image.includes('@')) lines.push(`           verified digest ${i.digest}`)
    }
  }
  lines.push(text.summaryLine(admitted + denied, admitted, warned, denied))
  writeStdout(`${lines.join('\n')}\n`)
}

/** Standard input, whole. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** `sigil admission check`: the webhook's decisions for images and manifests, offline. */
export default defineCommand({
  summary: text.summary,
  description: text.description,
  examples: text.examples,
  args: [{name: 'file', description: text.file, variadic: true}],
  flags: {
    policy: {kind: 'string', description: admission.serve.policy, required: true, multiple: true},
    image: {kind: 'string', char: 'i', description: text.image, multiple: true, default: []},
    'no-match-policy': {kind: 'string', description: admission.serve.noMatch, options: ['deny', 'warn', 'allow'], default: 'deny'},
    'failure-policy': {kind: 'string', description: admission.serve.failurePolicy, options: ['deny', 'warn'], default: 'deny'},
    deadline: {kind: 'string', description: text.deadline, default: '8s'},
    output: {kind: 'string', char: 'o', description: text.output, options: ['text', 'json'], default: 'text'},
    ...timeoutFlagSpec,
    'allow-insecure-registry': {kind: 'boolean', description: shared.allowInsecure, default: false},
    'allow-http-registry': {kind: 'boolean', description: shared.allowHttp, default: false},
  },
  async run({flags, args, io}): Promise<CheckResultJson> {
    if (flags.image.length === 0 && args.length === 0) throw new SigilError('INVALID_ARGUMENT', text.nothing)
    for (const path of flags.policy) if (!existsSync(path)) throw new SigilError('INVALID_ARGUMENT', admission.serve.missing('--policy', path))
    for (const path of args) if (path !== '-' && !existsSync(path)) throw new SigilError('INVALID_ARGUMENT', text.missing(path))
    const deadlineMs = parseDuration(flags.deadline, '--deadline')
    const insecure = flags['allow-insecure-registry'] || flags['allow-http-registry']
    const {admission: controller, verification} = await admissionVerification(io, {insecure, deadlineMs})
    // Policies first: a policy that does not load is the error, whatever the manifests hold.
    const policies = controller.loadPolicies(flags.policy)
    if (!io.json && flags.output === 'text') writeStderr(`${text.loaded(policies.length, policies.map((p) => p.name))}\n`)
    const targets = []
    for (const path of args) targets.push(...controller.parseManifests(path === '-' ? await readStdin() : readFileSync(path, 'utf8'), path === '-' ? '(stdin)' : path))
    if (flags.image.length > 0) targets.push(controller.imageTarget(flags.image))
    const results = await controller.checkTargets(targets, {
      ...verification,
      policies,
      noMatchPolicy: flags['no-match-policy'] as 'deny' | 'warn' | 'allow',
      failurePolicy: flags['failure-policy'] as 'deny' | 'warn',
      deadlineMs,
    })
    const exitCode = exitCodeOf(results)
    const out: CheckResultJson = {
      admitted: exitCode === 0,
      exitCode,
      objects: results.map((r) => ({...r, images: r.images.map(imageJson)})),
    }
    if (!io.json) {
      if (flags.output === 'json') writeStdout(`${JSON.stringify(out, null, 2)}\n`)
      else report(results)
    }
    process.exitCode = exitCode
    return out
  },
})
