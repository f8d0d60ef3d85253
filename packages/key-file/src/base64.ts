/**
 * Standard base64 with padding, decoded as strictly as Go's `base64.StdEncoding`
 * (what cosign uses for PEM bodies and the `[]byte` fields of an encrypted key).
 * Node's own decoder silently skips bad characters, which would turn a damaged key
 * into a confusing "wrong password".
 */

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * Decode standard, padded base64. CR and LF are ignored (as Go does); any other
 * character outside the alphabet, or bad padding, gives `undefined`.
 */
export function decodeStdBase64(text: string): Uint8Array | undefined {
  const compact = text.replace(/[\r\n]/g, '')
  if (!STD_BASE64.test(compact)) return undefined
  return new Uint8Array(Buffer.from(compact, 'base64'))
}

/** Encode as standard, padded base64 (Go `base64.StdEncoding`). */
export function encodeStdBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}
