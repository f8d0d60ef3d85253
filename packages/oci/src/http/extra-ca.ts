/**
 * Extra trusted CAs read on the first HTTPS request instead of at process start: what
 * `NODE_EXTRA_CA_CERTS` does, deferred (the `sigil` launcher hands the variable over to
 * {@link useExtraCaCertificates}; loopback registries use plain HTTP and never read the file).
 */
import type {SecureContext} from 'node:tls'
import {decodeStdBase64} from '@sigil/core'

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
  const tls = process.getBuiltinModule('node:tls')
  const roots = tls.rootCertificates
  const known = new Set(roots.map(base64Body))
  const extra: string[] = []
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []
  for (const [i, pem] of blocks.entries()) {
    const body = base64Body(pem)
    if (known.has(body)) continue
    if (!isCertificate(body)) {
      warn(`certificate ${i + 1} is not a valid PEM certificate`)
      break
    }
    extra.push(pem)
  }
  // One context for every connection (an agent given `ca` would build a store per connection).
  return extra.length === 0 ? {} : {secureContext: tls.createSecureContext({ca: [...roots, ...extra]})}
}

function base64Body(pem: string): string {
  return pem.replace(/-----[^-]*-----|\s/g, '')
}

/**
 * Whether OpenSSL reads the block as an X.509 certificate, as Node does for each block of
 * `NODE_EXTRA_CA_CERTS`. Only blocks that are not byte for byte one of Node's roots get here
 * (a system bundle repeats most of them), so a full parse costs little.
 */
function isCertificate(base64: string): boolean {
  const der = decodeStdBase64(base64)
  if (der === undefined || der.length === 0) return false
  try {
    new (process.getBuiltinModule('node:crypto').X509Certificate)(der)
    return true
  } catch {
    return false
  }
}
