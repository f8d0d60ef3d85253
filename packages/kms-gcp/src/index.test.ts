import {describe, expect, test} from 'vitest'
import * as api from './index.js'

describe('@sigil/kms-gcp public surface', () => {
  test('runtime exports are exactly these', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'GCP_KMS_ENDPOINT_VARIABLE',
        'GCP_KMS_SCHEME',
        'GCP_KMS_SIGNING_ALGORITHMS',
        'GcpKmsError',
        'crc32c',
        'gcpKmsAlgorithm',
        'gcpKmsEndpoint',
        'gcpKmsProvider',
        'isGcpKmsUri',
        'mapGcpKmsError',
        'parseGcpKmsUri',
      ].sort(),
    )
  })

  test('constants', () => {
    expect(api.GCP_KMS_SCHEME).toBe('gcpkms')
    expect(api.GCP_KMS_ENDPOINT_VARIABLE).toBe('CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS')
  })

  test('GcpKmsError is a SigilError with a code', async () => {
    const {isSigilError} = await import('@sigil/core')
    const err = new api.GcpKmsError('KEY_NOT_FOUND', 'x')
    expect(isSigilError(err)).toBe(true)
    expect(err).toMatchObject({code: 'KEY_NOT_FOUND', name: 'GcpKmsError'})
  })
})
