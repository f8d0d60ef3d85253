/**
 * `awskms://[endpoint]/<keyid>` references, as cosign parses them (spec §5).
 */
import {isLoopbackHost, isRegistryHost} from '@sigil/core'
import {AwsKmsError} from './error.js'

/** The URI scheme, with `://`. */
export const AWS_KMS_URI_PREFIX = 'awskms://'

/** Which form the key id takes. */
export type AwsKmsKeyIdKind = 'key-id' | 'multi-region-key-id' | 'key-arn' | 'alias' | 'alias-arn'

/** A parsed `awskms://` reference. */
export interface AwsKmsKeyRef {
  /** The URI as given. */
  readonly uri: string
  readonly kind: AwsKmsKeyIdKind
  /** What KMS is sent as `KeyId` (verbatim from the URI). */
  readonly keyId: string
  /** The endpoint host[:port] written in the URI, if any. */
  readonly endpointHost?: string
  /** SDK endpoint for `endpointHost`: `https://host`, or `http://host` for loopback hosts. */
  readonly endpoint?: string
  /** Partition, region and account, from an ARN. */
  readonly partition?: 'aws' | 'aws-us-gov' | 'aws-cn'
  readonly region?: string
  readonly accountId?: string
  /** `alias/<name>` for the alias forms. */
  readonly aliasName?: string
}

const UUID = '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}'
const MRK = 'mrk-[0-9A-Fa-f]{32}'
const ALIAS = 'alias/[A-Za-z0-9/_-]+'
const KEY_ID_RE = new RegExp(`^${UUID}$`)
const MRK_RE = new RegExp(`^${MRK}$`)
const ALIAS_RE = new RegExp(`^${ALIAS}$`)
const ARN_RE = new RegExp(`^arn:(aws|aws-us-gov|aws-cn):kms:([a-z0-9-]+):(\\d{12}):(key/(?:${UUID}|${MRK})|${ALIAS})$`)

const FORMS =
  'awskms://[endpoint]/<key id>, where <key id> is a key UUID, an mrk- multi-region key id, ' +
  'arn:aws:kms:<region>:<account>:key/<id>, alias/<name> or arn:aws:kms:<region>:<account>:alias/<name>'

/**
 * Parse an `awskms://` reference.
 * @throws AwsKmsError INVALID_ARGUMENT naming the accepted forms
 */
export function parseAwsKmsUri(uri: string): AwsKmsKeyRef {
  if (!uri.startsWith(AWS_KMS_URI_PREFIX)) {
    throw new AwsKmsError('INVALID_ARGUMENT', `not an AWS KMS key reference: ${uri} (expected ${FORMS})`)
  }
  const rest = uri.slice(AWS_KMS_URI_PREFIX.length)
  const slash = rest.indexOf('/')
  if (slash < 0) {
    throw new AwsKmsError('INVALID_ARGUMENT', `invalid AWS KMS key reference ${uri}: missing "/" before the key id (expected ${FORMS}; note the three slashes in awskms:///alias/<name>)`)
  }
  const host = rest.slice(0, slash)
  const keyId = rest.slice(slash + 1)
  if (host === 'alias' || host.startsWith('arn:')) {
    throw new AwsKmsError('INVALID_ARGUMENT', `invalid AWS KMS key reference ${uri}: "${host}" is read as the endpoint host; without an endpoint write three slashes, e.g. awskms:///alias/<name>`)
  }
  if (host !== '') {
    if (!isRegistryHost(host)) {
      throw new AwsKmsError('INVALID_ARGUMENT', `invalid endpoint "${host}" in AWS KMS key reference ${uri}: expected host[:port]`)
    }
  }
  const endpoint = host === '' ? {} : {endpointHost: host, endpoint: `${isLoopbackHost(host) ? 'http' : 'https'}://${host}`}
  if (keyId === '') throw new AwsKmsError('INVALID_ARGUMENT', `invalid AWS KMS key reference ${uri}: empty key id (expected ${FORMS})`)
  if (KEY_ID_RE.test(keyId)) return {uri, kind: 'key-id', keyId, ...endpoint}
  if (MRK_RE.test(keyId)) return {uri, kind: 'multi-region-key-id', keyId, ...endpoint}
  if (ALIAS_RE.test(keyId)) {
    if (keyId.startsWith('alias/aws/')) {
      throw new AwsKmsError('INVALID_ARGUMENT', `invalid AWS KMS key reference ${uri}: alias/aws/ names AWS managed keys, which cannot sign`)
    }
    return {uri, kind: 'alias', keyId, aliasName: keyId, ...endpoint}
  }
  const arn = ARN_RE.exec(keyId)
  if (arn) {
    const [, partition, region, accountId, resource] = arn as unknown as [string, 'aws' | 'aws-us-gov' | 'aws-cn', string, string, string]
    const isAlias = resource.startsWith('alias/')
    return {
      uri,
      kind: isAlias ? 'alias-arn' : 'key-arn',
      keyId,
      partition,
      region,
      accountId,
      ...(isAlias ? {aliasName: resource} : {}),
      ...endpoint,
    }
  }
  const hint = keyId.startsWith('arn:')
    ? 'a KMS ARN is arn:aws[-us-gov|-cn]:kms:<region>:<12-digit account>:key/<id> or …:alias/<name>'
    : keyId.startsWith('alias/')
      ? 'alias names may contain only letters, digits, "/", "_" and "-"'
      : `expected ${FORMS}`
  throw new AwsKmsError('INVALID_ARGUMENT', `invalid AWS KMS key id "${keyId}" in ${uri}: ${hint}`)
}
