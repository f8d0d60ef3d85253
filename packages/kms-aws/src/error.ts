import {SigilError, isSigilError} from '@sigil/core'
import type {SigilErrorCode} from '@sigil/core'

/** The codes `@sigil/kms-aws` raises (a subset of core's closed union). */
export type AwsKmsErrorCode = Extract<
  SigilErrorCode,
  | 'INVALID_ARGUMENT'
  | 'KMS_ERROR'
  | 'KEY_NOT_FOUND'
  | 'KEY_ACCESS_DENIED'
  | 'KEY_DISABLED'
  | 'KEY_WRONG_USAGE'
  | 'KEY_UNSUPPORTED'
  | 'KMS_THROTTLED'
  | 'KMS_CREDENTIALS_MISSING'
  | 'KMS_REGION_MISMATCH'
  | 'KMS_INTEGRITY'
>

/** Errors about AWS KMS keys and calls. */
export class AwsKmsError extends SigilError<AwsKmsErrorCode> {}

interface SdkErrorShape {
  readonly name?: string
  readonly message?: string
  readonly code?: string
  readonly $metadata?: {readonly requestId?: string; readonly attempts?: number; readonly httpStatusCode?: number}
}

const IAM_ACTION: Readonly<Record<string, string>> = {
  DescribeKey: 'kms:DescribeKey',
  GetPublicKey: 'kms:GetPublicKey',
  Sign: 'kms:Sign',
  CreateKey: 'kms:CreateKey',
  CreateAlias: 'kms:CreateAlias',
}

/**
 * Translate an error from the AWS SDK (service exception, credential chain, network) into an
 * AwsKmsError naming the key. SDK messages carry no secrets; credentials are never included.
 * @param operation the KMS operation that failed (`Sign`, `DescribeKey`…)
 */
export function toAwsKmsError(err: unknown, keyRef: string, operation: string): SigilError<string> {
  if (isSigilError(err)) return err
  const e = (typeof err === 'object' && err !== null ? err : {message: String(err)}) as SdkErrorShape
  const name = e.name ?? 'Error'
  const message = e.message ?? ''
  const details = {
    operation,
    awsError: name,
    ...(e.$metadata?.requestId ? {requestId: e.$metadata.requestId} : {}),
    ...(e.$metadata?.attempts ? {attempts: e.$metadata.attempts} : {}),
  }
  const make = (code: AwsKmsErrorCode, text: string) => new AwsKmsError(code, text, {cause: err, details})
  const reason = `${name}: ${message}`
  switch (name) {
    case 'NotFoundException':
      return make('KEY_NOT_FOUND', `AWS KMS key ${keyRef} not found (${reason}); check the key id or alias, the region and the account`)
    case 'AccessDeniedException':
      return make(
        'KEY_ACCESS_DENIED',
        `access denied to AWS KMS key ${keyRef} for ${operation} (${reason}); the caller needs ${IAM_ACTION[operation] ?? `kms:${operation}`} on the key`,
      )
    case 'DisabledException':
      return make('KEY_DISABLED', `AWS KMS key ${keyRef} is disabled (${reason}); enable it or use another key`)
    case 'KMSInvalidStateException':
      return make('KEY_DISABLED', `AWS KMS key ${keyRef} is not usable in its current state (${reason}); a key pending deletion must be restored first`)
    case 'InvalidKeyUsageException':
    case 'UnsupportedOperationException':
      return make('KEY_WRONG_USAGE', `AWS KMS key ${keyRef} cannot be used to sign (${reason}); its key usage must be SIGN_VERIFY`)
    case 'ThrottlingException':
    case 'LimitExceededException':
    case 'TooManyRequestsException':
      return make(
        'KMS_THROTTLED',
        `AWS KMS throttled ${operation} on ${keyRef}${e.$metadata?.attempts ? ` after ${e.$metadata.attempts} attempts` : ''} (${reason}); retry later or raise the KMS request quota`,
      )
    case 'CredentialsProviderError':
      return make(
        'KMS_CREDENTIALS_MISSING',
        `no AWS credentials found (${message}); set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE (profiles, SSO), AWS_WEB_IDENTITY_TOKEN_FILE, or run with an instance/task role`,
      )
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
    case 'ExpiredTokenException':
    case 'InvalidSignatureException':
    case 'IncompleteSignatureException':
      if (/region/i.test(message)) {
        return make('KMS_REGION_MISMATCH', `AWS KMS rejected the request for ${keyRef} because of its region (${reason}); use the key ARN or set AWS_REGION to the key's region`)
      }
      return make('KEY_ACCESS_DENIED', `AWS rejected the credentials used for ${keyRef} (${reason}); refresh or replace them`)
  }
  if (/region is missing|region not accepted/i.test(message)) {
    return make('INVALID_ARGUMENT', `no valid AWS region for ${keyRef} (${message}): set AWS_REGION (or a profile region), or use the key ARN form awskms:///arn:aws:kms:<region>:…`)
  }
  return make('KMS_ERROR', `AWS KMS ${operation} for ${keyRef} failed (${reason})`)
}
