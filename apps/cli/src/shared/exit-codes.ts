/**
 * The one place that maps an error to an exit code. Follows cosign (spec §6.1):
 * 0 ok, 10 no signatures, 11 image/tag not found, 12 no matching signature, 1 anything else;
 * 2 for usage errors (bad flags, malformed references or annotations).
 */
export const EXIT = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  NO_SIGNATURES: 10,
  IMAGE_NOT_FOUND: 11,
  NO_MATCHING_SIGNATURES: 12,
} as const

const BY_CODE: Readonly<Record<string, number>> = {
  NO_SIGNATURES_FOUND: EXIT.NO_SIGNATURES,
  IMAGE_NOT_FOUND: EXIT.IMAGE_NOT_FOUND,
  NO_MATCHING_SIGNATURES: EXIT.NO_MATCHING_SIGNATURES,
  INVALID_ARGUMENT: EXIT.USAGE,
  INVALID_REFERENCE: EXIT.USAGE,
  INVALID_ANNOTATION: EXIT.USAGE,
}

/** Exit code for anything thrown by a command. */
export function exitCodeFor(err: unknown): number {
  if (typeof err === 'object' && err !== null) {
    const code = (err as {code?: unknown}).code
    if (typeof code === 'string' && code in BY_CODE) return BY_CODE[code]!
    // oclif's own parse errors carry their exit code (2, from package.json `oclif.exitCodes`).
    const oclifExit = (err as {oclif?: {exit?: unknown}}).oclif?.exit
    if (typeof oclifExit === 'number') return oclifExit
  }
  return EXIT.ERROR
}
