import {SigilError, isSigilError} from '@sigil/core'
import type {SigilErrorCode} from '@sigil/core'

/** The codes `@sigil/registry-ecr` raises (a subset of core's closed union). */
export type EcrErrorCode = Extract<SigilErrorCode, 'REGISTRY_AUTH_FAILED' | 'REGISTRY_UNREACHABLE' | 'REGISTRY_ERROR'>

/** Errors about Amazon ECR credentials and quirks. */
export class EcrError extends SigilError<EcrErrorCode> {}

interface SdkErrorShape {
  readonly name?: string
  readonly message?: string
  readonly code?: string
  readonly $metadata?: {readonly requestId?: string; readonly attempts?: number; readonly httpStatusCode?: number}
}

const NETWORK = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|socket hang up|TimeoutError/

/**
 * Translate a failed `GetAuthorizationToken` (SDK service exception, credential chain,
 * network) into an EcrError naming the registry. AWS messages hold no secrets; the token is
 * never part of a message.
 */
export function toEcrAuthError(err: unknown, host: string, region: string): SigilError<string> {
  if (isSigilError(err)) return err
  const e = (typeof err === 'object' && err !== null ? err : {message: String(err)}) as SdkErrorShape
  const name = e.name ?? 'Error'
  const message = e.message ?? ''
  const reason = `${name}: ${message}`
  const details = {
    registry: host,
    region,
    operation: 'GetAuthorizationToken',
    awsError: name,
    ...(e.$metadata?.requestId ? {requestId: e.$metadata.requestId} : {}),
  }
  const make = (code: EcrErrorCode, text: string) => new EcrError(code, text, {cause: err, details})
  switch (name) {
    case 'AccessDeniedException':
      return make(
        'REGISTRY_AUTH_FAILED',
        `AWS denied an ECR login token for ${host} (${reason}); the caller needs ecr:GetAuthorizationToken (and push/pull permissions on the repository)`,
      )
    case 'CredentialsProviderError':
      return make(
        'REGISTRY_AUTH_FAILED',
        `no AWS credentials found to log in to ECR registry ${host} (${message}); set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE (profiles, SSO), AWS_WEB_IDENTITY_TOKEN_FILE, or run with an instance/task role`,
      )
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
    case 'ExpiredTokenException':
    case 'InvalidSignatureException':
    case 'IncompleteSignatureException':
      return make('REGISTRY_AUTH_FAILED', `AWS rejected the credentials used to log in to ECR registry ${host} in ${region} (${reason}); refresh or replace them`)
  }
  if (NETWORK.test(`${name} ${message} ${e.code ?? ''}`)) {
    return make('REGISTRY_UNREACHABLE', `cannot reach the ECR API in ${region} to log in to ${host} (${reason})`)
  }
  return make('REGISTRY_AUTH_FAILED', `ECR GetAuthorizationToken for ${host} failed (${reason})`)
}
