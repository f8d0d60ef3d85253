/**
 * ECR's immutable tags. A repository with `imageTagMutability: IMMUTABLE` refuses to move an
 * existing tag: `PUT /v2/<repo>/manifests/<tag>` answers `400` with
 * `{"errors":[{"code":"TAG_INVALID","message":"The image tag '…' already exists in the '…'
 * repository and cannot be overwritten because the repository is immutable."}]}`. cosign stores
 * signatures under a tag (`sha256-<hex>.sig`) and appends a signature by re-PUTting that tag,
 * so the second signature of an image fails there.
 */
import {isSigilError, SigilError} from '@sigil/core'
import {EcrError} from './error.js'

/** What the caller was doing, to name it in the message. All optional. */
export interface EcrErrorContext {
  /** `123456789012.dkr.ecr.eu-west-1.amazonaws.com/app` */
  readonly repository?: string
  /** The tag being written, e.g. `sha256-<hex>.sig`. */
  readonly tag?: string
}

interface RegistryErrorEntry {
  readonly code?: unknown
  readonly message?: unknown
}

/** True if `err` is a registry error from @sigil/oci saying ECR refused to overwrite an immutable tag. */
export function isEcrImmutableTagError(err: unknown): boolean {
  if (!isSigilError(err)) return false
  const details = err.details ?? {}
  if (details['status'] !== undefined && details['status'] !== 400) return false
  const entries = Array.isArray(details['registryErrors']) ? (details['registryErrors'] as RegistryErrorEntry[]) : []
  const texts = entries.length > 0 ? entries.map((e) => ({code: String(e.code ?? ''), message: String(e.message ?? '')})) : [{code: '', message: err.message}]
  return texts.some(
    ({code, message}) => /\bimmutable\b/i.test(message) || (code === 'TAG_INVALID' && /cannot be overwritten|already exists/i.test(message)),
  )
}

/**
 * If `err` is ECR's immutable-tag refusal, a REGISTRY_ERROR that says so and how to fix it
 * (the original error is its `cause`); else `err` unchanged. For the signing path:
 * `catch (e) { throw explainEcrError(e, {repository, tag}) }`.
 */
export function explainEcrError(err: unknown, context: EcrErrorContext = {}): unknown {
  if (!isEcrImmutableTagError(err)) return err
  const where = context.repository ? ` in ${context.repository}` : ''
  const tag = context.tag ? `tag ${context.tag}` : 'an existing tag'
  const repoName = context.repository?.split('/').slice(1).join('/') || '<repository>'
  const message =
    `ECR refused to overwrite ${tag}${where}: the repository has immutable tags (TAG_INVALID). ` +
    `cosign-style signatures live under a tag (sha256-<digest>.sig) that is rewritten each time a signature is added, ` +
    `so an image in an immutable repository can only be signed once there. Fix: store signatures in a repository with mutable tags ` +
    `(COSIGN_REPOSITORY=<account>.dkr.ecr.<region>.amazonaws.com/<signatures-repo>, also SIGIL_REPOSITORY), ` +
    `or make this repository's tags mutable: aws ecr put-image-tag-mutability --repository-name ${repoName} --image-tag-mutability MUTABLE`
  return new EcrError('REGISTRY_ERROR', message, {
    cause: err,
    details: {...(err as SigilError<string>).details, quirk: 'ecr-immutable-tags', ...(context.tag ? {tag: context.tag} : {})},
  })
}
