/**
 * sigstore policy-controller's `ClusterImagePolicy` (`policy.sigstore.dev/v1beta1`) as sigil
 * enforces it: image globs, key authorities (`key.data` PEM, `key.kms` any sigil key reference,
 * `key.hashAlgorithm`, `source[].oci`, `attestations[]` by predicate type), `static` authorities
 * and `mode`. Whatever sigil cannot enforce (keyless authorities, `secretRef`,
 * `signaturePullSecrets`, CUE/Rego policies) is refused at load, naming the file and line,
 * rather than silently admitted.
 */
import {LineCounter, isMap, isScalar, isSeq, parseAllDocuments} from 'yaml'
import type {Document} from 'yaml'
import {COSIGN_PREDICATE_TYPES, parsePublicKeyPem, parseRepository, predicateTypeForFlag} from '@sigil/core'
import type {HashAlgorithm} from '@sigil/core'
import {compileGlob} from './glob.js'

/** A policy file that cannot be enforced, with where. */
export class PolicyError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    problem: string,
  ) {
    super(`${file}:${line}: ${problem}`)
  }
}

/** One `attestations[]` entry of a key authority: an attestation of this predicate type must verify with the key. */
export interface AttestationRequirement {
  readonly name: string
  /** As written in the policy: a cosign `--type` shortcut (`slsaprovenance`…) or a URI. */
  readonly type: string
  /** The predicate type URI it stands for. */
  readonly predicateType: string
}

/** One key authority (or a static one). */
export type Authority =
  | {
      readonly name: string
      readonly kind: 'key'
      readonly data?: string
      readonly kms?: string
      readonly hash: HashAlgorithm
      /** `source[].oci`: the repository holding the signatures (cosign's COSIGN_REPOSITORY). */
      readonly signatureRepository?: {readonly registry: string; readonly repository: string}
      /**
       * `attestations[]`: when present (never empty), the authority is satisfied by attestations
       * of every listed type verified with the key, not by a signature (policy-controller).
       */
      readonly attestations?: readonly AttestationRequirement[]
    }
  | {readonly name: string; readonly kind: 'static'; readonly pass: boolean}

/** One ClusterImagePolicy, ready to enforce. */
export interface ImagePolicy {
  readonly name: string
  /** `path:line` of its document. */
  readonly source: string
  readonly mode: 'enforce' | 'warn'
  readonly globs: ReadonlyArray<{readonly glob: string; readonly regex: RegExp}>
  readonly authorities: readonly Authority[]
}

const HASHES: Readonly<Record<string, HashAlgorithm>> = {sha224: 'sha224', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512'}
const API_VERSIONS = new Set(['policy.sigstore.dev/v1beta1', 'policy.sigstore.dev/v1alpha1'])

type Path = ReadonlyArray<string | number>

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Parse every ClusterImagePolicy in one YAML (or JSON) file's text. Throws PolicyError. */
export function parsePolicies(text: string, file: string): ImagePolicy[] {
  const counter = new LineCounter()
  const docs = parseAllDocuments(text, {lineCounter: counter, prettyErrors: false, uniqueKeys: true})
  if (!Array.isArray(docs)) throw new PolicyError(file, 1, 'not a YAML stream')
  const out: ImagePolicy[] = []
  for (const doc of docs) {
    const bad = doc.errors[0]
    if (bad) throw new PolicyError(file, counter.linePos(bad.pos[0]).line, bad.message.split('\n')[0]!)
    const value: unknown = doc.toJS({maxAliasCount: 50})
    if (value === null || value === undefined) continue // an empty document (a trailing ---)
    out.push(policyOf(value, doc, counter, file))
  }
  return out
}

function policyOf(value: unknown, doc: Document.Parsed, counter: LineCounter, file: string): ImagePolicy {
  type Ranged = {range?: [number, number, number] | null} | null | undefined
  const nodeAt = (p: Path): unknown => (p.length === 0 ? doc.contents : doc.getIn(p, true))
  // The line of the key that holds `path` (of the item, in a list), else of the nearest ancestor.
  const lineOf = (path: Path): number => {
    for (let p = [...path]; p.length > 0; p = p.slice(0, -1)) {
      const parent = nodeAt(p.slice(0, -1))
      const last = p[p.length - 1]
      let start: number | undefined
      if (isMap(parent)) start = (parent.items.find((pair) => isScalar(pair.key) && pair.key.value === last)?.key as Ranged)?.range?.[0]
      else if (isSeq(parent) && typeof last === 'number') start = (parent.items[last] as Ranged)?.range?.[0]
      if (start !== undefined) return counter.linePos(start).line
    }
    const start = (doc.contents as Ranged)?.range?.[0]
    return start === undefined ? 1 : counter.linePos(start).line
  }
  const fail = (path: Path, problem: string): never => {
    throw new PolicyError(file, lineOf(path), problem)
  }
  const where = (path: Path) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1)

  if (!isObject(value)) fail([], 'a policy document must be a mapping')
  const manifest = value as Record<string, unknown>
  if (manifest.kind !== 'ClusterImagePolicy') fail(['kind'], `kind must be ClusterImagePolicy (got ${JSON.stringify(manifest.kind)})`)
  if (typeof manifest.apiVersion !== 'string' || !API_VERSIONS.has(manifest.apiVersion)) fail(['apiVersion'], `apiVersion must be policy.sigstore.dev/v1beta1 (got ${JSON.stringify(manifest.apiVersion)})`)
  const name = isObject(manifest.metadata) ? manifest.metadata.name : undefined
  if (typeof name !== 'string' || name === '') fail(['metadata'], 'metadata.name is required')
  const spec = manifest.spec
  if (!isObject(spec)) return fail(['spec'], 'spec is required')
  for (const key of ['policy', 'match']) if (spec[key] !== undefined) fail(['spec', key], `spec.${key} is not supported by sigil admission`)

  const mode = spec.mode ?? 'enforce'
  if (mode !== 'enforce' && mode !== 'warn') fail(['spec', 'mode'], `spec.mode must be enforce or warn (got ${JSON.stringify(mode)})`)

  if (!Array.isArray(spec.images) || spec.images.length === 0) fail(['spec', 'images'], 'spec.images must list at least one glob')
  const globs = (spec.images as unknown[]).map((entry, i) => {
    const glob = isObject(entry) ? entry.glob : undefined
    if (typeof glob !== 'string' || glob === '') return fail(['spec', 'images', i], `spec.images[${i}].glob is required`)
    try {
      return {glob, regex: compileGlob(glob)}
    } catch (err) {
      return fail(['spec', 'images', i, 'glob'], (err as Error).message)
    }
  })

  if (!Array.isArray(spec.authorities) || spec.authorities.length === 0) fail(['spec', 'authorities'], 'spec.authorities must list at least one authority')
  const authorities = (spec.authorities as unknown[]).map((entry, i): Authority => {
    const path = ['spec', 'authorities', i]
    if (!isObject(entry)) return fail(path, `${where(path)} must be a mapping`)
    const aname = typeof entry.name === 'string' ? entry.name : `authority-${i}`
    if (entry.ctlog !== undefined && !(isObject(entry.ctlog) && entry.ctlog.url === undefined)) fail([...path, 'ctlog'], `${where(path)}.ctlog is not supported: sigil checks key signatures without a transparency log`)
    for (const k of ['keyless', 'rfc3161timestamp']) if (entry[k] !== undefined) fail([...path, k], `${where(path)}.${k} is not supported by sigil admission (key authorities only)`)
    let signatureRepository: {registry: string; repository: string} | undefined
    if (entry.source !== undefined) {
      const sources = entry.source
      if (!Array.isArray(sources) || sources.length !== 1 || !isObject(sources[0]) || typeof sources[0].oci !== 'string') {
        fail([...path, 'source'], `${where(path)}.source must name exactly one repository: - oci: registry/repository`)
      }
      const source = (sources as Array<Record<string, unknown>>)[0]!
      if (source.signaturePullSecrets !== undefined) fail([...path, 'source', 0, 'signaturePullSecrets'], `${where(path)}.source[0].signaturePullSecrets is not supported: registry credentials come from the controller's docker config`)
      try {
        const {registry, repository} = parseRepository(source.oci as string)
        signatureRepository = {registry, repository}
      } catch (err) {
        fail([...path, 'source', 0, 'oci'], `${where(path)}.source[0].oci: ${(err as Error).message}`)
      }
    }
    const from = signatureRepository === undefined ? {} : {signatureRepository}
    if (isObject(entry.static)) {
      if (entry.attestations !== undefined) fail([...path, 'attestations'], `${where(path)}.attestations need a key authority, not a static one`)
      const action = entry.static.action
      if (action !== 'pass' && action !== 'fail') fail([...path, 'static', 'action'], `${where(path)}.static.action must be pass or fail`)
      return {name: aname, kind: 'static', pass: action === 'pass'}
    }
    const key = entry.key
    if (!isObject(key)) return fail(path, `${where(path)} needs key (data or kms) or static`)
    if (key.secretRef !== undefined) fail([...path, 'key', 'secretRef'], `${where(path)}.key.secretRef is not supported: put the PEM in key.data`)
    const hashName = key.hashAlgorithm ?? 'sha256'
    const hash = typeof hashName === 'string' ? HASHES[hashName] : undefined
    if (hash === undefined) return fail([...path, 'key', 'hashAlgorithm'], `${where(path)}.key.hashAlgorithm must be one of sha224, sha256, sha384, sha512`)
    const attestations = entry.attestations === undefined ? undefined : attestationsOf(entry.attestations, [...path, 'attestations'])
    const checks = attestations === undefined ? from : {...from, attestations}
    const hasData = key.data !== undefined
    const hasKms = key.kms !== undefined
    if (hasData === hasKms) fail([...path, 'key'], `${where(path)}.key needs exactly one of data and kms`)
    if (hasData) {
      if (typeof key.data !== 'string') fail([...path, 'key', 'data'], `${where(path)}.key.data must be a PEM public key`)
      try {
        parsePublicKeyPem(key.data as string)
      } catch (err) {
        fail([...path, 'key', 'data'], `${where(path)}.key.data: ${(err as Error).message}`)
      }
      return {name: aname, kind: 'key', data: key.data as string, hash, ...checks}
    }
    if (typeof key.kms !== 'string' || key.kms === '') return fail([...path, 'key', 'kms'], `${where(path)}.key.kms must be a key reference`)
    return {name: aname, kind: 'key', kms: key.kms, hash, ...checks}
  })
  function attestationsOf(list: unknown, path: Path): AttestationRequirement[] {
    if (!Array.isArray(list) || list.length === 0) return fail(path, `${where(path)} must list at least one attestation (name and predicateType)`)
    const names = new Set<string>()
    return list.map((item: unknown, j): AttestationRequirement => {
      const at = [...path, j]
      if (!isObject(item)) return fail(at, `${where(at)} must be a mapping with name and predicateType`)
      if (typeof item.name !== 'string' || item.name === '') fail(at, `${where(at)}.name is required`)
      if (names.has(item.name as string)) fail([...at, 'name'], `${where(at)}.name ${JSON.stringify(item.name)} is listed twice`)
      names.add(item.name as string)
      if (item.policy !== undefined) fail([...at, 'policy'], `${where(at)}.policy is not supported by sigil admission (CUE/Rego policies are not evaluated); remove it to require the attestation's presence only`)
      const type = item.predicateType
      if (typeof type !== 'string' || type === '') return fail(at, `${where(at)}.predicateType is required (a cosign type such as slsaprovenance, or a URI)`)
      try {
        return {name: item.name as string, type, predicateType: predicateTypeForFlag(type)}
      } catch {
        return fail([...at, 'predicateType'], `${where(at)}.predicateType ${JSON.stringify(type)} is neither a cosign type (${Object.keys(COSIGN_PREDICATE_TYPES).join(', ')}) nor a URI`)
      }
    })
  }

  return {name: name as string, source: `${file}:${lineOf([])}`, mode: mode as 'enforce' | 'warn', globs, authorities}
}

/** Policies from several files: names must be unique. Throws PolicyError. */
export function mergePolicies(files: ReadonlyArray<{readonly file: string; readonly text: string}>): ImagePolicy[] {
  const byName = new Map<string, ImagePolicy>()
  for (const {file, text} of files) {
    for (const p of parsePolicies(text, file)) {
      const seen = byName.get(p.name)
      if (seen) throw new PolicyError(file, Number(p.source.slice(file.length + 1)), `policy ${p.name} is already defined at ${seen.source}`)
      byName.set(p.name, p)
    }
  }
  return [...byName.values()]
}
