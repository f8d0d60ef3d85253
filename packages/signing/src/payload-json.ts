import {goMarshal, sortedKeys} from '@sigil/core'
import type {SimpleSigningPayload} from '@sigil/core'

// Go's encoder emits map keys sorted at every depth; arrays keep their order.
function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep)
  if (value !== null && typeof value === 'object') {
    const sorted = sortedKeys(value as Record<string, unknown>)
    for (const k of Object.keys(sorted)) (sorted as Record<string, unknown>)[k] = sortDeep(sorted[k])
    return sorted
  }
  return value
}

/**
 * A verified payload as `cosign verify` prints it: re-marshalled in Go struct order
 * (`critical` → identity, image, type; then `optional`, `null` when empty).
 */
export function payloadForOutput(payload: SimpleSigningPayload): Record<string, unknown> {
  const optional = payload.optional
  return {
    critical: {
      identity: {'docker-reference': payload.critical.identity['docker-reference']},
      image: {'docker-manifest-digest': payload.critical.image['docker-manifest-digest']},
      type: payload.critical.type,
    },
    optional: optional === null || optional === undefined ? null : sortDeep(optional),
  }
}

/** `payloadForOutput` serialised exactly as Go would (compact, Go escaping). */
export function marshalPayloadForOutput(payload: SimpleSigningPayload): string {
  return goMarshal(payloadForOutput(payload))
}
