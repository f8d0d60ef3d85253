/**
 * ECDSA signature encodings: PKCS#11 returns raw r‖s, cosign stores ASN.1 DER.
 */

function derInteger(bytes: Uint8Array): number[] {
  let i = 0
  while (i < bytes.length - 1 && bytes[i] === 0) i++
  const v = [...bytes.subarray(i)]
  if (v[0]! & 0x80) v.unshift(0)
  return [0x02, ...derLength(v.length), ...v]
}

function derLength(n: number): number[] {
  if (n < 0x80) return [n]
  if (n < 0x100) return [0x81, n]
  return [0x82, n >> 8, n & 0xff]
}

/** Raw r‖s (two equal halves) → DER `SEQUENCE { INTEGER r, INTEGER s }`. */
export function rawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new RangeError(`an ECDSA signature r‖s has an even, non-zero length (got ${raw.length})`)
  const half = raw.length / 2
  const body = [...derInteger(raw.subarray(0, half)), ...derInteger(raw.subarray(half))]
  return Uint8Array.from([0x30, ...derLength(body.length), ...body])
}

/**
 * Strict DER `SEQUENCE { INTEGER r, INTEGER s }` → raw r‖s with `size`-byte halves; undefined
 * when the input is not exactly that (no trailing bytes, minimal lengths, positive values that fit).
 */
export function derToRaw(der: Uint8Array, size: number): Uint8Array | undefined {
  let pos = 0
  const readLength = (): number | undefined => {
    const first = der[pos++]
    if (first === undefined) return undefined
    if (first < 0x80) return first
    const n = first & 0x7f
    if (n === 0 || n > 2) return undefined
    let len = 0
    for (let i = 0; i < n; i++) {
      const b = der[pos++]
      if (b === undefined) return undefined
      len = (len << 8) | b
    }
    if (len < 0x80 || (n === 2 && len < 0x100)) return undefined
    return len
  }
  const readInt = (): Uint8Array | undefined => {
    if (der[pos++] !== 0x02) return undefined
    const len = readLength()
    if (len === undefined || len === 0 || pos + len > der.length) return undefined
    const v = der.subarray(pos, pos + len)
    pos += len
    if (v[0]! & 0x80) return undefined
    if (len > 1 && v[0] === 0 && !(v[1]! & 0x80)) return undefined
    const trimmed = v[0] === 0 && len > 1 ? v.subarray(1) : v
    if (trimmed.length > size) return undefined
    return trimmed
  }
  if (der[pos++] !== 0x30) return undefined
  const total = readLength()
  if (total === undefined || pos + total !== der.length) return undefined
  const r = readInt()
  const s = r && readInt()
  if (!r || !s || pos !== der.length) return undefined
  const out = new Uint8Array(2 * size)
  out.set(r, size - r.length)
  out.set(s, 2 * size - s.length)
  return out
}
