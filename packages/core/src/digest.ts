/**
 * OCI content digests (`<algorithm>:<hex>`): the one rule set for what a well-formed digest is,
 * which algorithms sigil can compute and check, and the hashing itself.
 */
import {createHash} from 'node:crypto'
import {SigilError} from './errors.js'

/**
 * Digest algorithms sigil computes and checks: the ones go-digest (and so every distribution
 * registry) implements. Image references only take sha256 (go-containerregistry's rule, see
 * `parseReference`).
 */
export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512'

/** The algorithms of {@link DigestAlgorithm}, sha256 (the default everywhere) first. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = Object.freeze(['sha256', 'sha384', 'sha512'])

/** Hex characters in a digest of each algorithm. */
export const DIGEST_HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = Object.freeze({sha256: 64, sha384: 96, sha512: 128})

/** A digest split into its parts. */
export interface ParsedDigest {
  readonly algorithm: DigestAlgorithm
  /** Lower-case hex of the hash. */
  readonly hex: string
}

const LOWER_HEX = /^[0-9a-f]*$/
// The OCI image spec's digest grammar: algorithm-component ([a-z0-9]+) joined by [+._-], ":", encoded.
const DIGEST_SYNTAX = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/

/** True when `algorithm` is one of {@link DIGEST_ALGORITHMS}. */
export function isDigestAlgorithm(algorithm: string): algorithm is DigestAlgorithm {
  return Object.hasOwn(DIGEST_HEX_LENGTH, algorithm)
}

/** `<algorithm>:<hex>` of `bytes`; sha256 unless `algorithm` says otherwise. Throws `INVALID_ARGUMENT` for another algorithm. */
export function computeDigest(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  if (!isDigestAlgorithm(algorithm)) {
    throw new SigilError('INVALID_ARGUMENT', `unsupported digest algorithm "${String(algorithm)}" (supported: ${DIGEST_ALGORITHMS.join(', ')})`)
  }
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`
}

/** `sha256:<hex>` of `bytes`, as registries compute blob and manifest digests. */
export function sha256Digest(bytes: Uint8Array): string {
  return computeDigest(bytes, 'sha256')
}

function describeProblem(s: string): string | undefined {
  const colon = s.indexOf(':')
  if (colon === -1) return 'expected "<algorithm>:<hex>", e.g. "sha256:" followed by 64 hex characters'
  const algorithm = s.slice(0, colon)
  const hex = s.slice(colon + 1)
  if (!isDigestAlgorithm(algorithm)) return `unsupported digest algorithm "${algorithm}" (expected ${DIGEST_ALGORITHMS.join(', ')})`
  const length = DIGEST_HEX_LENGTH[algorithm]
  if (hex.length !== length || !LOWER_HEX.test(hex)) return `${algorithm} needs exactly ${length} lower-case hex characters`
  return undefined
}

/**
 * Split a digest such as `sha256:634a…6a00` into algorithm and hex.
 * Throws `INVALID_REFERENCE` unless it is one of {@link DIGEST_ALGORITHMS} with exactly
 * {@link DIGEST_HEX_LENGTH} lower-case hex characters.
 */
export function parseDigest(s: string): ParsedDigest {
  const problem = describeProblem(s)
  if (problem !== undefined) {
    throw new SigilError('INVALID_REFERENCE', `invalid digest "${s}": ${problem}`, {details: {digest: s}})
  }
  const colon = s.indexOf(':')
  return {algorithm: s.slice(0, colon) as DigestAlgorithm, hex: s.slice(colon + 1)}
}

/** True when `value` is a well-formed digest sigil can check (see `parseDigest`). Never throws. */
export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && describeProblem(value) === undefined
}

/**
 * True when `value` has the OCI digest grammar (`algorithm:encoded`), whatever the algorithm:
 * the test for a digest that is only passed on to a registry (which may know algorithms sigil
 * does not). Content sigil reads is checked with {@link isDigest} / {@link digestMatches}.
 */
export function isDigestSyntax(value: unknown): value is string {
  return typeof value === 'string' && DIGEST_SYNTAX.test(value)
}

/**
 * True when `bytes` hash to `expected` with `expected`'s algorithm. False for a digest
 * sigil cannot check (see {@link isDigest}). Never throws.
 */
export function digestMatches(bytes: Uint8Array, expected: string): boolean {
  if (!isDigest(expected)) return false
  return computeDigest(bytes, expected.slice(0, expected.indexOf(':')) as DigestAlgorithm) === expected
}
