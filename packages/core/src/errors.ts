/**
 * Errors with stable codes. A code is never renamed once released; the CLI maps codes
 * to exit codes in one place (`apps/cli/src/exit-codes.ts`) and uses them as docs anchors.
 */

/** Every code the sigil packages raise. Closed: add, never rename. */
export type SigilErrorCode =
  // usage / input
  | 'INVALID_ARGUMENT'
  | 'INVALID_REFERENCE'
  | 'INVALID_ANNOTATION'
  // keys
  | 'KEY_NOT_FOUND'
  | 'KEY_READ_FAILED'
  | 'KEY_INVALID'
  | 'KEY_UNSUPPORTED'
  | 'KEY_DECRYPT_FAILED'
  | 'KEY_EXISTS'
  | 'KEY_WRITE_FAILED'
  | 'KEY_NOT_PRIVATE'
  | 'PASSWORD_REQUIRED'
  | 'PASSWORD_MISMATCH'
  | 'NO_KEY_PROVIDER'
  // remote keys (KMS, HSM, executable plugins)
  | 'KMS_ERROR'
  | 'KEY_ACCESS_DENIED'
  | 'KEY_DISABLED'
  | 'KEY_WRONG_USAGE'
  | 'KMS_THROTTLED'
  | 'KMS_CREDENTIALS_MISSING'
  | 'KMS_REGION_MISMATCH'
  | 'KMS_INTEGRITY'
  // plugins
  | 'PLUGIN_CONFLICT'
  | 'PLUGIN_FAILED'
  // registry / transport
  | 'REGISTRY_UNREACHABLE'
  | 'REGISTRY_AUTH_FAILED'
  | 'REGISTRY_DENIED'
  | 'REGISTRY_ERROR'
  | 'REGISTRY_PROTOCOL'
  | 'INSECURE_REGISTRY'
  | 'DIGEST_MISMATCH'
  | 'RESPONSE_TOO_LARGE'
  | 'MANIFEST_UNKNOWN'
  | 'BLOB_UNKNOWN'
  // signatures
  | 'IMAGE_NOT_FOUND'
  | 'NO_SIGNATURES_FOUND'
  | 'NO_MATCHING_SIGNATURES'
  | 'INVALID_SIGNATURE_MANIFEST'
  | 'INVALID_PAYLOAD'
  | 'SIGNING_FAILED'
  // copy: a destination tag names another manifest (overwrite with --force)
  | 'DESTINATION_EXISTS'
  // OCI image layouts (save, load, verify --local-image)
  | 'INVALID_LAYOUT'
  | 'LAYOUT_WRITE_FAILED'
  // local files (sign-blob, verify-blob)
  | 'FILE_NOT_FOUND'
  | 'FILE_READ_FAILED'
  | 'FILE_WRITE_FAILED'
  | 'MESSAGE_TOO_LARGE'
  // time limits
  | 'TIMEOUT'
  | 'INTERNAL'

// A registry-wide symbol, so errors from a second copy of @sigil/core are still recognised.
const SIGIL_ERROR = Symbol.for('@sigil/core/SigilError')

/** Base class of every error sigil throws on purpose. `name` is the subclass name. */
export class SigilError<C extends string = SigilErrorCode> extends Error {
  static {
    Object.defineProperty(this.prototype, SIGIL_ERROR, {value: true})
  }

  /** Stable, machine-readable code. */
  readonly code: C
  /** Extra structured facts for `--json` output (never secrets). */
  readonly details?: Record<string, unknown>

  constructor(code: C, message: string, options?: {cause?: unknown; details?: Record<string, unknown>}) {
    super(message, options?.cause === undefined ? undefined : {cause: options.cause})
    this.code = code
    this.details = options?.details
    this.name = new.target.name
  }
}

/** True when `err` is a SigilError, including one thrown by another copy of this package. */
export function isSigilError(err: unknown): err is SigilError<string> {
  return typeof err === 'object' && err !== null && (err as {[SIGIL_ERROR]?: unknown})[SIGIL_ERROR] === true
}

/** Rethrow `err` as a SigilError with `code`, unless it already is one. */
export function wrap(err: unknown, code: SigilErrorCode, message: string): never {
  if (isSigilError(err)) throw err
  throw new SigilError(code, message, {cause: err})
}
