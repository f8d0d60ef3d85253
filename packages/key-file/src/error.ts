import {SigilError} from '@sigil/core'
import type {SigilErrorCode} from '@sigil/core'

/** The codes `@sigil/key-file` raises (a subset of core's closed union). */
export type KeyFileErrorCode = Extract<
  SigilErrorCode,
  | 'INVALID_ARGUMENT'
  | 'KEY_NOT_FOUND'
  | 'KEY_READ_FAILED'
  | 'KEY_INVALID'
  | 'KEY_UNSUPPORTED'
  | 'KEY_DECRYPT_FAILED'
  | 'KEY_EXISTS'
  | 'KEY_WRITE_FAILED'
  | 'KEY_NOT_PRIVATE'
  | 'PASSWORD_REQUIRED'
  | 'SIGNING_FAILED'
>

/** Errors about key files, key material and passwords. */
export class KeyFileError extends SigilError<KeyFileErrorCode> {}
