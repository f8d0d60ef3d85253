/**
 * Extra trusted CAs read on the first HTTPS request instead of at process start: what
 * `NODE_EXTRA_CA_CERTS` does, deferred (the `sigil` launcher hands the variable over to
 * {@link useExtraCaCertificates}; loopback registries use plain HTTP and never read the file).
 */
import type {SecureContext} from 'node:tls'

let extraCaFile: string | undefined
let consumed = false

/**
 * Trust the PEM certificates in `path` on top of Node's default CAs for every HTTPS request made
 * here. As with Node, a file that cannot be read is reported on stderr and ignored, and a block
 * in it that is not a certificate is reported and ends the list there. Call it before the first
 * HTTPS request.
 */
export function useExtraCaCertificates(path: string): void {
  if (consumed) throw new Error('useExtraCaCertificates: an HTTPS connection was already made')
  extraCaFile = path
}

/**
 * TLS options for the HTTPS agent: Node's default (bundled) CAs plus the extra file's
 * certificates, those already among the defaults left out (a system bundle repeats most of them,
 * and each duplicate costs the store a lookup). Node's rules for the file: unreadable, one
 * warning and nothing added; no PEM block, nothing added; a block that is not a certificate ends
 * the list there with a warning, keeping the certificates before it. Called once, when the HTTPS
 * agent is made; later calls to {@link useExtraCaCertificates} are refused.
 */
export function caOption(): {secureContext?: SecureContext} {
  consumed = true
  if (extraCaFile === undefined) return {}
  const warn = (why: string): void => {
    process.stderr.write(`Warning: Ignoring extra certs from \`${extraCaFile}\`, load failed: ${why}\n`)
  }
  let text: string
  try {
    text = process.getBuiltinModule('node:fs').readFileSync(extraCaFile, 'latin1')
  } catch (err) {
    warn((err as Error).message)
    return {}
  }
  const pems: string[] = []
  for (const pem of text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []) {
    if (!looksLikeCertificate(pem)) {
      warn(`certificate ${pems.length + 1} is not a valid PEM certificate`)
      break
    }
    pems.push(pem)
  }
  const body = (pem: string): string => pem.replace(/-----[^-]*-----|\s/g, '')
  const tls = process.getBuiltinModule('node:tls')
  const roots = tls.rootCertificates
  const known = new Set(roots.map(body))
  const extra = pems.filter((pem) => !known.has(body(pem)))
  // One context for every connection (an agent given `ca` would build a store per connection).
  return extra.length === 0 ? {} : {secureContext: tls.createSecureContext({ca: [...roots, ...extra]})}
}

/**
 * A cheap stand-in for OpenSSL's parse (a full X.509 parse of a system bundle is slow):
 * base64 that decodes to one DER SEQUENCE spanning exactly the decoded bytes.
 */
function looksLikeCertificate(pem: string): boolean {
  const b64 = pem.slice('-----BEGIN CERTIFICATE-----'.length, -'-----END CERTIFICATE-----'.length).replace(/\s/g, '')
  if (b64.length === 0 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return false
  const der = Buffer.from(b64, 'base64')
  if (der.length < 2 || der[0] !== 0x30) return false
  let length = der[1]!
  let header = 2
  if (length & 0x80) {
    const bytes = length & 0x7f
    if (bytes === 0 || bytes > 4 || der.length < 2 + bytes) return false
    length = 0
    for (let i = 0; i < bytes; i++) length = length * 256 + der[2 + i]!
    header += bytes
  }
  return header + length === der.length
}
