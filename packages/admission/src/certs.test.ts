import {X509Certificate, createPrivateKey} from 'node:crypto'
import {describe, expect, test} from 'vitest'
import {makeWebhookCertificates, serviceHosts} from './certs.js'

describe('webhook certificates', () => {
  test('a CA and a serving certificate for the Service names, signed by it', () => {
    const c = makeWebhookCertificates([...serviceHosts('sigil-admission', 'sigil-system'), '127.0.0.1'])
    const ca = new X509Certificate(c.caCert)
    const cert = new X509Certificate(c.cert)
    expect(ca.ca).toBe(true)
    expect(cert.ca).toBe(false)
    expect(cert.verify(ca.publicKey)).toBe(true)
    expect(cert.checkIssued(ca)).toBe(true)
    expect(cert.checkHost('sigil-admission.sigil-system.svc')).toBe('sigil-admission.sigil-system.svc')
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1')
    expect(cert.checkPrivateKey(createPrivateKey(c.key))).toBe(true)
    expect(Buffer.from(c.caBundle, 'base64').toString()).toBe(c.caCert)
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000)
  })
})
