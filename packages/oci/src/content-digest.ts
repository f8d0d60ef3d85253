/**
 * The check that every manifest and blob the client reads or writes is what its digest says,
 * with oci's error codes. What a digest is, and the hashing, are core's (`isDigest`, `computeDigest`).
 */
import {computeDigest, digestMatches, isDigest, parseDigest} from '@sigil/core'
import {ociError} from './error.js'

/** Throw DIGEST_MISMATCH unless `bytes` hash to `expected` (`what` names the content in the message); INVALID_REFERENCE for a digest sigil cannot check. */
export function assertDigest(bytes: Uint8Array, expected: string, what: string): void {
  if (!isDigest(expected)) {
    throw ociError('INVALID_REFERENCE', `invalid or unsupported digest "${expected}" for ${what}`)
  }
  if (digestMatches(bytes, expected)) return
  const actual = computeDigest(bytes, parseDigest(expected).algorithm)
  throw ociError('DIGEST_MISMATCH', `${what}: content digest ${actual} does not match expected ${expected}`, {
    details: {expected, actual},
  })
}
