/**
 * `sigil admission check`: the controller's decisions made offline, for a policy author or a CI
 * job. The policies load as `admission serve` loads them, the objects to decide come from
 * Kubernetes YAML (or AdmissionReview JSON) or from image references, and every decision is the
 * {@link Decider}'s — the same code `serve` answers `/validate` and `/mutate` with.
 */
import {Decider} from './decide.js'
import type {DeciderOptions, ImageDecision} from './decide.js'
import {readAll} from './files.js'
import {AdmissionMetrics} from './metrics.js'
import {mergePolicies} from './policy.js'
import type {ImagePolicy} from './policy.js'
import {ManifestError, manifestObjects} from './manifest.js'
import {BadReviewError, parseAdmissionReview, podImages, podSpecPath} from './review.js'
import type {ReviewRequest} from './review.js'

/** One object to decide: a Pod, a workload's pod template, an AdmissionReview, or images named on the command line. */
export interface CheckTarget {
  /** `path:line` of its document, or `--image`. */
  readonly source: string
  readonly review: ReviewRequest
}

/** The policies of files and directories, loaded as `admission serve` loads them. Throws PolicyError. */
export function loadPolicies(paths: readonly string[]): ImagePolicy[] {
  return mergePolicies(readAll(paths))
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Images named on the command line: one Pod with a container each. */
export function imageTarget(images: readonly string[]): CheckTarget {
  return {
    source: '--image',
    review: {
      uid: 'check',
      kind: 'Pod',
      operation: 'CREATE',
      dryRun: true,
      images: images.map((image, i) => ({image, pointer: `/spec/containers/${i}/image`, container: `containers/${i}`})),
    },
  }
}

/** The review of one object as the API server would send it on CREATE; undefined images for a kind without a pod spec. */
function reviewOfObject(object: Record<string, unknown>, kind: string): ReviewRequest {
  const metadata = isObject(object.metadata) ? object.metadata : {}
  const path = podSpecPath(kind)
  return {
    uid: 'check',
    kind,
    operation: 'CREATE',
    ...(typeof metadata.namespace === 'string' ? {namespace: metadata.namespace} : {}),
    ...(typeof metadata.name === 'string' ? {name: metadata.name} : {}),
    dryRun: true,
    images: path === undefined ? undefined : podImages(object, path),
  }
}

/**
 * The objects of a YAML (or JSON) stream: Pods and the pod templates of Deployments,
 * ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs, `List`s of them (`kubectl get -o
 * yaml`), and AdmissionReviews. Other kinds are kept with no images (admitted, as `serve` admits
 * them). Throws ManifestError.
 */
export function parseManifests(text: string, file: string): CheckTarget[] {
  let objects
  try {
    objects = manifestObjects(text)
  } catch (err) {
    if (err instanceof ManifestError) throw new ManifestError(err.line, err.problem, file)
    throw err
  }
  return objects.map(({value: object, at, lineAt}) => {
    const line = lineAt(at)
    const where = at.length === 0 ? '' : `${at.reduce<string>((path, p) => (typeof p === 'number' ? `${path}[${p}]` : path ? `${path}.${p}` : p), '')} `
    const fail = (problem: string): never => {
      throw new ManifestError(line, problem, file)
    }
    if (!isObject(object) || typeof object.kind !== 'string') return fail(`${where}is not a Kubernetes object (no kind)`)
    try {
      const review = object.kind === 'AdmissionReview' ? parseAdmissionReview(object) : reviewOfObject(object, object.kind)
      return {source: `${file}:${line}`, review}
    } catch (err) {
      if (err instanceof BadReviewError) return fail(`${where}${object.kind}: ${err.message}`)
      throw err
    }
  })
}

/** Options of {@link checkTargets}: a {@link Decider}'s, with the policies loaded. */
export interface CheckOptions extends Omit<DeciderOptions, 'policies' | 'metrics'> {
  readonly policies: readonly ImagePolicy[]
}

/** One image's outcome in one object. */
export interface CheckedImage extends ImageDecision {
  readonly container: string
  /** The policies whose globs match the image. */
  readonly policies: readonly string[]
  /** What `/mutate` would set the `image` field to (a tag pinned to the digest verified). */
  readonly pinned?: string
}

/** One object's outcome, as `/validate` would answer it. */
export interface CheckedTarget {
  readonly source: string
  readonly kind: string
  readonly namespace?: string
  readonly name?: string
  readonly allowed: boolean
  /** The denial message `/validate` would give. */
  readonly message?: string
  readonly warnings: readonly string[]
  readonly images: readonly CheckedImage[]
}

/** Decide every target with one {@link Decider}, in order, as `admission serve` would. */
export async function checkTargets(targets: readonly CheckTarget[], options: CheckOptions): Promise<CheckedTarget[]> {
  const {policies, ...rest} = options
  const decider = new Decider({...rest, policies: () => ({generation: 1, policies}), metrics: new AdmissionMetrics()})
  const out: CheckedTarget[] = []
  for (const {source, review} of targets) {
    const decision = await decider.decideReview(review)
    const byImage = new Map(decision.images.map((d) => [d.image, d]))
    const pins = new Map(decision.patch.map((p) => [p.path, p.value]))
    const images = (review.images ?? []).map((site): CheckedImage => {
      const pinned = pins.get(site.pointer)
      return {...byImage.get(site.image)!, container: site.container, policies: decider.matchingPolicies(site.image), ...(pinned === undefined ? {} : {pinned})}
    })
    out.push({
      source,
      kind: review.kind,
      ...(review.namespace === undefined ? {} : {namespace: review.namespace}),
      ...(review.name === undefined ? {} : {name: review.name}),
      allowed: decision.allowed,
      ...(decision.message === undefined ? {} : {message: decision.message}),
      warnings: decision.warnings,
      images,
    })
  }
  return out
}
