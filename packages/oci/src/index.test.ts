import {describe, expect, test} from 'vitest'
import * as oci from './index.js'

describe('@sigil/oci public surface', () => {
  test('runtime exports are exactly these', () => {
    expect(Object.keys(oci).sort()).toEqual([
      'DEFAULT_MANIFEST_ACCEPT',
      'DOCKER_HUB_AUTH_KEY',
      'RegistryClient',
      'canonicalRegistryHost',
      'checkRegistryLogin',
      'createOciLayout',
      'credentialHelperErase',
      'credentialHelperGet',
      'credentialHelperStore',
      'dockerConfigCredentials',
      'dockerConfigFile',
      'eraseLogin',
      'fetchUrlDocument',
      'fileChallengeStore',
      'findAuthFile',
      'isLoopbackHost',
      'loadRegistryMirrors',
      'loginServer',
      'openOciLayout',
      'parseRegistryErrors',
      'parseRegistryMirrors',
      'parseWwwAuthenticate',
      'registryBaseUrl',
      'registryMirrorsFile',
      'registryScheme',
      'storeLogin',
      'useExtraCaCertificates',
      'writeCacheFileSync',
      'writeFileAtomic',
    ])
  })

  test('RegistryClient has the documented methods', () => {
    const methods = Object.getOwnPropertyNames(oci.RegistryClient.prototype).filter((n) => n !== 'constructor').sort()
    expect(methods).toEqual([
      'blobExists',
      'deleteManifest',
      'getBlob',
      'getBlobStream',
      'getManifest',
      'getManifestIfExists',
      'getReferrers',
      'listTags',
      'mountBlob',
      'putManifest',
      'resolveDigest',
      'uploadBlob',
      'uploadBlobStream',
    ])
  })

  test('default Accept covers OCI and Docker images and indexes', () => {
    expect(oci.DEFAULT_MANIFEST_ACCEPT).toEqual([
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
    ])
  })
})
