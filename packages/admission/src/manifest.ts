/**
 * The container images of a Kubernetes manifest file, for `sigil manifest verify`: every document
 * of a YAML (or JSON) stream, read where cosign's `manifest verify` reads them — the pod spec at
 * `spec`, `spec.template.spec` or `spec.jobTemplate.spec.template.spec`, whatever the kind (Pods,
 * Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs and custom kinds shaped like
 * them) — with the admission controller's container rules (init, regular and ephemeral
 * containers). A `kind: List` (what `kubectl get -o yaml` prints) is read item by item.
 */
import {LineCounter, parseAllDocuments} from 'yaml'
import {BadReviewError, podImages} from './review.js'

/** A manifest that cannot be read: `line` is 1-based; `file`, when known, leads the message. */
export class ManifestError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
    readonly file?: string,
  ) {
    super(file === undefined ? `line ${line}: ${problem}` : `${file}:${line}: ${problem}`)
  }
}

/** One Kubernetes object of a manifest stream, and where it is. */
export interface ManifestObject {
  readonly value: unknown
  /** Its path in its document: `[]`, or `['items', i]` (and deeper) for a List's items. */
  readonly at: ReadonlyArray<string | number>
  /** The 1-based line of a path in its document (the nearest enclosing node that has one). */
  lineAt(path: ReadonlyArray<string | number>): number
}

/** One container image in a manifest. */
export interface ManifestImage {
  readonly image: string
  /** The line of its `image:` field (1-based). */
  readonly line: number
  /** `Kind/name` of the object that holds it (`?` for what is missing). */
  readonly object: string
  /** `containers/<name>`, `initContainers/<name>` or `ephemeralContainers/<name>`. */
  readonly container: string
}

/** Where a pod spec may be, in any kind (cosign's three shapes). */
const POD_SPEC_PATHS: readonly (readonly string[])[] = [
  ['spec'],
  ['spec', 'template', 'spec'],
  ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
]

type Ranged = {range?: [number, number, number] | null} | null | undefined

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Every object of every document in `text`, in order: a `kind: List` (what `kubectl get -o yaml`
 * prints) item by item; empty documents skipped. Throws ManifestError for YAML that does not parse.
 */
export function manifestObjects(text: string): ManifestObject[] {
  const counter = new LineCounter()
  const docs = parseAllDocuments(text, {lineCounter: counter, prettyErrors: false, uniqueKeys: true})
  if (!Array.isArray(docs)) throw new ManifestError(1, 'not a YAML stream')
  const out: ManifestObject[] = []
  for (const doc of docs) {
    const bad = doc.errors[0]
    if (bad) throw new ManifestError(counter.linePos(bad.pos[0]).line, bad.message.split('\n')[0]!)
    const value: unknown = doc.toJS({maxAliasCount: 50})
    if (value === null || value === undefined) continue // an empty document (a trailing ---)
    const lineAt = (path: ReadonlyArray<string | number>): number => {
      const start = ((path.length === 0 ? doc.contents : doc.getIn(path, true)) as Ranged)?.range?.[0]
      if (start !== undefined) return counter.linePos(start).line
      return path.length === 0 ? 1 : lineAt(path.slice(0, -1))
    }
    const add = (object: unknown, at: ReadonlyArray<string | number>): void => {
      if (isObject(object) && object.kind === 'List' && Array.isArray(object.items)) object.items.forEach((item: unknown, i) => add(item, [...at, 'items', i]))
      else out.push({value: object, at, lineAt})
    }
    add(value, [])
  }
  return out
}

/** Every image of every document in `text`, in order (duplicates included). Throws ManifestError. */
export function manifestImages(text: string): ManifestImage[] {
  return manifestObjects(text).flatMap(({value, at, lineAt}) => objectImages(value, at, lineAt))
}

/** The field a BadReviewError names (`spec.containers[0].image is not a string`), else `fallback`. */
function pathIn(message: string, fallback: readonly string[]): Array<string | number> {
  const dotted = /^([\w.[\]]+) is not /.exec(message)?.[1]
  if (dotted === undefined) return [...fallback]
  return dotted.split(/\.|\[(\d+)\]/).flatMap((s, i): Array<string | number> => (s === undefined || s === '' ? [] : i % 2 === 1 ? [Number(s)] : [s]))
}

function objectImages(value: unknown, at: ReadonlyArray<string | number>, lineAt: (path: ReadonlyArray<string | number>) => number): ManifestImage[] {
  if (!isObject(value)) throw new ManifestError(lineAt(at), 'a Kubernetes object must be a mapping')
  const metadata = isObject(value.metadata) ? value.metadata : {}
  const object = `${typeof value.kind === 'string' ? value.kind : '?'}/${typeof metadata.name === 'string' ? metadata.name : '?'}`
  const out: ManifestImage[] = []
  for (const path of POD_SPEC_PATHS) {
    let sites
    try {
      sites = podImages(value, path)
    } catch (err) {
      if (err instanceof BadReviewError) throw new ManifestError(lineAt([...at, ...pathIn(err.message, path)]), `${object}: ${err.message}`)
      throw err
    }
    for (const site of sites) {
      // The pointer's segments: /spec/template/spec/containers/0/image (no ~ or / in these keys).
      const segments = site.pointer.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s))
      out.push({image: site.image, line: lineAt([...at, ...segments]), object, container: site.container})
    }
  }
  return out
}
