import {describe, expect, test} from 'vitest'
import {isGcpKmsUri, parseGcpKmsUri} from './uri.js'

const KEY = 'projects/my-project/locations/global/keyRings/ring/cryptoKeys/key'

describe('parseGcpKmsUri', () => {
  test.each([
    [`gcpkms://${KEY}`, {project: 'my-project', location: 'global', keyRing: 'ring', cryptoKey: 'key'}],
    [`gcpkms://${KEY}/cryptoKeyVersions/1`, {version: '1', versionName: `${KEY}/cryptoKeyVersions/1`}],
    [`gcpkms://${KEY}/versions/12`, {version: '12', versionName: `${KEY}/cryptoKeyVersions/12`}],
    [
      'gcpkms://projects/example.com:proj/locations/europe-west1/keyRings/R_1/cryptoKeys/K-2',
      {project: 'example.com:proj', location: 'europe-west1', keyRing: 'R_1', cryptoKey: 'K-2'},
    ],
    ['GCPKMS://projects/123456/locations/us/keyRings/r/cryptoKeys/k', {project: '123456', location: 'us'}],
  ])('%s', (uri, expected) => {
    const ref = parseGcpKmsUri(uri)
    expect(ref).toMatchObject({uri, ...expected})
    expect(ref.keyName).toBe(`projects/${ref.project}/locations/${ref.location}/keyRings/${ref.keyRing}/cryptoKeys/${ref.cryptoKey}`)
    expect(ref.keyRingName).toBe(`projects/${ref.project}/locations/${ref.location}/keyRings/${ref.keyRing}`)
    expect(ref.locationName).toBe(`projects/${ref.project}/locations/${ref.location}`)
    if (ref.version === undefined) expect(ref).not.toHaveProperty('versionName')
  })

  test.each([
    ['awskms:///alias/x', 'the scheme must be gcpkms://'],
    ['gcpkms://', 'the key resource name is missing'],
    ['gcpkms://projects/p/locations/global/keyRings/r', 'it has 6 path segments'],
    [`gcpkms://${KEY}/`, 'it has 9 path segments'],
    [`gcpkms://${KEY}/cryptoKeyVersions/1/extra`, 'it has 11 path segments'],
    ['gcpkms://project/p/locations/global/keyRings/r/cryptoKeys/k', 'expected "projects" at segment 1, found "project"'],
    ['gcpkms://projects/p/location/global/keyRings/r/cryptoKeys/k', 'expected "locations" at segment 3'],
    ['gcpkms://projects/p/locations/global/keyrings/r/cryptoKeys/k', 'expected "keyRings" at segment 5'],
    ['gcpkms://projects/p/locations/global/keyRings/r/keys/k', 'expected "cryptoKeys" at segment 7'],
    ['gcpkms://projects//locations/global/keyRings/r/cryptoKeys/k', '"" is not a valid project'],
    ['gcpkms://projects/p/locations/Global!/keyRings/r/cryptoKeys/k', '"Global!" is not a valid location'],
    ['gcpkms://projects/p/locations/global/keyRings/r.x/cryptoKeys/k', '"r.x" is not a valid key ring id'],
    [`gcpkms://projects/p/locations/global/keyRings/r/cryptoKeys/${'k'.repeat(64)}`, 'is not a valid crypto key id'],
    [`gcpkms://${KEY}/keyVersions/1`, 'expected "cryptoKeyVersions" or "versions" after the key'],
    [`gcpkms://${KEY}/cryptoKeyVersions/0`, '"0" is not a valid key version'],
    [`gcpkms://${KEY}/cryptoKeyVersions/latest`, '"latest" is not a valid key version'],
  ])('rejects %s', (uri, message) => {
    expect(() => parseGcpKmsUri(uri)).toThrow(expect.objectContaining({code: 'INVALID_ARGUMENT', name: 'GcpKmsError'}))
    expect(() => parseGcpKmsUri(uri)).toThrow(message)
    expect(() => parseGcpKmsUri(uri)).toThrow('expected gcpkms://projects/<project>/locations/<location>/keyRings/')
  })
})

describe('isGcpKmsUri', () => {
  test.each([
    [`gcpkms://${KEY}`, true],
    ['GcpKms://anything', true],
    ['gcpkms:/x', false],
    ['awskms:///alias/x', false],
    ['cosign.key', false],
    ['', false],
  ])('%s → %s', (ref, expected) => {
    expect(isGcpKmsUri(ref)).toBe(expected)
  })
})
