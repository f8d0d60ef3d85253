/**
 * A key version's public key and algorithm kept in the host's cache between runs, for hosts that
 * sign once per process (`KeyContext.reuseCachedSigningKey`, git's signing program). A named
 * version's key material never changes. A key name's newest version can: its entry also keeps
 * the version it resolved to, and the provider checks every signature made with it (the
 * version AsymmetricSign names, and the signature against the public key), looking the key up
 * again when the version stops signing.
 */
import {readCacheEntry, writeCacheEntry} from '@sigil/core'
import type {KeyCache, PublicKeyInfo} from '@sigil/core'
import {gcpKmsAlgorithm} from './algorithms.js'
import type {GcpKmsAlgorithmInfo} from './algorithms.js'
import {publicKeyFromPem} from './public-key.js'

/** How long an entry is used. */
const SIGNING_KEY_CACHE_MS = 60 * 60 * 1000

/** What is kept of a resolved version. */
export interface CachedSigningKey {
  readonly versionName: string
  readonly algorithm: GcpKmsAlgorithmInfo
  readonly publicKey: PublicKeyInfo
}

interface Entry {
  readonly algorithm: string
  readonly pem: string
  /** For an entry under a key name: the version it resolved to. */
  readonly version?: string
}

const name = (ref: string) => `gcpkms|${ref}`

/** The entry for `ref` (a version name, or a key name), when present, fresh and readable. */
export function readSigningKey(cache: KeyCache, ref: string): CachedSigningKey | undefined {
  const entry = readCacheEntry<Entry>(cache, name(ref), SIGNING_KEY_CACHE_MS)
  if (entry === undefined) return undefined
  try {
    const algorithm = gcpKmsAlgorithm(entry.algorithm)
    if (!algorithm) return undefined
    const versionName = entry.version ?? ref
    if (versionName !== ref && !versionName.startsWith(`${ref}/cryptoKeyVersions/`)) return undefined
    return {versionName, algorithm, publicKey: publicKeyFromPem(entry.pem, algorithm, versionName)}
  } catch {
    return undefined
  }
}

/** Keep `key` (public parts only) under `ref` (default its version name; or the key name it was resolved from). */
export function writeSigningKey(cache: KeyCache, key: CachedSigningKey, ref: string = key.versionName): void {
  const entry: Entry = {algorithm: key.algorithm.name, pem: key.publicKey.pem, ...(ref !== key.versionName && {version: key.versionName})}
  writeCacheEntry(cache, name(ref), entry)
}
