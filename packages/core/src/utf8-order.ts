/** Internal: Go's string order, shared by the Go and protojson encoders and the referrers index. */

/** Orders strings by their UTF-8 bytes (= code point order), as Go compares strings and sorts map keys. */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!
    const y = b.codePointAt(i)!
    if (x !== y) return x - y
    if (x > 0xffff) i++
  }
  return a.length - b.length
}
