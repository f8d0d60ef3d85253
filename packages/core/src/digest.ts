/**
 * OCI content digests (`<algorithm>:<hex>`).
 */
import {createHash} from 'node:crypto'
import {SigilError} from './errors.js'

/** Digest algorithms the OCI image spec registers. */
export type DigestAlgorithm = 'sha256' | 'sha512'

/** A digest split into its parts. */
export interface ParsedDigest {
  readonly algorithm: DigestAlgorithm
  /** Lower-case hex of the hash. */
  readonly hex: string
}

const HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = {sha256: 64, sha512: 128}
const LOWER_HEX = /^[0-9a-f]*$/

/** `sha256:<hex>` of `bytes`, as registries compute blob and manifest digests. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

function describeProblem(s: string): string | undefined {
  const colon = s.indexOf(':')
  if (colon === -1) return 'expected "<algorithm>:<hex>", e.g. "sha256:" followed by 64 hex characters'
  const algorithm = s.slice(0, colon)
  const hex = s.slice(colon + 1)
  if (!Object.hasOwn(HEX_LENGTH, algorithm)) return `unsupported digest algorithm "${algorithm}" (expected sha256 or sha512)`
  const length = HEX_LENGTH[algorithm as DigestAlgorithm]
  if (hex.length !== length || !LOWER_HEX.test(hex)) return `${algorithm} needs exactly ${length} lower-case hex characters`
  return undefined
}

/**
 * Split a digest such as `sha256:634a…6a00` into algorithm and hex.
 * Throws `INVALID_REFERENCE` unless it is sha256 (64 hex) or sha512 (128 hex), lower case.
 */
export function parseDigest(s: string): ParsedDigest {
  const problem = describeProblem(s)
  if (problem !== undefined) {
    throw new SigilError('INVALID_REFERENCE', `invalid digest "${s}": ${problem}`, {details: {digest: s}})
  }
  const colon = s.indexOf(':')
  return {algorithm: s.slice(0, colon) as DigestAlgorithm, hex: s.slice(colon + 1)}
}

/** True when `value` is a well-formed digest (see `parseDigest`). Never throws. */
export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && describeProblem(value) === undefined
}
