/**
 * Response headers without the global `Headers` (which loads undici), and the rate-limit fields
 * registries such as Docker Hub send.
 */

/** Raw rate-limit header values (Docker Hub: `ratelimit-remaining: 76;w=21600`). */
export interface RateLimitInfo {
  readonly limit?: string
  readonly remaining?: string
  readonly reset?: string
}

/** The `ratelimit-*` headers of a response, or undefined when it has none. */
export function rateLimitOf(headers: {get(name: string): string | null}): RateLimitInfo | undefined {
  const info: {limit?: string; remaining?: string; reset?: string} = {}
  for (const k of ['limit', 'remaining', 'reset'] as const) {
    const v = headers.get(`ratelimit-${k}`)
    if (v !== null) info[k] = v
  }
  return Object.keys(info).length === 0 ? undefined : info
}

/**
 * Response headers with the one lookup callers need: case-insensitive `get()`, repeated fields
 * joined with `, ` (what `Headers.get` returns).
 */
export class ResponseHeaders {
  readonly #fields = new Map<string, string>()

  /** From alternating names and values, as `IncomingMessage.rawHeaders`. */
  constructor(raw: readonly string[] = []) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase()
      const value = raw[i + 1]!
      const previous = this.#fields.get(name)
      this.#fields.set(name, previous === undefined ? value : `${previous}, ${value}`)
    }
  }

  /** The field's value, or null when absent. */
  get(name: string): string | null {
    return this.#fields.get(name.toLowerCase()) ?? null
  }

  /** True when the field is present. */
  has(name: string): boolean {
    return this.#fields.has(name.toLowerCase())
  }
}
