/**
 * A CA and a serving certificate for the webhook (`sigil admission certs`), made with
 * node:crypto (ECDSA P-256, SHA-256) and a small DER writer: node can sign but not build
 * X.509 certificates.
 */
import {createHash, generateKeyPairSync, randomBytes, sign} from 'node:crypto'
import type {KeyObject} from 'node:crypto'

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}
const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content)
  return Buffer.concat([Buffer.from([tag]), len(body.length), body])
}
const seq = (...c: Buffer[]) => tlv(0x30, ...c)
const set = (...c: Buffer[]) => tlv(0x31, ...c)
const explicit = (n: number, c: Buffer) => tlv(0xa0 + n, c)
const octets = (c: Buffer) => tlv(0x04, c)
const bits = (c: Buffer) => tlv(0x03, Buffer.from([0]), c)
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]))
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'))

function integer(bytes: Buffer): Buffer {
  let b = bytes
  while (b.length > 1 && b[0] === 0 && b[1]! < 0x80) b = b.subarray(1)
  return tlv(0x02, b[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b)
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number)
  const out = [a! * 40 + b!]
  for (const n of rest) {
    const chunk = [n & 0x7f]
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f))
    out.push(...chunk)
  }
  return tlv(0x06, Buffer.from(out))
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso))
}

const name = (cn: string) => seq(set(seq(oid('2.5.4.3'), utf8(cn))))
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'))
const extension = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value))

function spkiOf(key: KeyObject): Buffer {
  return key.export({type: 'spki', format: 'der'})
}
function keyId(key: KeyObject): Buffer {
  return createHash('sha1').update(spkiOf(key)).digest()
}

interface CertificateSpec {
  readonly subject: string
  readonly issuer: string
  readonly publicKey: KeyObject
  readonly issuerKey: KeyObject
  readonly issuerPublicKey: KeyObject
  readonly ca: boolean
  readonly hosts: readonly string[]
  readonly notAfter: Date
}

function certificate(spec: CertificateSpec): string {
  const now = new Date(Date.now() - 5 * 60_000)
  const serial = randomBytes(16)
  serial[0]! &= 0x7f
  const san = spec.hosts.map((h) => (process.getBuiltinModule('node:net').isIP(h) === 4 ? tlv(0x87, Buffer.from(h.split('.').map(Number))) : tlv(0x82, Buffer.from(h, 'ascii'))))
  const extensions = [
    extension('2.5.29.19', true, seq(...(spec.ca ? [bool(true)] : []))),
    // keyCertSign + cRLSign for the CA; digitalSignature for the server.
    extension('2.5.29.15', true, spec.ca ? tlv(0x03, Buffer.from([1, 0x06])) : tlv(0x03, Buffer.from([7, 0x80]))),
    extension('2.5.29.14', false, octets(keyId(spec.publicKey))),
    ...(spec.ca ? [] : [extension('2.5.29.35', false, seq(tlv(0x80, keyId(spec.issuerPublicKey)))), extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1')))]),
    ...(san.length > 0 ? [extension('2.5.29.17', false, seq(...san))] : []),
  ]
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ECDSA_SHA256,
    name(spec.issuer),
    seq(time(now), time(spec.notAfter)),
    name(spec.subject),
    spkiOf(spec.publicKey),
    explicit(3, seq(...extensions)),
  )
  const signature = sign('sha256', tbs, spec.issuerKey)
  const der = seq(tbs, ECDSA_SHA256, bits(signature))
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`
}

/** What `sigil admission certs` writes. */
export interface WebhookCertificates {
  readonly caCert: string
  readonly caKey: string
  readonly cert: string
  readonly key: string
  /** The CA certificate, base64, for the webhook configurations' `caBundle`. */
  readonly caBundle: string
  readonly hosts: readonly string[]
}

/** The DNS names the API server uses for a Service. */
export function serviceHosts(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`]
}

/** A new CA and a serving certificate for `hosts` signed by it, valid `days` days. */
export function makeWebhookCertificates(hosts: readonly string[], days = 365): WebhookCertificates {
  const notAfter = new Date(Date.now() + days * 86_400_000)
  const ca = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  const server = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  const caCert = certificate({subject: 'sigil admission CA', issuer: 'sigil admission CA', publicKey: ca.publicKey, issuerKey: ca.privateKey, issuerPublicKey: ca.publicKey, ca: true, hosts: [], notAfter})
  const cert = certificate({subject: hosts[0] ?? 'sigil-admission', issuer: 'sigil admission CA', publicKey: server.publicKey, issuerKey: ca.privateKey, issuerPublicKey: ca.publicKey, ca: false, hosts, notAfter})
  const pem = (k: KeyObject) => k.export({type: 'pkcs8', format: 'pem'}) as string
  return {caCert, caKey: pem(ca.privateKey), cert, key: pem(server.privateKey), caBundle: Buffer.from(caCert).toString('base64'), hosts}
}
