/**
 * Image references, normalised like go-containerregistry's `pkg/name` (spec §8.3), which is
 * what cosign uses: the names produced here go into payloads and signature tags.
 */
import {parseDigest} from './digest.js'
import {SigilError} from './errors.js'
import {DOCKER_HUB_REGISTRY} from './hosts.js'

/** The registry of a reference that names none: Docker Hub, `index.docker.io` (ggcr `DefaultRegistry`). */
export const DEFAULT_REGISTRY = DOCKER_HUB_REGISTRY

// The one Docker Hub alias ggcr rewrites in references; `registry-1.docker.io` stays as typed.
const DOCKER_HUB_REFERENCE_ALIAS = 'docker.io'

/** The tag used when a reference names neither a tag nor a digest. */
export const DEFAULT_TAG = 'latest'

/** A repository without tag or digest (ggcr `name.Repository`). */
export interface RepositoryReference {
  /** Registry host as typed, port included (`ghcr.io`, `127.0.0.1:5000`); `index.docker.io` for Docker Hub. */
  readonly registry: string
  /** Repository path (`library/ubuntu`, `org/app`). */
  readonly repository: string
  /** `<registry>/<repository>` (ggcr `Repository.Name()`), the payload's default `docker-reference`. */
  readonly repositoryName: string
}

/** A parsed image reference: a repository plus exactly one of tag or digest. */
export interface ImageReference extends RepositoryReference {
  /** Set when the reference has no digest: the given tag, else `latest`. */
  readonly tag?: string
  /** `sha256:<hex>` when the reference names a digest (a tag next to it is dropped, as ggcr does). */
  readonly digest?: string
  /** ggcr `Name()`: `repositoryName` + `:tag` or `@digest`. */
  readonly name: string
}

const MAX_TAG_LENGTH = 128
const TAG_CHARS = /^[A-Za-z0-9_.-]+$/
const REPOSITORY_CHARS = /^[a-z0-9_./-]+$/
const COMPONENT_EDGE = /^[a-z0-9](?:.*[a-z0-9])?$/
// The distribution spec's path-component: alphanumerics joined by one ".", one "_", "__" or a run of "-".
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
// The distribution spec's domain[:port]: dot-separated labels of letters and digits with inner
// "-", or [ipv6]. Stricter than ggcr, which takes any authority (`.`, `host:`, `-a.b`).
const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?'
const REGISTRY = new RegExp(`^(?:${HOST_LABEL}(?:\\.${HOST_LABEL})*|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]+)?$`)

function invalid(input: string, problem: string): SigilError {
  return new SigilError('INVALID_REFERENCE', `invalid image reference "${input}": ${problem}`, {details: {reference: input}})
}

function checkTag(input: string, tag: string): void {
  if (tag === '') throw invalid(input, 'the tag after ":" is empty')
  if (tag.length > MAX_TAG_LENGTH) throw invalid(input, `the tag is ${tag.length} characters long; at most ${MAX_TAG_LENGTH} are allowed`)
  if (!TAG_CHARS.test(tag)) throw invalid(input, `tag "${tag}" may only contain letters, digits, "_", "." and "-"`)
}

function checkReferenceDigest(input: string, digest: string): void {
  let algorithm: string
  try {
    algorithm = parseDigest(digest).algorithm
  } catch {
    throw invalid(input, `"${digest}" is not a digest; expected "sha256:" followed by 64 lower-case hex characters`)
  }
  if (algorithm !== 'sha256') throw invalid(input, `unsupported digest algorithm "${algorithm}"; references use sha256`)
}

function checkRepositoryPath(input: string, path: string): void {
  if (path === '') throw invalid(input, 'the repository name is empty')
  if (/[A-Z]/.test(path) && REPOSITORY_CHARS.test(path.toLowerCase())) {
    throw invalid(input, `repository must be lowercase ("${path}"; did you mean "${path.toLowerCase()}"?)`)
  }
  const bad = /[^a-z0-9_./-]/.exec(path)
  if (bad) throw invalid(input, `repository "${path}" contains "${bad[0]}"; only a-z, 0-9, "_", ".", "-" and "/" are allowed`)
  if (path.length < 2 || path.length > 255) throw invalid(input, `repository "${path}" must be 2 to 255 characters long`)
  for (const component of path.split('/')) {
    if (component === '') throw invalid(input, `repository "${path}" has an empty path component (leading, trailing or double "/")`)
    if (!COMPONENT_EDGE.test(component)) {
      throw invalid(input, `path component "${component}" must start and end with a lower-case letter or digit`)
    }
    if (!COMPONENT.test(component)) {
      throw invalid(input, `path component "${component}" may join letters and digits only with one ".", one "_", "__" or dashes`)
    }
  }
}

function repositoryOf(input: string, name: string): RepositoryReference {
  let registry = DEFAULT_REGISTRY
  let path = name
  const slash = name.indexOf('/')
  if (slash !== -1) {
    const first = name.slice(0, slash)
    // Only a dot, a colon or "localhost" make the first component a registry host.
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      if (!REGISTRY.test(first)) throw invalid(input, `"${first}" is not a valid registry host[:port]`)
      registry = first === DOCKER_HUB_REFERENCE_ALIAS ? DEFAULT_REGISTRY : first
      path = name.slice(slash + 1)
    }
  }
  checkRepositoryPath(input, path)
  // Official Docker Hub images live under library/.
  if (registry === DEFAULT_REGISTRY && !path.includes('/')) path = `library/${path}`
  // ggcr applies the 255 limit to the repository with the library/ prefix added.
  if (path.length > 255) throw invalid(input, `repository "${path}" must be 2 to 255 characters long`)
  return {registry, repository: path, repositoryName: `${registry}/${path}`}
}

function imageReference(repo: RepositoryReference, id: {tag: string} | {digest: string}): ImageReference {
  const {registry, repository, repositoryName} = repo
  return 'digest' in id
    ? {registry, repository, repositoryName, digest: id.digest, name: `${repositoryName}@${id.digest}`}
    : {registry, repository, repositoryName, tag: id.tag, name: `${repositoryName}:${id.tag}`}
}

/**
 * Parse an image reference the way cosign (ggcr `name.ParseReference`) does:
 * `ubuntu` → `index.docker.io/library/ubuntu:latest`, `docker.io/x/y` → `index.docker.io/x/y:latest`,
 * `localhost:5000/app@sha256:…` keeps the host as typed. With both tag and digest the digest wins.
 * Throws `INVALID_REFERENCE` with the reason (empty input, upper-case repository, bad tag,
 * bad digest, bad registry, empty path component).
 */
export function parseReference(input: string): ImageReference {
  if (input === '') throw invalid(input, 'the reference is empty')
  if (/^https?:\/\//.test(input)) throw invalid(input, 'remove the URL scheme; a reference looks like "registry/repository:tag"')

  let base = input
  let digest: string | undefined
  const at = input.indexOf('@')
  if (at !== -1) {
    if (input.includes('@', at + 1)) throw invalid(input, 'it contains more than one "@"')
    base = input.slice(0, at)
    digest = input.slice(at + 1)
    checkReferenceDigest(input, digest)
  }

  // The last ":" starts a tag unless a "/" follows it (then it was host:port).
  let name = base
  let tag: string | undefined
  const colon = base.lastIndexOf(':')
  if (colon !== -1 && !base.includes('/', colon)) {
    name = base.slice(0, colon)
    tag = base.slice(colon + 1)
    checkTag(input, tag)
  }

  const repo = repositoryOf(input, name)
  return digest !== undefined ? imageReference(repo, {digest}) : imageReference(repo, {tag: tag ?? DEFAULT_TAG})
}

/**
 * Parse a repository without tag or digest (ggcr `name.NewRepository`), e.g. the value of
 * `COSIGN_REPOSITORY`. Throws `INVALID_REFERENCE`.
 */
export function parseRepository(input: string): RepositoryReference {
  if (input === '') throw invalid(input, 'the repository is empty')
  return repositoryOf(input, input)
}

/** `ref`'s repository with `digest` (sha256) instead of any tag or digest. Throws `INVALID_REFERENCE`. */
export function withDigest(ref: RepositoryReference, digest: string): ImageReference {
  checkReferenceDigest(`${ref.repositoryName}@${digest}`, digest)
  return imageReference(ref, {digest})
}

/** `ref`'s repository with `tag` instead of any tag or digest. Throws `INVALID_REFERENCE`. */
export function withTag(ref: RepositoryReference, tag: string): ImageReference {
  checkTag(`${ref.repositoryName}:${tag}`, tag)
  return imageReference(ref, {tag})
}

/** True when `tag` is a valid tag: 1–128 of `[A-Za-z0-9_.-]`. */
export function isValidTag(tag: string): boolean {
  return tag.length >= 1 && tag.length <= MAX_TAG_LENGTH && TAG_CHARS.test(tag)
}
