/**
 * Decisions, as policy-controller makes them: every policy whose glob matches the image must be
 * satisfied, within a policy any one authority suffices, an image no policy matches follows the
 * no-match policy without any network request. Verifications are cached per (repository,
 * digest, policy generation, matching policies) — a generation's policies fix what is checked:
 * keys, attestation types — tag resolutions briefly, faults never. A review whose images are all
 * in the cache is answered without a promise or a timer per image (the warm path).
 */
import {isSigilError, parseReference, withDigest} from '@sigil/core'
import type {ImageReference} from '@sigil/core'
import {FlightCache} from './cache.js'
import {globMatches} from './glob.js'
import type {AdmissionMetrics} from './metrics.js'
import type {AttestationRequirement, Authority, ImagePolicy} from './policy.js'
import type {ImageSite, ReviewRequest} from './review.js'

/** Why an image was not admitted by a policy. */
export type FailureCategory =
  | 'no signature'
  | 'no matching signature'
  | 'no attestation'
  | 'no matching attestation'
  | 'image not found'
  | 'policy'
  | 'registry unreachable'
  | 'registry error'
  | 'key unavailable'

/** A registry that could not be asked, or answered with an error or something unreadable. */
function isRegistryFault(category: FailureCategory): boolean {
  return category === 'registry unreachable' || category === 'registry error'
}

/** Faults: decided by the failure policy, never cached, never reported as unsigned. */
function isFault(category: FailureCategory): boolean {
  return isRegistryFault(category) || category === 'key unavailable'
}

/** The policies in force and their generation (bumped on every successful reload). */
export interface PolicySet {
  readonly generation: number
  readonly policies: readonly ImagePolicy[]
}

export type KeyAuthority = Extract<Authority, {kind: 'key'}>

/** Options of {@link Decider}. */
export interface DeciderOptions {
  readonly policies: () => PolicySet
  /** Tag → digest (throws `IMAGE_NOT_FOUND` or a registry error). */
  readonly resolve: (image: ImageReference) => Promise<string>
  /** Resolves when a signature by the authority's key verifies for the digest reference; throws why not. */
  readonly verify: (image: ImageReference, authority: KeyAuthority) => Promise<void>
  /**
   * The predicate types of the attestations that verify with the authority's key for the digest
   * reference (never empty); throws why none do. Asked instead of `verify` for an authority
   * with `attestations[]`.
   */
  readonly verifyAttestations: (image: ImageReference, authority: KeyAuthority) => Promise<readonly string[]>
  readonly noMatchPolicy: 'deny' | 'warn' | 'allow'
  /** A registry fault or the deadline: deny, or admit with a warning. */
  readonly failurePolicy: 'deny' | 'warn'
  /** Every decision is made within this (below the webhook's timeoutSeconds). */
  readonly deadlineMs: number
  readonly verifiedTtlMs?: number
  readonly deniedTtlMs?: number
  readonly resolveTtlMs?: number
  readonly maxEntries?: number
  readonly metrics: AdmissionMetrics
}

/** One image's outcome. */
export interface ImageDecision {
  readonly image: string
  readonly allowed: boolean
  /** The digest verified (set when the image was checked against a registry and admitted). */
  readonly digest?: string
  /** Why not (denied), or what was waived (admitted with a warning). */
  readonly reason?: string
  readonly warned?: boolean
  /** A registry or KMS fault decided it: the failure policy's answer, not the image's. */
  readonly fault?: boolean
}

/** An RFC 6902 operation of the mutating answer. */
export interface PatchOperation {
  readonly op: 'replace'
  readonly path: string
  readonly value: string
}

/** The answer to one AdmissionReview. */
export interface ReviewDecision {
  readonly allowed: boolean
  readonly message?: string
  readonly warnings: readonly string[]
  readonly patch: readonly PatchOperation[]
  readonly images: readonly ImageDecision[]
}

interface PolicyFailure {
  readonly policy: string
  readonly mode: 'enforce' | 'warn'
  readonly category: FailureCategory
  readonly detail: string
}

type Resolved = {ok: true; digest: string} | {ok: false; category: FailureCategory; detail: string}

function categoryOf(err: unknown): FailureCategory {
  if (isSigilError(err)) {
    if (err.code === 'NO_SIGNATURES_FOUND') return 'no signature'
    if (err.code === 'NO_MATCHING_SIGNATURES') return 'no matching signature'
    if (err.code === 'IMAGE_NOT_FOUND') return 'image not found'
    // A KMS (or plugin) that cannot give the key: the key's fault, not the image's.
    if (/^(KMS_|KEY_|PLUGIN_|NO_KEY_PROVIDER)/.test(err.code)) return 'key unavailable'
    // It answered, but with an error status, a refusal or bytes that are not what was asked for.
    if (/^REGISTRY_(ERROR|PROTOCOL|AUTH_FAILED|DENIED)$/.test(err.code)) return 'registry error'
  }
  return 'registry unreachable'
}

/** The category of a failed attestation check: "attestation" where a signature check says "signature". */
function attestationCategoryOf(err: unknown): FailureCategory {
  const category = categoryOf(err)
  return category === 'no signature' ? 'no attestation' : category === 'no matching signature' ? 'no matching attestation' : category
}

/** `sbom (spdxjson = https://spdx.dev/Document)`, `build (https://example.com/build/v1)`. */
function describeRequirement(r: AttestationRequirement): string {
  return r.type === r.predicateType ? `${r.name} (${r.predicateType})` : `${r.name} (${r.type} = ${r.predicateType})`
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** What one image string means under one policy generation: parsed and matched once, not per request. */
interface Known {
  readonly generation: number
  readonly ref?: ImageReference
  /** Why the string is not an image reference. */
  readonly invalid?: string
  readonly matching: readonly ImagePolicy[]
  /** `registry/repository@` and `|generation|policy,…`: a verdict's key is the digest between them. */
  readonly keyStart: string
  readonly keyEnd: string
}

// Frozen: the metrics make their label text once.
const ALLOWED = Object.freeze({decision: 'allowed'})
const DENIED = Object.freeze({decision: 'denied'})
const WARNED = Object.freeze({decision: 'warned'})

export class Decider {
  private readonly verdicts: FlightCache<PolicyFailure[]>
  private readonly digests: FlightCache<Resolved>
  private readonly known = new Map<string, Known>()
  private readonly maxEntries: number

  constructor(private readonly options: DeciderOptions) {
    const denied = options.deniedTtlMs ?? 10_000
    const verified = options.verifiedTtlMs ?? 300_000
    this.maxEntries = options.maxEntries ?? 10_000
    this.verdicts = new FlightCache(this.maxEntries, (f) => (f.length === 0 ? verified : f.some((x) => isFault(x.category)) ? 0 : denied))
    this.digests = new FlightCache(this.maxEntries, (r) => (r.ok ? (options.resolveTtlMs ?? 10_000) : 0))
  }

  /** Decide a parsed review: every image, within the deadline. */
  async decideReview(review: ReviewRequest): Promise<ReviewDecision> {
    if (review.images === undefined) return {allowed: true, warnings: [], patch: [], images: []}
    // Images answered from the cache are decided at once: no promise, no timer (the warm path).
    const decided = new Map<string, ImageDecision>()
    let pending: Array<Promise<unknown>> | undefined
    for (const {image} of review.images) {
      if (decided.has(image)) continue
      const known = this.knownOf(image)
      const now = this.decideCached(image, known)
      if (now !== undefined) {
        decided.set(image, this.counted(now))
        continue
      }
      decided.set(image, {image, allowed: false}) // placeholder, keeps the order of first appearance
      ;(pending ??= []).push(this.decideUncounted(image, known).then((d) => void decided.set(image, this.counted(d))))
    }
    if (pending !== undefined) await Promise.all(pending)
    const denials: string[] = []
    const warnings: string[] = []
    const patch: PatchOperation[] = []
    const reported = new Set<string>()
    for (const site of review.images) {
      const d = decided.get(site.image)!
      if (!d.allowed && !reported.has(site.image)) denials.push(`image ${JSON.stringify(site.image)} (${site.container}): ${d.reason}`)
      if (d.allowed && d.warned && !reported.has(site.image)) warnings.push(`sigil admission: image ${JSON.stringify(site.image)} admitted with a warning: ${d.reason}`.slice(0, 256))
      reported.add(site.image)
      if (d.allowed && d.digest !== undefined) {
        const pinned = pin(site, d.digest)
        if (pinned !== undefined) patch.push(pinned)
      }
    }
    const images = [...decided.values()]
    if (denials.length > 0) return {allowed: false, message: `sigil admission denied: ${denials.join('; ')}`, warnings, patch: [], images}
    return {allowed: true, warnings, patch, images}
  }

  /** Decide one image as written in a pod spec. */
  async decideImage(image: string): Promise<ImageDecision> {
    const known = this.knownOf(image)
    return this.counted(this.decideCached(image, known) ?? (await this.decideUncounted(image, known)))
  }

  /** The names of the policies in force whose globs match `image` (none for a string that is not a reference). */
  matchingPolicies(image: string): string[] {
    return this.knownOf(image).matching.map((p) => p.name)
  }

  private counted(decision: ImageDecision): ImageDecision {
    this.options.metrics.decisions.inc(!decision.allowed ? DENIED : decision.warned ? WARNED : ALLOWED)
    return decision
  }

  /** The image string parsed and matched under the policies in force (remembered per generation). */
  private knownOf(image: string): Known {
    const {generation, policies} = this.options.policies()
    const seen = this.known.get(image)
    if (seen !== undefined && seen.generation === generation) return seen
    let known: Known
    try {
      const ref = parseReference(image)
      const matching = policies.filter((p) => p.globs.some((g) => globMatches(g.regex, image, ref.name)))
      known = {generation, ref, matching, keyStart: `${ref.repositoryName}@`, keyEnd: `|${generation}|${matching.map((p) => p.name).join(',')}`}
    } catch (err) {
      known = {generation, invalid: `policy: ${messageOf(err)}`, matching: [], keyStart: '', keyEnd: ''}
    }
    if (this.known.size >= this.maxEntries) this.known.clear() // bounded; refilled by the next requests
    this.known.set(image, known)
    return known
  }

  /** The decision when it needs no registry request and nothing in flight; undefined otherwise. */
  private decideCached(image: string, known: Known): ImageDecision | undefined {
    if (known.invalid !== undefined) return {image, allowed: false, reason: known.invalid}
    if (known.matching.length === 0) return this.noMatch(image)
    let digest = known.ref!.digest
    if (digest === undefined) {
      const resolved = this.digests.peek(known.ref!.name)
      if (resolved === undefined || !resolved.ok) return undefined
      digest = resolved.digest
    }
    const failures = this.verdicts.peek(known.keyStart + digest + known.keyEnd)
    if (failures === undefined) return undefined
    this.options.metrics.cacheHits.inc()
    return this.outcome(image, digest, failures)
  }

  private noMatch(image: string): ImageDecision {
    const how = this.options.noMatchPolicy
    if (how === 'allow') return {image, allowed: true}
    const reason = 'policy: no ClusterImagePolicy matches this image'
    return how === 'warn' ? {image, allowed: true, warned: true, reason} : {image, allowed: false, reason}
  }

  /** The cold path, after `decideCached` found nothing: `known` is valid and matched by a policy. */
  private async decideUncounted(image: string, known: Known): Promise<ImageDecision> {
    const ref = known.ref!
    const deadline = this.options.deadlineMs
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), deadline)
    })
    try {
      const outcome = await Promise.race([this.checked(image, ref, known), late])
      if (outcome === 'late') {
        this.options.metrics.registryErrors.inc({kind: 'deadline'})
        return this.fault(image, `registry unreachable: ${ref.registry} did not answer within ${deadline / 1000} s`)
      }
      return outcome
    } finally {
      clearTimeout(timer)
    }
  }

  private fault(image: string, reason: string): ImageDecision {
    return this.options.failurePolicy === 'warn' ? {image, allowed: true, warned: true, reason, fault: true} : {image, allowed: false, reason, fault: true}
  }

  private async checked(image: string, ref: ImageReference, known: Known): Promise<ImageDecision> {
    let digest = ref.digest
    if (digest === undefined) {
      const resolved = await this.digests.get(ref.name, () => this.resolveOnce(ref)).value
      if (!resolved.ok) {
        return isFault(resolved.category)
          ? this.fault(image, `${resolved.category}: ${resolved.detail}`)
          : {image, allowed: false, reason: `${resolved.category}: ${resolved.detail}`}
      }
      digest = resolved.digest
    }
    const pinned = withDigest(ref, digest)
    const {hit, value} = this.verdicts.get(known.keyStart + digest + known.keyEnd, () => this.evaluate(pinned, known.matching))
    ;(hit ? this.options.metrics.cacheHits : this.options.metrics.cacheMisses).inc()
    return this.outcome(image, digest, await value)
  }

  /** An image's decision from its policies' failures. */
  private outcome(image: string, digest: string, failures: readonly PolicyFailure[]): ImageDecision {
    if (failures.length === 0) return {image, allowed: true, digest}
    const enforced = failures.filter((f) => f.mode === 'enforce')
    const describe = (f: PolicyFailure) => `${f.category} (policy ${f.policy}: ${f.detail})`
    if (enforced.length > 0) {
      const fault = enforced.find((f) => isFault(f.category))
      if (fault !== undefined && enforced.every((f) => isFault(f.category))) return {...this.fault(image, describe(fault)), ...(this.options.failurePolicy === 'warn' ? {digest} : {})}
      return {image, allowed: false, reason: enforced.map(describe).join('; ')}
    }
    return {image, allowed: true, warned: true, digest, reason: failures.map(describe).join('; ')}
  }

  private async resolveOnce(ref: ImageReference): Promise<Resolved> {
    try {
      return {ok: true, digest: await this.options.resolve(ref)}
    } catch (err) {
      const category = categoryOf(err)
      if (isRegistryFault(category)) this.options.metrics.registryErrors.inc({kind: 'resolve'})
      return {ok: false, category, detail: messageOf(err)}
    }
  }

  /** One verification of a digest against every matching policy; never rejects. */
  private async evaluate(image: ImageReference, matching: readonly ImagePolicy[]): Promise<PolicyFailure[]> {
    const started = performance.now()
    const results = await Promise.all(matching.map((p) => this.evaluatePolicy(image, p)))
    this.options.metrics.verificationSeconds.observe((performance.now() - started) / 1000)
    return results.filter((f): f is PolicyFailure => f !== undefined)
  }

  private async evaluatePolicy(image: ImageReference, policy: ImagePolicy): Promise<PolicyFailure | undefined> {
    const outcomes = await Promise.all(
      policy.authorities.map(async (a): Promise<{category: FailureCategory; detail: string} | undefined> => {
        if (a.kind === 'static') return a.pass ? undefined : {category: 'policy', detail: `authority ${a.name} is static: fail`}
        try {
          if (a.attestations === undefined) {
            await this.options.verify(image, a)
            return undefined
          }
          // policy-controller: such an authority is satisfied by its attestations, no signature needed.
          const found = await this.options.verifyAttestations(image, a)
          const missing = a.attestations.filter((r) => !found.includes(r.predicateType))
          if (missing.length === 0) return undefined
          const detail = `authority ${a.name}: no attestation ${missing.map(describeRequirement).join(', ')} verified with its key (verified: ${found.join(', ')})`
          return {category: 'no attestation', detail}
        } catch (err) {
          const category = a.attestations === undefined ? categoryOf(err) : attestationCategoryOf(err)
          if (isRegistryFault(category)) this.options.metrics.registryErrors.inc({kind: 'verify'})
          if (a.attestations !== undefined && !isFault(category)) {
            return {category, detail: `authority ${a.name}: ${messageOf(err)} (required: ${a.attestations.map(describeRequirement).join(', ')})`}
          }
          return {category, detail: messageOf(err)}
        }
      }),
    )
    if (outcomes.some((o) => o === undefined)) return undefined
    const failed = outcomes as Array<{category: FailureCategory; detail: string}>
    // A fault is reported as a fault, never as "unsigned".
    const first = failed.find((f) => isFault(f.category)) ?? failed[0]!
    return {policy: policy.name, mode: policy.mode, category: first.category, detail: [...new Set(failed.map((f) => f.detail))].join('; ')}
  }
}

/** The JSONPatch operation pinning `site` to `digest`; undefined when it names a digest already. */
function pin(site: ImageSite, digest: string): PatchOperation | undefined {
  if (site.image.includes('@')) return undefined
  return {op: 'replace', path: site.pointer, value: `${site.image}@${digest}`}
}
