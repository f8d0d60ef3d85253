/**
 * OpenSSH signatures (PROTOCOL.sshsig, what `ssh-keygen -Y sign` writes and git's `gpg.format ssh`
 * reads) and OpenSSH public-key lines (PROTOCOL.key wire encoding, RFC 4253/5656/8709/8332), made
 * with any {@link Signer}: the signer signs SSHSIG's own small "signed data" blob, hashing it as
 * its algorithm says, which is the hash OpenSSH's signature algorithm fixes.
 */
import {createHash, createPublicKey} from 'node:crypto'
import type {PublicKeyInfo, SignatureAlgorithm, Signer} from './contracts.js'
import {readDerElement, readDerUnsignedInteger} from './der.js'
import {SigilError} from './errors.js'

/** Hash of the message inside an SSHSIG (`-O hashalg=`); OpenSSH signs with sha512 by default. */
export type SshsigHash = 'sha256' | 'sha512'

/** One OpenSSH public-key line: `TYPE BASE64 [COMMENT]`. */
export interface SshPublicKey {
  /** `ecdsa-sha2-nistp256`, `ssh-ed25519`, `ssh-rsa`, … */
  readonly keyType: string
  /** The wire-encoded key (what the base64 holds). */
  readonly blob: Uint8Array
  /** Everything after the base64, trimmed; empty when absent. */
  readonly comment: string
}

/** A decoded SSHSIG. */
export interface Sshsig {
  readonly publicKey: Uint8Array
  readonly namespace: string
  readonly hashAlgorithm: string
  /** The SSH signature blob: `string algorithm, string signature`. */
  readonly signature: Uint8Array
  /** The signature algorithm named in `signature` (`rsa-sha2-512`, …). */
  readonly signatureAlgorithm: string
}

const MAGIC = new TextEncoder().encode('SSHSIG')
const BEGIN = '-----BEGIN SSH SIGNATURE-----'
const END = '-----END SSH SIGNATURE-----'
const EC_SSH: Readonly<Record<string, {name: string; curve: string}>> = {
  'P-256': {name: 'ecdsa-sha2-nistp256', curve: 'nistp256'},
  'P-384': {name: 'ecdsa-sha2-nistp384', curve: 'nistp384'},
  'P-521': {name: 'ecdsa-sha2-nistp521', curve: 'nistp521'},
}

/** The OpenSSH signature algorithm for each signer scheme OpenSSH can verify. */
const SSH_SIGNATURE_ALGORITHMS: Partial<Record<SignatureAlgorithm, string>> = {
  'ecdsa-p256-sha256': 'ecdsa-sha2-nistp256',
  'ecdsa-p384-sha384': 'ecdsa-sha2-nistp384',
  'ecdsa-p521-sha512': 'ecdsa-sha2-nistp521',
  ed25519: 'ssh-ed25519',
  'rsa-pkcs1v15-sha512': 'rsa-sha2-512',
  'rsa-pkcs1v15-sha256': 'rsa-sha2-256',
}

// ---- wire encoding (RFC 4251 §5) ----

function uint32(n: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, n)
  return out
}

function sshString(value: Uint8Array | string): Uint8Array {
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value
  return concat(uint32(bytes.length), bytes)
}

/** An mpint from unsigned big-endian bytes: minimal, with a 0 byte when the top bit is set. */
function mpint(unsigned: Uint8Array): Uint8Array {
  let i = 0
  while (i < unsigned.length && unsigned[i] === 0) i++
  const trimmed = unsigned.subarray(i)
  return sshString(trimmed.length > 0 && trimmed[0]! & 0x80 ? concat(new Uint8Array([0]), trimmed) : trimmed)
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Reads SSH wire strings in order; any overrun is `INVALID_ARGUMENT` naming `what`. */
class WireReader {
  private at = 0
  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}
  fixed(n: number): Uint8Array {
    if (this.at + n > this.bytes.length) throw new SigilError('INVALID_ARGUMENT', `${this.what} is truncated`)
    const out = this.bytes.subarray(this.at, this.at + n)
    this.at += n
    return out
  }
  uint32(): number {
    return new DataView(this.fixed(4).slice().buffer).getUint32(0)
  }
  string(): Uint8Array {
    return this.fixed(this.uint32())
  }
  text(): string {
    return new TextDecoder().decode(this.string())
  }
  done(): void {
    if (this.at !== this.bytes.length) throw new SigilError('INVALID_ARGUMENT', `${this.what} has trailing bytes`)
  }
}

function fromBase64url(s: string | undefined): Uint8Array {
  return new Uint8Array(Buffer.from(s ?? '', 'base64url'))
}

// ---- public keys ----

/** The OpenSSH key type of `key`: `ecdsa-sha2-nistp256`, `ssh-ed25519` or `ssh-rsa`. Throws `KEY_UNSUPPORTED` for secp256k1. */
export function sshKeyType(key: PublicKeyInfo): string {
  if (key.kind === 'ed25519') return 'ssh-ed25519'
  if (key.kind === 'rsa') return 'ssh-rsa'
  const ec = EC_SSH[key.curve ?? '']
  if (!ec) throw new SigilError('KEY_UNSUPPORTED', `OpenSSH has no ${key.curve ?? 'unknown'} ECDSA keys; use a P-256, P-384, P-521, Ed25519 or RSA key`)
  return ec.name
}

/** The OpenSSH wire encoding of `key` (what an OpenSSH public-key line holds in base64). */
export function sshPublicKeyBlob(key: PublicKeyInfo): Uint8Array {
  const type = sshKeyType(key)
  const jwk = createPublicKey({key: Buffer.from(key.spki), format: 'der', type: 'spki'}).export({format: 'jwk'})
  if (key.kind === 'ed25519') return concat(sshString(type), sshString(fromBase64url(jwk.x)))
  if (key.kind === 'rsa') return concat(sshString(type), mpint(fromBase64url(jwk.e)), mpint(fromBase64url(jwk.n)))
  const point = concat(new Uint8Array([4]), fromBase64url(jwk.x), fromBase64url(jwk.y))
  return concat(sshString(type), sshString(EC_SSH[key.curve!]!.curve), sshString(point))
}

/**
 * `TYPE BASE64 COMMENT` plus a newline, as `ssh-keygen -y` prints a key. The comment must be one
 * line (it is where sigil keeps a key reference).
 */
export function formatSshPublicKey(key: PublicKeyInfo, comment = ''): string {
  if (/[\r\n]/.test(comment)) throw new SigilError('INVALID_ARGUMENT', 'an OpenSSH public-key comment must be a single line')
  const line = `${sshKeyType(key)} ${Buffer.from(sshPublicKeyBlob(key)).toString('base64')}`
  return `${comment ? `${line} ${comment}` : line}\n`
}

/**
 * The first OpenSSH public-key line in `text` (blank lines and `#` comments skipped). The type
 * must match the blob's own. `source` names the text in errors (`INVALID_ARGUMENT`).
 */
export function parseSshPublicKey(text: string, source = 'the public key'): SshPublicKey {
  const line = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'))
  const bad = (why: string) => new SigilError('INVALID_ARGUMENT', `${source} is not an OpenSSH public key (${why})`)
  if (line === undefined) throw bad('it is empty')
  const match = /^(\S+)\s+([A-Za-z0-9+/]+={0,2})(?:\s+(.*))?$/.exec(line)
  if (!match) throw bad('expected "TYPE BASE64 [COMMENT]"')
  const [, keyType, b64, comment] = match
  const blob = new Uint8Array(Buffer.from(b64!, 'base64'))
  let inner: string
  try {
    inner = new WireReader(blob, source).text()
  } catch {
    throw bad('the base64 is not a key')
  }
  if (inner !== keyType) throw bad(`its type says ${keyType!} but the key is ${inner}`)
  return {keyType: keyType!, blob, comment: (comment ?? '').trim()}
}

// ---- signatures ----

/**
 * The OpenSSH signature algorithm a signer's scheme produces. Throws `KEY_UNSUPPORTED` for
 * schemes OpenSSH cannot verify (RSA-PSS, secp256k1; P-384/P-521 over SHA-256 are signed through
 * `signDigest` by {@link signSshsig} when the signer offers it).
 */
export function sshSignatureAlgorithm(algorithm: SignatureAlgorithm): string {
  const ssh = SSH_SIGNATURE_ALGORITHMS[algorithm]
  if (ssh) return ssh
  throw new SigilError('KEY_UNSUPPORTED', sshSignatureAlgorithmHint(algorithm))
}

/** P-384/P-521 schemes over SHA-256 (cosign's key files): what OpenSSH signs them with instead. */
const OPENSSH_WIDER_ECDSA: Partial<Record<SignatureAlgorithm, {ssh: string; hash: 'sha384' | 'sha512'}>> = {
  'ecdsa-p384-sha256': {ssh: 'ecdsa-sha2-nistp384', hash: 'sha384'},
  'ecdsa-p521-sha256': {ssh: 'ecdsa-sha2-nistp521', hash: 'sha512'},
}

function sshSignatureAlgorithmHint(algorithm: SignatureAlgorithm): string {
  const hint = OPENSSH_WIDER_ECDSA[algorithm]
    ? ': OpenSSH signs P-384 over SHA-384 and P-521 over SHA-512, and this key signs only over SHA-256'
    : '; OpenSSH signatures need ECDSA P-256/P-384/P-521, Ed25519 or RSA PKCS#1 v1.5 with SHA-256/SHA-512'
  return `OpenSSH cannot verify ${algorithm} signatures${hint}`
}

/** SSHSIG's "signed data": what the key actually signs for `message` in `namespace`. */
export function sshsigSignedData(namespace: string, message: Uint8Array, hash: SshsigHash = 'sha512'): Uint8Array {
  return concat(MAGIC, sshString(namespace), sshString(''), sshString(hash), sshString(createHash(hash).update(message).digest()))
}

/**
 * An OpenSSH signature blob (`string algorithm, string signature`) from a signer's output: ECDSA
 * ASN.1 DER becomes the two mpints OpenSSH uses; RSA is left-padded to the modulus length.
 */
export function sshSignatureBlob(sshAlgorithm: string, signature: Uint8Array, key: PublicKeyInfo): Uint8Array {
  if (sshAlgorithm.startsWith('ecdsa-')) {
    const seq = readDerElement(signature, 0)
    const r = seq?.tag === 0x30 && seq.end === signature.length ? readDerUnsignedInteger(signature, seq.start) : undefined
    const s = r ? readDerUnsignedInteger(signature, r.end) : undefined
    if (!seq || !r || !s || s.end !== seq.end) throw new SigilError('SIGNING_FAILED', 'the key returned an ECDSA signature that is not ASN.1 DER')
    const inner = concat(mpint(signature.subarray(r.start, r.end)), mpint(signature.subarray(s.start, s.end)))
    return concat(sshString(sshAlgorithm), sshString(inner))
  }
  if (sshAlgorithm.startsWith('rsa-') && key.bits !== undefined && signature.length < key.bits / 8) {
    const padded = new Uint8Array(Math.ceil(key.bits / 8))
    padded.set(signature, padded.length - signature.length)
    return concat(sshString(sshAlgorithm), sshString(padded))
  }
  return concat(sshString(sshAlgorithm), sshString(signature))
}

/** The binary SSHSIG (version 1). */
export function encodeSshsig(sig: {publicKey: Uint8Array; namespace: string; hashAlgorithm: string; signature: Uint8Array}): Uint8Array {
  return concat(MAGIC, uint32(1), sshString(sig.publicKey), sshString(sig.namespace), sshString(''), sshString(sig.hashAlgorithm), sshString(sig.signature))
}

/** The armored form, byte for byte as `ssh-keygen -Y sign` writes it (70-column base64, final newline). */
export function armorSshsig(binary: Uint8Array): string {
  const b64 = Buffer.from(binary).toString('base64')
  const lines: string[] = []
  for (let i = 0; i < b64.length; i += 70) lines.push(b64.slice(i, i + 70))
  return `${BEGIN}\n${lines.join('\n')}\n${END}\n`
}

/** Decode an armored SSHSIG. Throws `INVALID_ARGUMENT` naming what is wrong. */
export function parseSshsig(armored: string): Sshsig {
  const text = armored.trim()
  if (!text.startsWith(BEGIN) || !text.endsWith(END)) throw new SigilError('INVALID_ARGUMENT', 'not an armored SSH signature')
  const binary = new Uint8Array(Buffer.from(text.slice(BEGIN.length, -END.length).replace(/\s+/g, ''), 'base64'))
  const r = new WireReader(binary, 'the SSH signature')
  if (Buffer.compare(r.fixed(6), MAGIC) !== 0) throw new SigilError('INVALID_ARGUMENT', 'the SSH signature does not start with SSHSIG')
  const version = r.uint32()
  if (version !== 1) throw new SigilError('INVALID_ARGUMENT', `unsupported SSH signature version ${version}`)
  const publicKey = r.string()
  const namespace = r.text()
  r.string() // reserved
  const hashAlgorithm = r.text()
  const signature = r.string()
  r.done()
  return {publicKey, namespace, hashAlgorithm, signature, signatureAlgorithm: new WireReader(signature, 'the SSH signature blob').text()}
}

/**
 * Sign `message` as `ssh-keygen -Y sign -n NAMESPACE` does, with any signer: one `sign` call
 * over SSHSIG's signed data. Returns the armored signature.
 */
export async function signSshsig(signer: Signer, message: Uint8Array, options: {namespace: string; hash?: SshsigHash; publicKey?: PublicKeyInfo}): Promise<string> {
  if (options.namespace === '') throw new SigilError('INVALID_ARGUMENT', 'an SSH signature needs a namespace (-n)')
  const hash = options.hash ?? 'sha512'
  const key = options.publicKey ?? (await signer.publicKey())
  const signedData = sshsigSignedData(options.namespace, message, hash)
  const wider = OPENSSH_WIDER_ECDSA[signer.algorithm]
  let sshAlgorithm: string
  let raw: Uint8Array
  if (wider && signer.signDigest) {
    // A P-384/P-521 key that hashes with SHA-256 (cosign's key files): OpenSSH hashes with
    // SHA-384/SHA-512, so the digest is made here and signed as it is (ECDSA takes any digest).
    sshAlgorithm = wider.ssh
    raw = await signer.signDigest(new Uint8Array(createHash(wider.hash).update(signedData).digest()), wider.hash).catch((err: unknown) => {
      throw new SigilError('KEY_UNSUPPORTED', `${sshSignatureAlgorithmHint(signer.algorithm)} (the key refused a ${wider.hash} digest: ${(err as Error).message})`, {cause: err})
    })
  } else {
    sshAlgorithm = sshSignatureAlgorithm(signer.algorithm)
    raw = await signer.sign(signedData)
  }
  const signature = sshSignatureBlob(sshAlgorithm, raw, key)
  return armorSshsig(encodeSshsig({publicKey: sshPublicKeyBlob(key), namespace: options.namespace, hashAlgorithm: hash, signature}))
}
