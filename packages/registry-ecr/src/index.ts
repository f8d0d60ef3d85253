/**
 * @sigil/registry-ecr — the Amazon ECR registry adapter: ECR host names, logins through
 * `GetAuthorizationToken` (AWS default credential chain), and ECR's immutable-tag quirk.
 */
export {ECR_CAPABILITIES, ecrAdapter} from './adapter.js'
export type {EcrAdapter, EcrAdapterDeps, EcrAdapterOptions} from './adapter.js'
export {ECR_HOST_PATTERNS, ECR_PUBLIC_HOST, isEcrHost, parseEcrHost} from './hosts.js'
export type {EcrHost} from './hosts.js'
export {EcrError, toEcrAuthError} from './error.js'
export type {EcrErrorCode} from './error.js'
export {explainEcrError, isEcrImmutableTagError} from './immutable-tags.js'
export type {EcrErrorContext} from './immutable-tags.js'
