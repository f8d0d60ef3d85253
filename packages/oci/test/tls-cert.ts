/**
 * A throwaway self-signed certificate for `localhost` / `127.0.0.1`, made with the openssl CLI
 * (as key-file's interop tests do). Not a test file itself.
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export interface TestCertificate {
  /** PEM certificate (its own CA). */
  readonly cert: string
  /** PEM private key. */
  readonly key: string
  /** Path of the certificate file (for NODE_EXTRA_CA_CERTS); removed by `remove()`. */
  readonly certPath: string
  remove(): void
}

/** True when the openssl CLI is on PATH. In CI it must be (as for key-file's interop tests). */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], {stdio: 'ignore'})
    return true
  } catch {
    if (process.env['CI'] === 'true') throw new Error('openssl is required in CI for the TLS transport tests')
    return false
  }
}

export function makeCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'sigil-tls-'))
  const certPath = join(dir, 'cert.pem')
  const keyPath = join(dir, 'key.pem')
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyPath, '-out', certPath],
    {stdio: 'ignore'},
  )
  return {
    cert: readFileSync(certPath, 'utf8'),
    key: readFileSync(keyPath, 'utf8'),
    certPath,
    remove: () => rmSync(dir, {recursive: true, force: true}),
  }
}
