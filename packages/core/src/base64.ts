/**
 * Standard base64 with padding, decoded as strictly as Go's `base64.StdEncoding` (what cosign
 * uses for PEM bodies and the `[]byte` fields of an encrypted key). A lenient decoder would
 * skip bad characters and turn a damaged key into a confusing "wrong password". Pure code: no
 * Buffer, so core stays free of Node APIs here.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const VALUE = new Uint8Array(128)
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i

/**
 * Decode standard, padded base64. CR and LF are ignored (as Go does); any other character
 * outside the alphabet, or bad padding, gives `undefined`. Unused bits in the last group are
 * ignored, as Go's (non-strict) `StdEncoding` does.
 */
export function decodeStdBase64(text: string): Uint8Array | undefined {
  const compact = text.replace(/[\r\n]/g, '')
  if (!STD_BASE64.test(compact)) return undefined
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0
  const out = new Uint8Array((compact.length / 4) * 3 - padding)
  let o = 0
  for (let i = 0; i < compact.length; i += 4) {
    const n =
      (VALUE[compact.charCodeAt(i)]! << 18) |
      (VALUE[compact.charCodeAt(i + 1)]! << 12) |
      ((compact[i + 2] === '=' ? 0 : VALUE[compact.charCodeAt(i + 2)]!) << 6) |
      (compact[i + 3] === '=' ? 0 : VALUE[compact.charCodeAt(i + 3)]!)
    out[o++] = n >>> 16
    if (o < out.length) out[o++] = (n >>> 8) & 0xff
    if (o < out.length) out[o++] = n & 0xff
  }
  return out
}

/** Encode as standard, padded base64 (Go `base64.StdEncoding`). */
export function encodeStdBase64(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + ALPHABET[n & 63]!
  }
  if (i < bytes.length) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8)
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]!
    out += i + 1 < bytes.length ? ALPHABET[(n >>> 6) & 63]! + '=' : '=='
  }
  return out
}
