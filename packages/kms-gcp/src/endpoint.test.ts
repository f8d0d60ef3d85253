import {describe, expect, test} from 'vitest'
import {GCP_KMS_ENDPOINT_VARIABLE, gcpKmsEndpoint} from './endpoint.js'

describe('gcpKmsEndpoint', () => {
  test.each([
    [undefined, {kind: 'default'}],
    ['', {kind: 'default'}],
    ['  ', {kind: 'default'}],
    ['https://cloudkms.example.internal/', {kind: 'tls', host: 'cloudkms.example.internal', port: 443}],
    ['https://cloudkms.example.internal:8443/v1/', {kind: 'tls', host: 'cloudkms.example.internal', port: 8443}],
    ['http://127.0.0.1:9000/', {kind: 'plaintext', host: '127.0.0.1', port: 9000}],
    ['http://localhost:9000', {kind: 'plaintext', host: 'localhost', port: 9000}],
    ['http://[::1]:9000/', {kind: 'plaintext', host: '[::1]', port: 9000}],
    ['http://127.0.0.1/', {kind: 'plaintext', host: '127.0.0.1', port: 80}],
  ])('%j → %j', (value, expected) => {
    expect(gcpKmsEndpoint({[GCP_KMS_ENDPOINT_VARIABLE]: value})).toEqual(expected)
  })

  test.each([
    ['not a url', 'is not a URL'],
    ['http://cloudkms.example.internal/', 'plaintext http:// is only allowed for loopback hosts'],
    ['http://10.0.0.1:9000/', 'plaintext http:// is only allowed for loopback hosts'],
    ['grpc://127.0.0.1:9000/', 'unsupported scheme grpc:'],
  ])('rejects %s', (value, message) => {
    expect(() => gcpKmsEndpoint({[GCP_KMS_ENDPOINT_VARIABLE]: value})).toThrow(
      expect.objectContaining({code: 'INVALID_ARGUMENT', message: expect.stringContaining(message)}),
    )
  })
})
