import {SigilError} from '@sigil/core'
import type {SigilErrorCode} from '@sigil/core'
import {GCP_KMS_ENDPOINT_VARIABLE} from './endpoint.js'

/** The codes `@sigil/kms-gcp` raises (a subset of core's closed union). */
export type GcpKmsErrorCode = Extract<
  SigilErrorCode,
  | 'INVALID_ARGUMENT'
  | 'KEY_NOT_FOUND'
  | 'KEY_ACCESS_DENIED'
  | 'KEY_DISABLED'
  | 'KEY_WRONG_USAGE'
  | 'KEY_UNSUPPORTED'
  | 'KMS_THROTTLED'
  | 'KMS_CREDENTIALS_MISSING'
  | 'KMS_INTEGRITY'
  | 'KMS_ERROR'
>

/** Errors about Google Cloud KMS keys and calls. */
export class GcpKmsError extends SigilError<GcpKmsErrorCode> {}

// gRPC status codes (numeric, as the SDK's errors carry them).
export const Code = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const

/** What to do when no Google credentials are found. */
export const CREDENTIALS_HELP =
  'Sign in with `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a credentials file'

/** The numeric gRPC status of an SDK error, if any. */
export function grpcCode(err: unknown): number | undefined {
  const code = (err as {code?: unknown} | null)?.code
  return typeof code === 'number' ? code : undefined
}

/** The server's status message without the SDK's `N CODE: ` prefix. */
export function statusDetails(err: unknown): string {
  const e = err as {details?: unknown; message?: unknown} | null
  const text = typeof e?.details === 'string' && e.details ? e.details : String(e?.message ?? err)
  return text.replace(/^\d+ [A-Z_]+: /, '').replace(/\.$/, '')
}

/** Map an SDK/gRPC failure to a GcpKmsError with a stable code and a message naming the key. */
export function mapError(err: unknown, operation: string, subject: string, attempts = 1): GcpKmsError {
  if (err instanceof GcpKmsError) return err
  const code = grpcCode(err)
  const details = statusDetails(err)
  const facts = {operation, key: subject, ...(code === undefined ? {} : {grpcCode: code})}
  const options = {cause: err, details: facts}
  if (/Could not load the default credentials|Unable to detect a Project Id|invalid_grant|Could not refresh access token/i.test(details)) {
    return new GcpKmsError(
      'KMS_CREDENTIALS_MISSING',
      `no usable Google credentials for ${operation} on ${subject}: ${details}. ${CREDENTIALS_HELP}`,
      options,
    )
  }
  switch (code) {
    case Code.NOT_FOUND:
      return new GcpKmsError('KEY_NOT_FOUND', `GCP KMS ${operation}: ${subject} not found (${details})`, options)
    case Code.PERMISSION_DENIED:
      return new GcpKmsError(
        'KEY_ACCESS_DENIED',
        `GCP KMS ${operation} denied for ${subject}: ${details}. Signing needs roles/cloudkms.signerVerifier, reading the public key roles/cloudkms.publicKeyViewer, generating roles/cloudkms.admin`,
        options,
      )
    case Code.FAILED_PRECONDITION:
      return new GcpKmsError(
        'KEY_DISABLED',
        `GCP KMS ${operation} refused for ${subject}: ${details}. The key version must be ENABLED (not disabled, destroyed or scheduled for destruction)`,
        options,
      )
    case Code.RESOURCE_EXHAUSTED:
      return new GcpKmsError(
        'KMS_THROTTLED',
        `GCP KMS ${operation} for ${subject} is throttled (quota exceeded) after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${details}. Retry later or raise the Cloud KMS quota`,
        options,
      )
    case Code.UNAUTHENTICATED:
      return new GcpKmsError(
        'KMS_CREDENTIALS_MISSING',
        `GCP KMS ${operation} for ${subject}: the request was not authenticated (${details}). ${CREDENTIALS_HELP}`,
        options,
      )
    case Code.UNAVAILABLE:
    case Code.DEADLINE_EXCEEDED: {
      // gax folds every retry's error into the message: keep the first cause only.
      const cause = /Last error: (.*?)(?:\.\s|$)/.exec(details)?.[1] ?? details.split(' : Previous errors')[0]
      return new GcpKmsError(
        'KMS_ERROR',
        `GCP KMS ${operation} for ${subject}: the service is unreachable (${cause}); check the network or ${GCP_KMS_ENDPOINT_VARIABLE}`,
        options,
      )
    }
    default:
      return new GcpKmsError('KMS_ERROR', `GCP KMS ${operation} for ${subject} failed: ${details}`, options)
  }
}
