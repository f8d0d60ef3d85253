/**
 * AdmissionReview (`admission.k8s.io/v1`) requests as the API server sends them, reduced to what
 * a decision needs: the request's identity and every image of the pod spec it carries, each
 * with the JSON Pointer of its `image` field (for the digest-pinning patch).
 */

/** A request body that is not an AdmissionReview: answered with HTTP 400 and this message. */
export class BadReviewError extends Error {}

/** One image in the object under review. */
export interface ImageSite {
  readonly image: string
  /** JSON Pointer of the `image` field, e.g. `/spec/template/spec/containers/0/image`. */
  readonly pointer: string
  /** `containers`, `initContainers` or `ephemeralContainers`, and the container's name. */
  readonly container: string
}

/** The part of an AdmissionReview request that is decided on. */
export interface ReviewRequest {
  readonly uid: string
  readonly kind: string
  readonly operation: string
  readonly namespace?: string
  readonly name?: string
  readonly dryRun: boolean
  /** Undefined when the kind has no pod spec sigil knows (the request is then admitted). */
  readonly images: readonly ImageSite[] | undefined
}

/** Where each kind keeps its pod spec. */
const POD_SPEC_PATH: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
}

/** Where `kind` keeps its pod spec; undefined for a kind without one. */
export function podSpecPath(kind: string): readonly string[] | undefined {
  return Object.hasOwn(POD_SPEC_PATH, kind) ? POD_SPEC_PATH[kind] : undefined
}

/** The kinds whose images are checked. */
export const REVIEWED_KINDS: readonly string[] = Object.keys(POD_SPEC_PATH)

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1')
}

/** The images of a pod spec found at `path` in `object`. Throws BadReviewError for malformed containers. */
export function podImages(object: unknown, path: readonly string[]): ImageSite[] {
  let spec: unknown = object
  for (const key of path) spec = isObject(spec) ? spec[key] : undefined
  if (spec === undefined) return []
  if (!isObject(spec)) throw new BadReviewError(`${path.join('.')} is not an object`)
  const base = `/${path.map(escapePointer).join('/')}`
  const out: ImageSite[] = []
  for (const list of CONTAINER_LISTS) {
    const containers = spec[list]
    if (containers === undefined || containers === null) continue
    if (!Array.isArray(containers)) throw new BadReviewError(`${path.join('.')}.${list} is not a list`)
    containers.forEach((c: unknown, i) => {
      if (!isObject(c)) throw new BadReviewError(`${path.join('.')}.${list}[${i}] is not an object`)
      if (typeof c.image !== 'string') throw new BadReviewError(`${path.join('.')}.${list}[${i}].image is not a string`)
      out.push({image: c.image, pointer: `${base}/${list}/${i}/image`, container: `${list}/${typeof c.name === 'string' ? c.name : i}`})
    })
  }
  return out
}

/** Parse a request body; throws BadReviewError with what is wrong. */
export function parseAdmissionReview(body: unknown): ReviewRequest {
  if (!isObject(body)) throw new BadReviewError('the body is not a JSON object')
  if (body.apiVersion !== 'admission.k8s.io/v1' || body.kind !== 'AdmissionReview') {
    throw new BadReviewError(`expected apiVersion admission.k8s.io/v1, kind AdmissionReview (got ${JSON.stringify(body.apiVersion)}, ${JSON.stringify(body.kind)})`)
  }
  const request = body.request
  if (!isObject(request)) throw new BadReviewError('the AdmissionReview has no request')
  if (typeof request.uid !== 'string' || request.uid === '') throw new BadReviewError('request.uid is missing')
  const kind = isObject(request.kind) && typeof request.kind.kind === 'string' ? request.kind.kind : undefined
  if (kind === undefined) throw new BadReviewError('request.kind.kind is missing')
  const operation = typeof request.operation === 'string' ? request.operation : ''
  const path = POD_SPEC_PATH[kind]
  // DELETE and CONNECT carry no new object; there is nothing to run.
  const checked = path !== undefined && (operation === 'CREATE' || operation === 'UPDATE')
  if (checked && !isObject(request.object)) throw new BadReviewError(`request.object is missing for ${operation} ${kind}`)
  return {
    uid: request.uid,
    kind,
    operation,
    ...(typeof request.namespace === 'string' ? {namespace: request.namespace} : {}),
    ...(typeof request.name === 'string' ? {name: request.name} : {}),
    dryRun: request.dryRun === true,
    images: checked ? podImages(request.object, path) : path === undefined ? undefined : [],
  }
}
