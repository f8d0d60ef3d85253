/**
 * Registry authentication, driven by the registry's own 401 challenges (no `/v2/` ping): Basic,
 * and the Bearer token flow, with tokens cached per registry and scope.
 */
import type {RegistryCredential} from '@sigil/core'
import {errorFromResponse, ociError, redactUrl} from '../error.js'
import type {Deadline, HttpResponse, HttpTransport} from '../http/index.js'
import {parseWwwAuthenticate} from './challenge.js'
import {sameChallenge, type ChallengeStore, type KnownChallenge} from './challenge-store.js'
import {basicHeader} from './credential-header.js'
import {covers, formatScopes, parseScopes, unionScopes, type ScopeSet} from './scope.js'
import {requestToken} from './token-client.js'

/** What a request needs: `pull` for reads, `pull`+`push` for writes. */
export interface AuthTarget {
  /** Registry host (`ghcr.io`, `127.0.0.1:5000`). */
  readonly registry: string
  /** Repository path (`team/app`). */
  readonly repository: string
  readonly actions: readonly ('pull' | 'push')[]
}

/** The Authorization to send, and whether it was obtained just now (a fresh token is not retried). */
export interface Authorization {
  readonly header?: string
  readonly fresh: boolean
}

interface TokenEntry {
  readonly scopes: ScopeSet
  readonly token: string
  readonly expiresAt: number
}

/** Options of {@link Authenticator}. */
export interface AuthenticatorOptions {
  readonly transport: HttpTransport
  readonly credentials: (host: string, repository: string) => Promise<RegistryCredential | undefined>
  /** Allow a plain-HTTP token realm on a non-loopback host. Default false. */
  readonly insecure?: boolean
  /** OAuth2 `client_id` for refresh-token exchanges. Default `sigil`. */
  readonly clientId?: string
  /** Clock, for tests. */
  readonly now?: () => number
  /** Challenges remembered across runs. Default none (every run learns them from a 401). */
  readonly challengeStore?: ChallengeStore
}

/**
 * Keeps what a client learnt about each registry's auth (scheme, realm, service) and the
 * tokens it obtained, so later requests authenticate up front instead of taking a 401 each.
 */
export class Authenticator {
  readonly #transport: HttpTransport
  readonly #credentials: AuthenticatorOptions['credentials']
  readonly #insecure: boolean
  readonly #clientId: string
  readonly #now: () => number
  readonly #store: ChallengeStore | undefined
  /** Registries whose challenge was recalled from the store and not yet seen in this run. */
  readonly #recalled = new Set<string>()
  readonly #challenges = new Map<string, KnownChallenge>()
  readonly #tokens = new Map<string, TokenEntry[]>()
  readonly #inflight = new Map<string, Promise<TokenEntry>>()
  readonly #credentialCache = new Map<string, Promise<RegistryCredential | undefined>>()
  /** Extra scopes registries asked for in challenges, per registry + base scope. */
  readonly #extraScopes = new Map<string, ScopeSet>()

  constructor(options: AuthenticatorOptions) {
    this.#transport = options.transport
    this.#credentials = options.credentials
    this.#insecure = options.insecure ?? false
    this.#clientId = options.clientId ?? 'sigil'
    this.#now = options.now ?? Date.now
    this.#store = options.challengeStore
  }

  #known(registry: string): KnownChallenge | undefined {
    let known = this.#challenges.get(registry)
    if (known === undefined && this.#store !== undefined) {
      try {
        known = this.#store.get(registry)
      } catch {
        known = undefined // an unreadable store is just an empty one
      }
      if (known !== undefined) {
        this.#challenges.set(registry, known)
        this.#recalled.add(registry)
      }
    }
    return known
  }

  #forget(registry: string): void {
    this.#challenges.delete(registry)
    this.#recalled.delete(registry)
    this.#tokens.delete(registry)
    try {
      this.#store?.delete(registry)
    } catch {
      // best effort
    }
  }

  /** Record what the registry just said; returns true when it contradicts a recalled challenge. */
  #learn(registry: string, challenge: KnownChallenge): boolean {
    const before = this.#challenges.get(registry)
    const contradicted = this.#recalled.has(registry) && !sameChallenge(before, challenge)
    this.#recalled.delete(registry)
    this.#challenges.set(registry, challenge)
    if (contradicted) this.#tokens.delete(registry)
    if (!sameChallenge(before, challenge) || contradicted) {
      try {
        this.#store?.set(registry, challenge)
      } catch {
        // best effort: the next run just takes the 401 again
      }
    }
    return contradicted
  }

  #credential(registry: string, repository: string): Promise<RegistryCredential | undefined> {
    const key = `${registry}\n${repository}`
    let p = this.#credentialCache.get(key)
    if (p === undefined) {
      p = this.#credentials(registry, repository)
      this.#credentialCache.set(key, p)
    }
    return p
  }

  #neededScopes(target: AuthTarget): {key: string; scopes: ScopeSet} {
    const base = `repository:${target.repository}:${target.actions.join(',')}`
    const key = `${target.registry}\n${base}`
    const scopes = parseScopes(base)
    const extra = this.#extraScopes.get(key)
    return {key, scopes: extra === undefined ? scopes : unionScopes(scopes, extra)}
  }

  #cachedToken(registry: string, need: ScopeSet): TokenEntry | undefined {
    const entries = this.#tokens.get(registry)
    if (entries === undefined) return undefined
    const now = this.#now()
    const live = entries.filter((e) => e.expiresAt > now)
    if (live.length !== entries.length) this.#tokens.set(registry, live)
    return live.find((e) => covers(e.scopes, need))
  }

  /**
   * The Authorization header to send for `target` before any challenge: a static bearer
   * credential, Basic for registries known to want it, or a cached/freshly fetched token for
   * registries known to use tokens. Undefined until the registry has challenged once. A token
   * request made here ends by `deadline` (default: the transport's own bound).
   */
  async authorize(target: AuthTarget, deadline?: Deadline): Promise<Authorization> {
    const cred = await this.#credential(target.registry, target.repository)
    if (cred?.kind === 'bearer') return {header: `Bearer ${cred.token}`, fresh: false}
    const known = this.#known(target.registry)
    if (known === undefined) return {fresh: false}
    if (known.scheme === 'basic') return {header: basicHeader(cred), fresh: false}
    const {scopes} = this.#neededScopes(target)
    const cached = this.#cachedToken(target.registry, scopes)
    if (cached !== undefined) return {header: `Bearer ${cached.token}`, fresh: false}
    let entry: TokenEntry
    try {
      entry = await this.#fetchToken(target.registry, known, scopes, cred, deadline)
    } catch (err) {
      // A remembered realm that no longer works: forget it and let the registry say where to go.
      if (!this.#recalled.has(target.registry)) throw err
      this.#forget(target.registry)
      return {fresh: false}
    }
    return {header: `Bearer ${entry.token}`, fresh: true}
  }

  /**
   * Handle a 401 to a request sent with `sent`. Returns normally when retrying with a new
   * {@link authorize} result makes sense; throws REGISTRY_AUTH_FAILED / REGISTRY_DENIED /
   * REGISTRY_PROTOCOL otherwise.
   */
  async challenged(target: AuthTarget, res: HttpResponse, sent: Authorization, subject: string, method: string): Promise<void> {
    const header = res.headers.get('www-authenticate')
    const challenges = header === null ? [] : parseWwwAuthenticate(header)
    const bearer = challenges.find((c) => c.scheme === 'bearer')
    const basic = challenges.find((c) => c.scheme === 'basic')
    const cred = await this.#credential(target.registry, target.repository)
    const fail = (hint: string): never => {
      const err = errorFromResponse(res, {method, url: res.url, subject})
      throw ociError('REGISTRY_AUTH_FAILED', `${err.message.replace(/; check your registry credentials \(docker login\)$/, '')}; ${hint}`, {
        details: err.details,
      })
    }
    if (cred?.kind === 'bearer') fail('the registry rejected the configured bearer token')

    if (bearer !== undefined) {
      const realm = bearer.params['realm']
      if (realm === undefined || realm === '') {
        throw ociError('REGISTRY_PROTOCOL', `${target.registry} sent a Bearer challenge without realm for ${subject}`)
      }
      if (this.#learn(target.registry, {scheme: 'bearer', realm, service: bearer.params['service']})) return // stale hint: retry
      const {key, scopes} = this.#neededScopes(target)
      const asked = bearer.params['scope']
      if (asked !== undefined && asked !== '') {
        const askedSet = parseScopes(asked)
        if (!covers(scopes, askedSet)) {
          // The registry wants more than we asked for (e.g. `delete`): ask for the union next time.
          const prev = this.#extraScopes.get(key)
          this.#extraScopes.set(key, prev === undefined ? askedSet : unionScopes(prev, askedSet))
          return
        }
      }
      if (bearer.params['error'] === 'insufficient_scope') {
        const err = errorFromResponse(res, {method, url: res.url, subject})
        throw ociError(
          'REGISTRY_DENIED',
          `access denied to ${subject}: the token lacks ${formatScopes(scopes).join(' ')} (insufficient_scope); ` +
            'check that the credentials may access this repository',
          {details: err.details},
        )
      }
      if (sent.header?.startsWith('Bearer ')) {
        if (sent.fresh) fail(`the registry rejected a token just issued by ${redactUrl(realm)}${bearer.params['error'] ? ` (${bearer.params['error']})` : ''}`)
        this.#dropToken(target.registry, sent.header.slice('Bearer '.length))
      }
      return
    }
    if (basic !== undefined) {
      if (this.#learn(target.registry, {scheme: 'basic'})) return // stale hint: retry
      if (sent.header?.startsWith('Basic ')) fail('the username or password was rejected')
      if (basicHeader(cred) === undefined) fail(`no credentials configured for ${target.registry} (docker login ${target.registry})`)
      return
    }
    if (challenges.length === 0) fail('the registry sent 401 without a WWW-Authenticate challenge')
    fail(`unsupported authentication scheme ${challenges.map((c) => c.scheme).join(', ')}`)
  }

  #dropToken(registry: string, token: string): void {
    const entries = this.#tokens.get(registry)
    if (entries !== undefined) this.#tokens.set(registry, entries.filter((e) => e.token !== token))
  }

  #fetchToken(
    registry: string,
    challenge: {realm: string; service?: string},
    scopes: ScopeSet,
    cred: RegistryCredential | undefined,
    deadline: Deadline | undefined,
  ): Promise<TokenEntry> {
    const scopeList = formatScopes(scopes)
    const key = [registry, challenge.realm, challenge.service ?? '', ...scopeList].join('\n')
    let p = this.#inflight.get(key)
    if (p === undefined) {
      p = this.#requestToken(registry, challenge, scopes, scopeList, cred, deadline).finally(() => this.#inflight.delete(key))
      this.#inflight.set(key, p)
    }
    return p
  }

  async #requestToken(
    registry: string,
    challenge: {realm: string; service?: string},
    scopes: ScopeSet,
    scopeList: string[],
    cred: RegistryCredential | undefined,
    deadline: Deadline | undefined,
  ): Promise<TokenEntry> {
    const issued = await requestToken(this.#transport, {
      registry,
      realm: challenge.realm,
      service: challenge.service,
      scopes: scopeList,
      credential: cred,
      insecure: this.#insecure,
      clientId: this.#clientId,
      deadline,
    })
    const lifetimeMs = issued.expiresInS * 1000
    // Renew a little early so a token does not expire between cache lookup and use.
    const entry: TokenEntry = {scopes, token: issued.token, expiresAt: this.#now() + lifetimeMs - Math.min(10_000, lifetimeMs * 0.1)}
    const key = formatScopes(scopes).join(' ')
    const others = (this.#tokens.get(registry) ?? []).filter((e) => formatScopes(e.scopes).join(' ') !== key)
    this.#tokens.set(registry, [...others, entry])
    return entry
  }
}
