/**
 * PEM as Go's `encoding/pem` reads and writes it: cosign's files are produced by
 * `pem.EncodeToMemory` and read with `pem.Decode`, so both directions follow Go.
 */
import {decodeStdBase64, encodeStdBase64} from './base64.js'

/** One decoded PEM block. */
export interface PemBlock {
  /** The label, e.g. `PUBLIC KEY`. */
  readonly type: string
  /** RFC 1421 headers (`Proc-Type`, `DEK-Info`), if any. */
  readonly headers: Readonly<Record<string, string>>
  /** The DER (or other) body. */
  readonly bytes: Uint8Array
}

const BEGIN = '-----BEGIN '
const DASHES = '-----'

/**
 * The first well-formed PEM block in `input`, or undefined (Go: `pem.Decode` returns nil).
 * Text before the block is ignored, as are later blocks; a malformed block is skipped and
 * the search goes on, like Go.
 */
export function decodePem(input: string | Uint8Array): PemBlock | undefined {
  const text = typeof input === 'string' ? input : latin1(input)
  let from = 0
  for (;;) {
    const begin = findAtLineStart(text, BEGIN, from)
    if (begin < 0) return undefined
    from = begin + BEGIN.length
    const block = decodeBlockAt(text, begin)
    if (block) return block
  }
}

/** PEM is ASCII; reading bytes as latin1 never fails, and stray bytes then fail the base64 check. */
function latin1(bytes: Uint8Array): string {
  let text = ''
  for (let i = 0; i < bytes.length; i += 0x2000) text += String.fromCharCode(...bytes.subarray(i, i + 0x2000))
  return text
}

function findAtLineStart(text: string, needle: string, from: number): number {
  for (let i = text.indexOf(needle, from); i >= 0; i = text.indexOf(needle, i + 1)) {
    if (i === 0 || text[i - 1] === '\n') return i
  }
  return -1
}

function decodeBlockAt(text: string, begin: number): PemBlock | undefined {
  const lineEnd = text.indexOf('\n', begin)
  if (lineEnd < 0) return undefined
  const typeLine = text.slice(begin + BEGIN.length, lineEnd).replace(/[ \t\r]+$/, '')
  if (!typeLine.endsWith(DASHES)) return undefined
  const type = typeLine.slice(0, -DASHES.length)

  // Headers: "Key: value" lines directly after BEGIN, up to the first line without a colon.
  const headers: Record<string, string> = {}
  let pos = lineEnd + 1
  for (;;) {
    const next = text.indexOf('\n', pos)
    const line = text.slice(pos, next < 0 ? text.length : next).replace(/\r$/, '')
    const colon = line.indexOf(':')
    if (colon < 0) break
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim()
    if (next < 0) return undefined
    pos = next + 1
  }

  const endMarker = `-----END ${type}${DASHES}`
  let endIndex = text.indexOf(endMarker, pos)
  // The END line must start a line (Go: "\n-----END"), unless the body is empty.
  while (endIndex >= 0 && endIndex !== pos && text[endIndex - 1] !== '\n') {
    endIndex = text.indexOf(endMarker, endIndex + 1)
  }
  if (endIndex < 0) return undefined
  const afterEnd = text.slice(endIndex + endMarker.length).match(/^[ \t\r]*(\n|$)/)
  if (!afterEnd) return undefined
  const bytes = decodeStdBase64(text.slice(pos, endIndex).replace(/[ \t]/g, ''))
  if (!bytes) return undefined
  return {type, headers, bytes}
}

/**
 * Encode like Go's `pem.EncodeToMemory` without headers: 64-character base64 lines,
 * a newline after each, and a trailing newline.
 */
export function encodePem(type: string, bytes: Uint8Array): string {
  const body = encodeStdBase64(bytes)
  let out = `-----BEGIN ${type}-----\n`
  for (let i = 0; i < body.length; i += 64) out += body.slice(i, i + 64) + '\n'
  return out + `-----END ${type}-----\n`
}

/** PEM labels a private key can carry (to tell users they passed the wrong half). */
export function isPrivateKeyPemType(type: string): boolean {
  return /PRIVATE KEY$/.test(type)
}

/** PEM labels of public keys cosign reads. */
export function isPublicKeyPemType(type: string): boolean {
  return type === 'PUBLIC KEY' || type === 'RSA PUBLIC KEY'
}
