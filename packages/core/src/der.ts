/**
 * Reading DER (X.690 distinguished encoding) one element at a time: the little ASN.1 that key
 * structures (SPKI, PKCS#8) need, without a parser library.
 */

/** One DER element. */
export interface DerElement {
  readonly tag: number
  /** Offset of the first content byte. */
  readonly start: number
  /** Offset just past the element. */
  readonly end: number
}

/** Read the element at `offset`; undefined unless it is well-formed DER (minimal, definite length). */
export function readDerElement(bytes: Uint8Array, offset: number): DerElement | undefined {
  if (offset + 2 > bytes.length) return undefined
  const tag = bytes[offset]!
  if ((tag & 0x1f) === 0x1f) return undefined // multi-byte tags never occur in key structures
  const first = bytes[offset + 1]!
  let length: number
  let header = 2
  if (first < 0x80) {
    length = first
  } else {
    const count = first & 0x7f
    // 0x80 is BER's indefinite length; more than 4 length bytes is absurd for a key.
    if (count === 0 || count > 4 || offset + 2 + count > bytes.length) return undefined
    if (bytes[offset + 2] === 0) return undefined // not minimal
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + bytes[offset + 2 + i]!
    if (length < 0x80) return undefined // should have used the short form
    header += count
  }
  const start = offset + header
  const end = start + length
  if (end > bytes.length) return undefined
  return {tag, start, end}
}

/** A minimally encoded, non-negative INTEGER element at `offset` (an ECDSA r or s, a PKCS#8 version). */
export function readDerUnsignedInteger(bytes: Uint8Array, offset: number): DerElement | undefined {
  const el = readDerElement(bytes, offset)
  if (!el || el.tag !== 0x02 || el.end === el.start) return undefined
  const b0 = bytes[el.start]!
  if (b0 & 0x80) return undefined // negative
  if (b0 === 0 && el.end - el.start > 1 && !(bytes[el.start + 1]! & 0x80)) return undefined // not minimal
  return el
}
