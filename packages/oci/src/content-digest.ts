/**
 * Content digests (`algorithm:hex`) computed with node:crypto, and the checks that every
 * manifest and blob the client reads or writes is what its digest says.
 */
import {createHash} from 'node:crypto'
import {ociError} from './error.js'

const ALGORITHMS: Record<string, string> = {sha256: 'sha256', sha384: 'sha384', sha512: 'sha512'}
const HEX_LENGTH: Record<string, number> = {sha256: 64, sha384: 96, sha512: 128}

/** True for a well-formed `sha256|sha384|sha512:<lower hex>` digest. */
export function isSupportedDigest(digest: string): boolean {
  const colon = digest.indexOf(':')
  if (colon === -1) return false
  const alg = digest.slice(0, colon)
  const hex = digest.slice(colon + 1)
  return HEX_LENGTH[alg] !== undefined && hex.length === HEX_LENGTH[alg] && /^[0-9a-f]+$/.test(hex)
}

/** True when `reference` has digest form (`alg:encoded`) rather than tag form. */
export function looksLikeDigest(reference: string): boolean {
  return reference.includes(':')
}

/** `algorithm:hex` of `bytes`; algorithm sha256 (default), sha384 or sha512. */
export function computeDigest(bytes: Uint8Array, algorithm = 'sha256'): string {
  const alg = ALGORITHMS[algorithm]
  if (alg === undefined) {
    throw ociError('INVALID_REFERENCE', `unsupported digest algorithm "${algorithm}" (supported: sha256, sha384, sha512)`)
  }
  return `${algorithm}:${createHash(alg).update(bytes).digest('hex')}`
}

/** Throw DIGEST_MISMATCH unless `bytes` hash to `expected` (`what` names the content in the message). */
export function assertDigest(bytes: Uint8Array, expected: string, what: string): void {
  if (!isSupportedDigest(expected)) {
    throw ociError('INVALID_REFERENCE', `invalid or unsupported digest "${expected}" for ${what}`)
  }
  const actual = computeDigest(bytes, expected.slice(0, expected.indexOf(':')))
  if (actual !== expected) {
    throw ociError('DIGEST_MISMATCH', `${what}: content digest ${actual} does not match expected ${expected}`, {
      details: {expected, actual},
    })
  }
}
