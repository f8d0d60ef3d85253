/**
 * Registries' challenges remembered across runs, so a later run authenticates its first request
 * up front instead of spending a 401 to learn where the token server is; and the store sigil
 * uses, a small JSON file (sigil's cache directory): registry → scheme, token realm and service.
 * No secrets are stored. Every failure to read or write the file is silent: the store only saves
 * a 401 round trip, and a missing or broken file just means learning it again.
 */
import {readFileSync} from 'node:fs'
import {writeCacheFileSync} from '../atomic-file.js'

/** What a registry's 401 said about its authentication (no secrets: scheme, token realm, service). */
export type KnownChallenge = {readonly scheme: 'basic'} | {readonly scheme: 'bearer'; readonly realm: string; readonly service?: string}

/**
 * Remembers registries' challenges across runs. A remembered challenge is only a hint: when the
 * registry says otherwise it is corrected, never trusted over it.
 */
export interface ChallengeStore {
  get(registry: string): KnownChallenge | undefined
  set(registry: string, challenge: KnownChallenge): void
  delete(registry: string): void
}

/** True when `a` and `b` send a client to the same place. */
export function sameChallenge(a: KnownChallenge | undefined, b: KnownChallenge): boolean {
  if (a === undefined || a.scheme !== b.scheme) return false
  return a.scheme === 'basic' || (b.scheme === 'bearer' && a.realm === b.realm && a.service === b.service)
}

function valid(value: unknown): value is KnownChallenge {
  if (typeof value !== 'object' || value === null) return false
  const c = value as {scheme?: unknown; realm?: unknown; service?: unknown}
  if (c.scheme === 'basic') return true
  if (c.scheme !== 'bearer' || typeof c.realm !== 'string') return false
  if (c.service !== undefined && typeof c.service !== 'string') return false
  try {
    const url = new URL(c.realm)
    return url.protocol === 'https:' || url.protocol === 'http:'
  } catch {
    return false
  }
}

/** A store backed by the JSON file at `path` (created with mode 0600 on first write). */
export function fileChallengeStore(path: string): ChallengeStore {
  let entries: Record<string, KnownChallenge> | undefined
  const load = (): Record<string, KnownChallenge> => {
    if (entries !== undefined) return entries
    entries = {}
    try {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown
      if (typeof parsed === 'object' && parsed !== null) {
        for (const [registry, challenge] of Object.entries(parsed)) if (valid(challenge)) entries[registry] = challenge
      }
    } catch {
      // missing or unreadable: start empty
    }
    return entries
  }
  const save = (): void => writeCacheFileSync(path, `${JSON.stringify(entries, null, 2)}\n`)
  return {
    get: (registry) => load()[registry],
    set(registry, challenge) {
      load()[registry] = challenge
      save()
    },
    delete(registry) {
      if (load()[registry] === undefined) return
      delete load()[registry]
      save()
    },
  }
}
