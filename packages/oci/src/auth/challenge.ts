/** The `WWW-Authenticate` header: which schemes a registry accepts, and where its tokens come from. */

/** One parsed challenge from `WWW-Authenticate`. */
export interface AuthChallenge {
  /** Scheme, lower-cased (`bearer`, `basic`). */
  readonly scheme: string
  /** Parameters with lower-cased names (`realm`, `service`, `scope`, `error`). */
  readonly params: Readonly<Record<string, string>>
}

const TOKEN_CHAR = /[^\s,="]/

/**
 * Parse a `WWW-Authenticate` header value (RFC 9110 §11.6.1): one or more challenges, each a
 * scheme followed by `name=value` parameters whose values may be quoted strings containing
 * commas and backslash escapes. Unparsable tails are ignored.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const out: {scheme: string; params: Record<string, string>}[] = []
  let i = 0
  const n = header.length
  const skipWs = (): void => {
    while (i < n && /\s/.test(header[i]!)) i++
  }
  const readToken = (): string => {
    const start = i
    while (i < n && TOKEN_CHAR.test(header[i]!)) i++
    return header.slice(start, i)
  }
  while (i < n) {
    while (i < n && (header[i] === ',' || /\s/.test(header[i]!))) i++
    if (i >= n) break
    const scheme = readToken()
    if (scheme === '') {
      i++ // stray character: skip it
      continue
    }
    const challenge = {scheme: scheme.toLowerCase(), params: {} as Record<string, string>}
    out.push(challenge)
    for (let first = true; ; first = false) {
      skipWs()
      const mark = i
      const name = readToken()
      skipWs()
      if (name === '' || header[i] !== '=') {
        // Not a parameter: a token68 right after the scheme (ignored), else the next challenge.
        i = mark
        if (first && name !== '') readToken()
        break
      }
      i++ // '='
      skipWs()
      let value = ''
      if (header[i] === '"') {
        i++
        while (i < n && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < n) i++
          value += header[i]
          i++
        }
        i++ // closing quote
      } else {
        const start = i
        while (i < n && header[i] !== ',' && !/\s/.test(header[i]!)) i++
        value = header.slice(start, i)
      }
      challenge.params[name.toLowerCase()] = value
      skipWs()
      if (header[i] === ',') i++
      else break
    }
  }
  return out
}
