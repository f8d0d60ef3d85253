/**
 * bcrypt (`$2b$`), enough to write htpasswd files for the test registry: distribution 2.8's
 * htpasswd auth accepts bcrypt only, and Debian has no `htpasswd` without apache2-utils.
 * The Blowfish initial state (hex digits of π) is computed with BigInt (Machin's formula)
 * instead of being pasted in as 4 KiB of constants. Test tooling only; not constant-time.
 */
import {randomBytes} from 'node:crypto'

const P_WORDS = 18
const S_WORDS = 4 * 256

let initialState: Uint32Array | undefined

/** The first `count` 32-bit words of π's hexadecimal fraction (0x243F6A88, 0x85A308D3, …). */
export function piFractionWords(count: number): Uint32Array {
  const guard = 64n
  const bits = BigInt(count * 32) + guard
  const one = 1n << bits
  const arctanInverse = (x: bigint): bigint => {
    const x2 = x * x
    let power = one / x
    let sum = power
    for (let n = 3n, sign = -1n; power !== 0n; n += 2n, sign = -sign) {
      power /= x2
      sum += (sign * power) / n
    }
    return sum
  }
  const pi = 16n * arctanInverse(5n) - 4n * arctanInverse(239n)
  const hex = ((pi - 3n * one) >> guard).toString(16).padStart(count * 8, '0')
  const words = new Uint32Array(count)
  for (let i = 0; i < count; i++) words[i] = Number.parseInt(hex.slice(i * 8, i * 8 + 8), 16)
  return words
}

class Blowfish {
  readonly p: Uint32Array
  readonly s: Uint32Array

  constructor() {
    initialState ??= piFractionWords(P_WORDS + S_WORDS)
    this.p = initialState.slice(0, P_WORDS)
    this.s = initialState.slice(P_WORDS)
  }

  #f(x: number): number {
    const s = this.s
    return (((s[x >>> 24]! + s[256 + ((x >>> 16) & 0xff)]!) ^ s[512 + ((x >>> 8) & 0xff)]!) + s[768 + (x & 0xff)]!) >>> 0
  }

  /** Encrypt the block in `lr[0..1]` in place. */
  encrypt(lr: Uint32Array, offset = 0): void {
    const p = this.p
    let l = lr[offset]!
    let r = lr[offset + 1]!
    l = (l ^ p[0]!) >>> 0
    for (let i = 1; i <= 16; i += 2) {
      r = (r ^ this.#f(l) ^ p[i]!) >>> 0
      l = (l ^ this.#f(r) ^ p[i + 1]!) >>> 0
    }
    lr[offset] = (r ^ p[17]!) >>> 0
    lr[offset + 1] = l
  }

  /** Blowfish_expandstate (salt = data) or Blowfish_expand0state (no data). */
  expand(key: Uint8Array, data?: Uint8Array): void {
    let keyPos = 0
    const nextKeyWord = (): number => {
      let w = 0
      for (let i = 0; i < 4; i++) {
        w = ((w << 8) | key[keyPos]!) >>> 0
        keyPos = (keyPos + 1) % key.length
      }
      return w
    }
    let dataPos = 0
    const nextDataWord = (): number => {
      if (data === undefined) return 0
      let w = 0
      for (let i = 0; i < 4; i++) {
        w = ((w << 8) | data[dataPos]!) >>> 0
        dataPos = (dataPos + 1) % data.length
      }
      return w
    }
    for (let i = 0; i < P_WORDS; i++) this.p[i] = (this.p[i]! ^ nextKeyWord()) >>> 0
    const lr = new Uint32Array(2)
    const fill = (target: Uint32Array): void => {
      for (let i = 0; i < target.length; i += 2) {
        lr[0] = (lr[0]! ^ nextDataWord()) >>> 0
        lr[1] = (lr[1]! ^ nextDataWord()) >>> 0
        this.encrypt(lr)
        target[i] = lr[0]!
        target[i + 1] = lr[1]!
      }
    }
    fill(this.p)
    fill(this.s)
  }
}

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const BCRYPT = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

function encode64(bytes: Uint8Array): string {
  const std = Buffer.from(bytes).toString('base64').replace(/=+$/, '')
  let out = ''
  for (const c of std) out += BCRYPT[STD.indexOf(c)]
  return out
}

function decode64(text: string, length: number): Uint8Array {
  let std = ''
  for (const c of text) {
    const i = BCRYPT.indexOf(c)
    if (i === -1) throw new Error(`invalid bcrypt base64 character ${JSON.stringify(c)}`)
    std += STD[i]
  }
  return new Uint8Array(Buffer.from(std, 'base64').subarray(0, length))
}

/**
 * bcrypt hash of `password` (`$2b$<cost>$<salt><hash>`). `salt` is a full or partial hash
 * string (`$2a$05$<22 chars>`) to reproduce a known hash; default a random salt.
 */
export function bcryptHash(password: string, cost = 5, salt?: string): string {
  let prefix = '2b'
  let saltBytes: Uint8Array
  if (salt !== undefined) {
    const m = /^\$(2[abxy])\$(\d\d)\$([./A-Za-z0-9]{22})/.exec(salt)
    if (m === null) throw new Error('invalid bcrypt salt string')
    prefix = m[1]!
    cost = Number(m[2])
    saltBytes = decode64(m[3]!, 16)
  } else {
    saltBytes = new Uint8Array(randomBytes(16))
  }
  if (cost < 4 || cost > 31) throw new Error('bcrypt cost must be 4..31')
  // $2a$/$2b$: the key includes the terminating NUL, capped at 72 bytes.
  const pw = Buffer.from(password, 'utf8')
  const key = new Uint8Array(Math.min(pw.length + 1, 72))
  key.set(pw.subarray(0, key.length))

  const bf = new Blowfish()
  bf.expand(key, saltBytes)
  for (let i = 0; i < 2 ** cost; i++) {
    bf.expand(key)
    bf.expand(saltBytes)
  }
  const text = Buffer.from('OrpheanBeholderScryDoubt', 'latin1')
  const blocks = new Uint32Array(6)
  for (let i = 0; i < 6; i++) blocks[i] = text.readUInt32BE(i * 4)
  for (let round = 0; round < 64; round++) for (let b = 0; b < 6; b += 2) bf.encrypt(blocks, b)
  const out = Buffer.alloc(24)
  for (let i = 0; i < 6; i++) out.writeUInt32BE(blocks[i]!, i * 4)
  return `$${prefix}$${String(cost).padStart(2, '0')}$${encode64(saltBytes)}${encode64(out.subarray(0, 23))}`
}
