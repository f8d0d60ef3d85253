import {describe, expect, test} from 'vitest'
import * as testkit from './index.js'

describe('@sigil/testkit public surface', () => {
  test('runtime exports are exactly these', () => {
    expect(Object.keys(testkit).sort()).toEqual(
      [
        'AWS_OFFLINE_ENV',
        'DEAD_PROXY',
        'GCP_KMS_SIGN_ALGORITHMS',
        'OCI_LAYER_GZIP_MEDIA_TYPE',
        'REGISTRY_SKIP_REASON',
        'bcryptHash',
        'ephemeralKeys',
        'installCredentialHelper',
        'keyProviderSuite',
        'libtrustKeyId',
        'findCosign',
        'pushRandomImage',
        'registryAvailable',
        'registryAdapterSuite',
        'registryBinary',
        'requireCosign',
        'requireRegistry',
        'runCosign',
        'runWithBlockedModules',
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
