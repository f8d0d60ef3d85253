import {describe, expect, test} from 'vitest'
import * as servers from './index.js'

describe('@sigil/test-servers public surface', () => {
  test('runtime exports are exactly these', () => {
    expect(Object.keys(servers).sort()).toEqual(
      [
        'AWS_OFFLINE_ENV',
        'GCP_OFFLINE_ENV',
        'COSIGN3_NO_SERVICES_SIGNING_CONFIG',
        'COSIGN3_VERIFY_KEY_ARGS',
        'cosign3SignArgs',
        'cosign3SigningConfig',
        'findCosign3',
        'requireCosign3',
        'startReferrersProxy',
        'DEAD_PROXY',
        'GCP_KMS_SIGN_ALGORITHMS',
        'OCI_LAYER_GZIP_MEDIA_TYPE',
        'REGISTRY_SKIP_REASON',
        'bcryptHash',
        'ephemeralKeys',
        'installCredentialHelper',
        'libtrustKeyId',
        'findCosign',
        'pushRandomImage',
        'pushIndex',
        'pushMultiPlatformImage',
        'DEFAULT_PLATFORMS',
        'registryAvailable',
        'registryBinary',
        'requireCosign',
        'requireRegistry',
        'requireSkopeoSigstore',
        'runCosign',
        'runWithBlockedModules',
        'seededRandom',
        'startFaultProxy',
        'startGcpKmsServer',
        'startAwsKmsServer',
        'startEcrServer',
        'startRegistry',
        'startTokenServer',
        'tarWithFile',
      ].sort(),
    )
  })
})
