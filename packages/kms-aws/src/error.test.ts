import {describe, expect, test} from 'vitest'
import {AwsKmsError, toAwsKmsError} from './error.js'

const sdkError = (name: string, message: string, attempts?: number) =>
  Object.assign(new Error(message), {name, $metadata: {requestId: 'req-1', ...(attempts ? {attempts} : {})}})

describe('toAwsKmsError', () => {
  test.each([
    ['NotFoundException', 'Alias x is not found.', 'KEY_NOT_FOUND'],
    ['AccessDeniedException', 'User: u is not authorized', 'KEY_ACCESS_DENIED'],
    ['DisabledException', 'arn is disabled.', 'KEY_DISABLED'],
    ['KMSInvalidStateException', 'arn is pending deletion.', 'KEY_DISABLED'],
    ['InvalidKeyUsageException', 'usage', 'KEY_WRONG_USAGE'],
    ['UnsupportedOperationException', 'symmetric', 'KEY_WRONG_USAGE'],
    ['ThrottlingException', 'Rate exceeded', 'KMS_THROTTLED'],
    ['CredentialsProviderError', 'Could not load credentials from any providers', 'KMS_CREDENTIALS_MISSING'],
    ['InvalidSignatureException', 'Credential should be scoped to a valid region.', 'KMS_REGION_MISMATCH'],
    ['UnrecognizedClientException', 'The security token included in the request is invalid.', 'KEY_ACCESS_DENIED'],
    ['Error', 'Region is missing', 'INVALID_ARGUMENT'],
    ['KMSInternalException', 'boom', 'KMS_ERROR'],
    ['Error', 'connect ECONNREFUSED 127.0.0.1:9', 'KMS_ERROR'],
  ])('%s → %s', (name, message, code) => {
    const err = toAwsKmsError(sdkError(name, message, 3), 'awskms:///alias/k', 'Sign')
    expect(err).toBeInstanceOf(AwsKmsError)
    expect(err.code).toBe(code)
    if (code !== 'KMS_CREDENTIALS_MISSING') expect(err.message).toContain('awskms:///alias/k')
    expect(err.details).toMatchObject({operation: 'Sign', awsError: name, requestId: 'req-1', attempts: 3})
    expect(err.cause).toBeInstanceOf(Error)
  })

  test('SigilErrors pass through unchanged', () => {
    const original = new AwsKmsError('KEY_UNSUPPORTED', 'x')
    expect(toAwsKmsError(original, 'awskms:///alias/k', 'Sign')).toBe(original)
  })
})
