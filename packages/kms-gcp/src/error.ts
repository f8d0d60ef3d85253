import {SigilError} from '@sigil/core'
import type {SigilErrorCode} from '@sigil/core'

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
