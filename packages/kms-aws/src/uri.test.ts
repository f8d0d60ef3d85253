import {describe, expect, test} from 'vitest'
import {parseAwsKmsUri} from './uri.js'

const UUID = '1234abcd-12ab-34cd-56ef-1234567890ab'
const MRK = 'mrk-1234abcd12ab34cd56ef1234567890ab'

describe('parseAwsKmsUri', () => {
  test.each([
    [`awskms:///${UUID}`, {kind: 'key-id', keyId: UUID}],
    [`awskms:///${UUID.toUpperCase()}`, {kind: 'key-id', keyId: UUID.toUpperCase()}],
    [`awskms:///${MRK}`, {kind: 'multi-region-key-id', keyId: MRK}],
    [
      `awskms:///arn:aws:kms:eu-west-1:111122223333:key/${UUID}`,
      {kind: 'key-arn', keyId: `arn:aws:kms:eu-west-1:111122223333:key/${UUID}`, partition: 'aws', region: 'eu-west-1', accountId: '111122223333'},
    ],
    [
      `awskms:///arn:aws:kms:us-east-2:111122223333:key/${MRK}`,
      {kind: 'key-arn', region: 'us-east-2'},
    ],
    [`awskms:///arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/${UUID}`, {kind: 'key-arn', partition: 'aws-us-gov', region: 'us-gov-west-1'}],
    [`awskms:///arn:aws-cn:kms:cn-north-1:111122223333:key/${UUID}`, {kind: 'key-arn', partition: 'aws-cn', region: 'cn-north-1'}],
    ['awskms:///alias/release-signing', {kind: 'alias', keyId: 'alias/release-signing', aliasName: 'alias/release-signing'}],
    ['awskms:///alias/team/app_key-1', {kind: 'alias', aliasName: 'alias/team/app_key-1'}],
    [
      'awskms:///arn:aws:kms:ap-south-1:111122223333:alias/release',
      {kind: 'alias-arn', keyId: 'arn:aws:kms:ap-south-1:111122223333:alias/release', aliasName: 'alias/release', region: 'ap-south-1'},
    ],
    ['awskms://kms.example.internal/alias/x', {kind: 'alias', endpointHost: 'kms.example.internal', endpoint: 'https://kms.example.internal'}],
    ['awskms://kms.example.internal:8443/alias/x', {endpoint: 'https://kms.example.internal:8443'}],
    ['awskms://localhost:4566/alias/x', {endpoint: 'http://localhost:4566'}],
    ['awskms://127.0.0.1:4566/alias/x', {endpoint: 'http://127.0.0.1:4566'}],
    ['awskms://[::1]:4566/alias/x', {endpoint: 'http://[::1]:4566'}],
    // Core's loopback rule: every spelling of a loopback address, and nothing that only looks like one.
    ['awskms://[0:0:0:0:0:0:0:1]:4566/alias/x', {endpoint: 'http://[0:0:0:0:0:0:0:1]:4566'}],
    ['awskms://kms.localhost:4566/alias/x', {endpoint: 'http://kms.localhost:4566'}],
  ])('%s', (uri, expected) => {
    const ref = parseAwsKmsUri(uri)
    expect(ref).toMatchObject({uri, ...expected})
    if (!('endpoint' in expected)) expect(ref.endpoint).toBeUndefined()
    if (!('region' in expected)) expect(ref.region).toBeUndefined()
  })

  test.each([
    ['gcpkms://projects/p', /not an AWS KMS key reference/],
    ['awskms://alias/x', /write three slashes/],
    [`awskms://arn:aws:kms:eu-west-1:111122223333:key/${UUID}`, /write three slashes/],
    ['awskms:alias/x', /not an AWS KMS key reference/],
    ['awskms://host', /missing "\/" before the key id/],
    ['awskms:///', /empty key id/],
    ['awskms:///1234', /invalid AWS KMS key id "1234"/],
    [`awskms:///${UUID}x`, /invalid AWS KMS key id/],
    ['awskms:///mrk-1234', /invalid AWS KMS key id/],
    ['awskms:///alias/', /invalid AWS KMS key id/],
    ['awskms:///alias/bad name', /alias names may contain only/],
    ['awskms:///alias/aws/ebs', /AWS managed keys/],
    [`awskms:///arn:aws:kms:eu-west-1:1111:key/${UUID}`, /12-digit account/],
    [`awskms:///arn:aws:s3:eu-west-1:111122223333:key/${UUID}`, /a KMS ARN is/],
    [`awskms:///arn:aws-xx:kms:eu-west-1:111122223333:key/${UUID}`, /a KMS ARN is/],
    [`awskms:///arn:aws:kms:eu-west-1:111122223333:key/nope`, /a KMS ARN is/],
    [`awskms://user@host/${UUID}`, /invalid endpoint "user@host"/],
    [`awskms://host:99999/${UUID}`, /invalid endpoint/],
    // Not an address at all (the transport's host rule, shared through core): neither loopback nor a host to call.
    ['awskms://127.999.0.1:4566/alias/x', /invalid endpoint "127\.999\.0\.1:4566"/],
    [`awskms://[1:2]/${UUID}`, /invalid endpoint/],
  ])('rejects %s', (uri, message) => {
    expect(() => parseAwsKmsUri(uri)).toThrow(expect.objectContaining({code: 'INVALID_ARGUMENT', message: expect.stringMatching(message)}))
  })
})
