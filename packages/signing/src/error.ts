import {SigilError} from '@sigil/core'
import type {SigilErrorCode} from '@sigil/core'

/** The codes this package raises. */
export type SigningErrorCode = Extract<
  SigilErrorCode,
  | 'IMAGE_NOT_FOUND'
  | 'NO_SIGNATURES_FOUND'
  | 'NO_MATCHING_SIGNATURES'
  | 'INVALID_SIGNATURE_MANIFEST'
  | 'INVALID_PAYLOAD'
  | 'SIGNING_FAILED'
  | 'RESPONSE_TOO_LARGE'
  | 'REGISTRY_PROTOCOL'
  | 'DESTINATION_EXISTS'
  | 'FILE_NOT_FOUND'
  | 'FILE_READ_FAILED'
  | 'MESSAGE_TOO_LARGE'
  | 'INVALID_ARGUMENT'
>

/** Errors of image signing and verification. */
export class SigningError extends SigilError<SigningErrorCode> {}
