import {describe, expect, test} from 'vitest'
import {ECR_HOST_PATTERNS, isEcrHost, parseEcrHost} from './hosts.js'

describe('parseEcrHost', () => {
  test.each([
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', '123456789012', 'eu-west-1', 'aws', false],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com', '123456789012', 'us-east-1', 'aws', false],
    ['000000000000.dkr.ecr.ap-southeast-2.amazonaws.com', '000000000000', 'ap-southeast-2', 'aws', false],
    ['123456789012.dkr.ecr-fips.us-east-1.amazonaws.com', '123456789012', 'us-east-1', 'aws', true],
    ['123456789012.dkr.ecr.us-gov-west-1.amazonaws.com', '123456789012', 'us-gov-west-1', 'aws-us-gov', false],
    ['123456789012.dkr.ecr-fips.us-gov-east-1.amazonaws.com', '123456789012', 'us-gov-east-1', 'aws-us-gov', true],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', '123456789012', 'cn-north-1', 'aws-cn', false],
    ['123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn', '123456789012', 'cn-northwest-1', 'aws-cn', false],
    ['123456789012.DKR.ECR.EU-WEST-1.AMAZONAWS.COM', '123456789012', 'eu-west-1', 'aws', false],
  ])('%s → account %s, region %s, partition %s, fips %s', (host, accountId, region, partition, fips) => {
    expect(parseEcrHost(host)).toEqual({kind: 'private', host: host.toLowerCase(), accountId, region, partition, fips, dualStack: false})
    expect(isEcrHost(host)).toBe(true)
  })

  test.each([
    ['123456789012.dkr-ecr.eu-west-1.on.aws', 'eu-west-1', 'aws', false],
    ['123456789012.dkr-ecr-fips.us-east-1.on.aws', 'us-east-1', 'aws', true],
    ['123456789012.dkr-ecr.us-gov-west-1.on.aws', 'us-gov-west-1', 'aws-us-gov', false],
    ['123456789012.DKR-ECR.AP-SOUTHEAST-2.ON.AWS', 'ap-southeast-2', 'aws', false],
  ])('dual-stack %s → region %s, partition %s, fips %s', (host, region, partition, fips) => {
    expect(parseEcrHost(host)).toEqual({kind: 'private', host: host.toLowerCase(), accountId: '123456789012', region, partition, fips, dualStack: true})
  })

  test.each(['public.ecr.aws', 'PUBLIC.ECR.AWS'])('%s is ECR Public', (host) => {
    expect(parseEcrHost(host)).toEqual({kind: 'public', host: 'public.ecr.aws'})
  })

  test.each([
    ['', 'empty'],
    ['12345678901.dkr.ecr.eu-west-1.amazonaws.com', '11-digit account'],
    ['1234567890123.dkr.ecr.eu-west-1.amazonaws.com', '13-digit account'],
    ['12345678901a.dkr.ecr.eu-west-1.amazonaws.com', 'non-digit account'],
    ['dkr.ecr.eu-west-1.amazonaws.com', 'no account'],
    ['x.123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'extra label in front'],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com:443', 'with a port'],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example', 'suffix'],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.co', 'wrong TLD'],
    ['123456789012.ecr.eu-west-1.amazonaws.com', 'no dkr label'],
    ['123456789012.dkr.ecr.amazonaws.com', 'no region'],
    ['123456789012.dkr.ecr.eu_west_1.amazonaws.com', 'malformed region'],
    ['123456789012.dkr.ecr.euwest1.amazonaws.com', 'region without dashes'],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com', 'China region outside .com.cn'],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com.cn', 'non-China region under .com.cn'],
    ['123456789012.dkr.ecr-fips.cn-north-1.amazonaws.com.cn', 'FIPS in China'],
    ['123456789012.dkr.ecr-fipsx.us-east-1.amazonaws.com', 'bad FIPS label'],
    ['api.ecr.eu-west-1.amazonaws.com', 'the ECR API host'],
    ['123456789012.dkr-ecr.cn-north-1.on.aws', 'China region under on.aws'],
    ['123456789012.dkr-ecr.eu-west-1.on.aws.evil.example', 'dual-stack with a suffix'],
    ['123456789012.dkr.ecr.eu-west-1.on.aws', 'dkr.ecr under on.aws'],
    ['123456789012.dkr-ecr.eu-west-1.amazonaws.com', 'dkr-ecr under amazonaws.com'],
    ['12345678901.dkr-ecr.eu-west-1.on.aws', 'dual-stack, 11-digit account'],
    ['ecr.eu-west-1.api.aws', 'the dual-stack ECR API host'],
    ['public.ecr.aws.evil.example', 'public host with suffix'],
    ['gallery.ecr.aws', 'the gallery web site'],
    ['ecr.aws', 'bare ecr.aws'],
    ['ghcr.io', 'another registry'],
    ['127.0.0.1:5000', 'loopback'],
  ])('%s is not ECR (%s)', (host) => {
    expect(parseEcrHost(host)).toBeUndefined()
    expect(isEcrHost(host)).toBe(false)
  })

  test('host patterns cover the forms', () => {
    expect(ECR_HOST_PATTERNS).toEqual([
      '*.dkr.ecr.*.amazonaws.com',
      '*.dkr.ecr-fips.*.amazonaws.com',
      '*.dkr.ecr.*.amazonaws.com.cn',
      '*.dkr-ecr.*.on.aws',
      '*.dkr-ecr-fips.*.on.aws',
      'public.ecr.aws',
    ])
  })
})
