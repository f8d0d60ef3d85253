import {describe, expect, test} from 'vitest'
import {mapError} from './error.js'

const URI = 'gcpkms://projects/p/locations/global/keyRings/r/cryptoKeys/k'

describe('mapError', () => {
  const grpcError = (code: number, details: string) => Object.assign(new Error(`${code} X: ${details}`), {code, details})

  test.each([
    [5, 'projects/p/… not found.', 'KEY_NOT_FOUND'],
    [7, "Permission 'cloudkms.cryptoKeyVersions.useToSign' denied", 'KEY_ACCESS_DENIED'],
    [9, 'has value DESTROYED in field crypto_key_version.state', 'KEY_DISABLED'],
    [8, 'Quota exceeded', 'KMS_THROTTLED'],
    [16, 'Request had invalid authentication credentials', 'KMS_CREDENTIALS_MISSING'],
    [14, 'No connection established', 'KMS_ERROR'],
    [4, 'Deadline exceeded', 'KMS_ERROR'],
    [3, 'The request digest must be a SHA256 digest', 'KMS_ERROR'],
    [13, 'internal', 'KMS_ERROR'],
  ])('gRPC status %i → %s', (code, details, expected) => {
    const err = mapError(grpcError(code, details), 'AsymmetricSign', URI)
    expect(err).toMatchObject({code: expected, name: 'GcpKmsError', details: {operation: 'AsymmetricSign', key: URI, grpcCode: code}})
    expect(err.message).toContain(URI)
    expect(err.message).toContain(details.replace(/\.$/, ''))
  })

  test('"Could not load the default credentials" → KMS_CREDENTIALS_MISSING', () => {
    const err = mapError(new Error('Could not load the default credentials. Browse to …'), 'GetCryptoKey', URI)
    expect(err).toMatchObject({code: 'KMS_CREDENTIALS_MISSING', message: expect.stringContaining('GOOGLE_APPLICATION_CREDENTIALS')})
  })

  test('a GcpKmsError passes through unchanged', () => {
    const original = mapError(grpcError(5, 'x'), 'GetCryptoKey', URI)
    expect(mapError(original, 'other', 'other')).toBe(original)
  })
})
