/**
 * `gcpkms://` key references, as cosign accepts them:
 * `gcpkms://projects/P/locations/L/keyRings/R/cryptoKeys/K[/cryptoKeyVersions/V]`
 * (`/versions/V` is accepted too).
 */
import {GcpKmsError} from './error.js'

/** The URI scheme this package owns. */
export const GCP_KMS_SCHEME = 'gcpkms'

const PREFIX = `${GCP_KMS_SCHEME}://`

const FORM = `${PREFIX}projects/<project>/locations/<location>/keyRings/<key-ring>/cryptoKeys/<key>[/cryptoKeyVersions/<version>]`

/** A parsed `gcpkms://` reference, with the Cloud KMS resource names derived from it. */
export interface GcpKmsKeyRef {
  /** The reference as given. */
  readonly uri: string
  readonly project: string
  readonly location: string
  readonly keyRing: string
  readonly cryptoKey: string
  /** The version id when the URI names one; undefined = newest ENABLED version. */
  readonly version?: string
  /** `projects/P/locations/L`. */
  readonly locationName: string
  /** `projects/P/locations/L/keyRings/R`. */
  readonly keyRingName: string
  /** `projects/P/locations/L/keyRings/R/cryptoKeys/K`. */
  readonly keyName: string
  /** `…/cryptoKeyVersions/V` when the URI names a version. */
  readonly versionName?: string
}

// Project ids, or legacy domain-scoped ones (`example.com:proj`), or project numbers.
const PROJECT_RE = /^[a-z0-9][a-z0-9.:-]*$/i
const LOCATION_RE = /^[a-z0-9][a-z0-9-]*$/
// Cloud KMS key ring and key ids: letters, digits, `_` and `-`, at most 63 characters.
const ID_RE = /^[A-Za-z0-9_-]{1,63}$/
const VERSION_RE = /^[1-9][0-9]*$/

/** True when `keyRef` uses the `gcpkms://` scheme (whether or not it is well-formed). */
export function isGcpKmsUri(keyRef: string): boolean {
  return keyRef.slice(0, PREFIX.length).toLowerCase() === PREFIX
}

function invalid(uri: string, problem: string): GcpKmsError {
  return new GcpKmsError('INVALID_ARGUMENT', `invalid GCP KMS key reference "${uri}": ${problem}; expected ${FORM}`)
}

/**
 * Parse a `gcpkms://` URI.
 * @throws GcpKmsError INVALID_ARGUMENT, naming the part that is wrong
 */
export function parseGcpKmsUri(uri: string): GcpKmsKeyRef {
  if (!isGcpKmsUri(uri)) throw invalid(uri, `the scheme must be ${PREFIX}`)
  const path = uri.slice(PREFIX.length)
  if (path === '') throw invalid(uri, 'the key resource name is missing')
  const parts = path.split('/')
  const expected = ['projects', 'locations', 'keyRings', 'cryptoKeys'] as const
  if (parts.length !== 8 && parts.length !== 10) {
    throw invalid(uri, `it has ${parts.length} path segments, not 8 (key) or 10 (key version)`)
  }
  for (const [index, collection] of expected.entries()) {
    const given = parts[index * 2]
    if (given !== collection) throw invalid(uri, `expected "${collection}" at segment ${index * 2 + 1}, found "${given}"`)
  }
  const [, project, , location, , keyRing, , cryptoKey, versionCollection, version] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string | undefined,
    string | undefined,
  ]
  if (!PROJECT_RE.test(project)) throw invalid(uri, `"${project}" is not a valid project`)
  if (!LOCATION_RE.test(location)) throw invalid(uri, `"${location}" is not a valid location`)
  if (!ID_RE.test(keyRing)) throw invalid(uri, `"${keyRing}" is not a valid key ring id`)
  if (!ID_RE.test(cryptoKey)) throw invalid(uri, `"${cryptoKey}" is not a valid crypto key id`)
  if (versionCollection !== undefined) {
    if (versionCollection !== 'cryptoKeyVersions' && versionCollection !== 'versions') {
      throw invalid(uri, `expected "cryptoKeyVersions" or "versions" after the key, found "${versionCollection}"`)
    }
    if (!VERSION_RE.test(version ?? '')) throw invalid(uri, `"${version}" is not a valid key version`)
  }
  const locationName = `projects/${project}/locations/${location}`
  const keyRingName = `${locationName}/keyRings/${keyRing}`
  const keyName = `${keyRingName}/cryptoKeys/${cryptoKey}`
  return {
    uri,
    project,
    location,
    keyRing,
    cryptoKey,
    locationName,
    keyRingName,
    keyName,
    ...(version === undefined ? {} : {version, versionName: `${keyName}/cryptoKeyVersions/${version}`}),
  }
}
