/**
 * A key version's public key and algorithm kept in the host's cache between runs, for hosts that
 * sign once per process (`KeyContext.reuseCachedSigningKey`, git's signing program). Only a
 * named version: its key material never changes; a key name's newest version can.
 */
import type {KeyCache, PublicKeyInfo} from '@sigil/core'
import {gcpKmsAlgorithm} from './algorithms.js'
import type {GcpKmsAlgorithmInfo} from './algorithms.js'
import {publicKeyFromPem} from './public-key.js'

/** How long an entry is used. */
export const SIGNING_KEY_CACHE_MS = 60 * 60 * 1000

/** What is kept of a resolved version. */
export interface CachedSigningKey {
  readonly versionName: string
  readonly algorithm: GcpKmsAlgorithmInfo
  readonly publicKey: PublicKeyInfo
}

interface Entry {
  readonly algorithm: string
  readonly pem: string
  readonly at: number
}

const name = (versionName: string) => `gcpkms|${versionName}`

/** The entry for `versionName`, when present, fresh and readable. */
export function readSigningKey(cache: KeyCache, versionName: string): CachedSigningKey | undefined {
  const raw = cache.get(name(versionName))
  if (raw === undefined) return undefined
  try {
    const entry = JSON.parse(raw) as Entry
    const algorithm = gcpKmsAlgorithm(entry.algorithm)
    if (!algorithm || !(Date.now() - entry.at < SIGNING_KEY_CACHE_MS)) return undefined
    return {versionName, algorithm, publicKey: publicKeyFromPem(entry.pem, algorithm, versionName)}
  } catch {
    return undefined
  }
}

/** Keep `key` (public parts only). */
export function writeSigningKey(cache: KeyCache, key: CachedSigningKey): void {
  const entry: Entry = {algorithm: key.algorithm.name, pem: key.publicKey.pem, at: Date.now()}
  cache.set(name(key.versionName), JSON.stringify(entry))
}
