/**
 * @sigil/kms-aws: AWS KMS keys (`awskms://[endpoint]/<key id|key ARN|alias/name|alias ARN>`)
 * for signing, verification, public key export and key creation, as cosign does.
 */
export {AwsKmsError, toAwsKmsError} from './error.js'
export type {AwsKmsErrorCode} from './error.js'

export {AWS_KMS_URI_PREFIX, parseAwsKmsUri} from './uri.js'
export type {AwsKmsKeyIdKind, AwsKmsKeyRef} from './uri.js'

export {SUPPORTED_KEY_SPECS, createKmsVerifier, signingScheme} from './key-spec.js'
/** Core's rules, re-exported where users of this package have always found them. */
export {encodePublicKeyPem, isLoopbackHost} from '@sigil/core'
export type {AwsKmsKeySpec, AwsSigningScheme} from './key-spec.js'

export {awsKmsProvider} from './provider.js'
export type {AwsKmsProvider, AwsKmsProviderDeps, AwsKmsProviderOptions} from './provider.js'
