/**
 * A small OCI distribution client: manifests and blobs, with verified digests, size limits,
 * challenge-driven auth and retries.
 */
import type {Readable} from 'node:stream'
import {computeDigest, isDigest, isDigestSyntax} from '@sigil/core'
import type {RegistryCredential} from '@sigil/core'
import {Authenticator, type AuthTarget, type ChallengeStore} from './auth/index.js'
import {assertDigest} from './content-digest.js'
import {verifyingStream} from './digest-stream.js'
import {dockerConfigCredentials} from './docker-config.js'
import {errorFromResponse, ociError, redactUrl} from './error.js'
import {DEFAULT_OPERATION_TIMEOUT_MS, deadlineIn, earliest, HttpTransport, type Deadline, type HttpRequest, type HttpResponse, type RequestEvent, type RetryOptions, type StreamingBody} from './http/index.js'
import {DEFAULT_MANIFEST_ACCEPT} from './media-types.js'
import {assertTransportAllowed, registryBaseUrl} from './transport-policy.js'

/** A repository on a registry. */
export interface RepositoryRef {
  /** Registry host with optional port: `ghcr.io`, `index.docker.io`, `127.0.0.1:5000`. */
  readonly registry: string
  /** Repository path: `library/ubuntu`, `team/app`. */
  readonly repository: string
}

/** Options of {@link RegistryClient}. */
export interface RegistryClientOptions {
  /** Allow plain HTTP for non-loopback hosts (`--allow-insecure-registry`). Default false (loopback hosts always use HTTP). */
  readonly insecure?: boolean
  /** Credentials per host and repository. Default: {@link dockerConfigCredentials}() (docker config `auths`). */
  readonly credentials?: (host: string, repository: string) => Promise<RegistryCredential | undefined>
  /** Auth challenges remembered across runs (see `fileChallengeStore`). Default none. */
  readonly challengeStore?: ChallengeStore
  /** Base URL override per host (mirrors, tests); undefined = `http(s)://<host>`. */
  readonly endpoint?: (host: string) => string | undefined
  /** `User-Agent`. Default `sigil`. */
  readonly userAgent?: string
  /** Retry policy: default 3 retries, 200 ms base delay, 10 s cap (also caps `Retry-After`). */
  readonly retry?: RetryOptions
  /** Per-request timeout (headers; and longest stall while reading a body). Default 30000 ms. */
  readonly timeoutMs?: number
  /** Longest time one response may take, from sending the request to its last body byte, however steadily bytes arrive. Default 45000 ms. */
  readonly responseTimeoutMs?: number
  /**
   * Longest time one call of this client (`getManifest`, `uploadBlob`, …) may take: its auth
   * round trips, token requests, retries and backoff waits included; no retry starts after it.
   * Default 55000 ms, so a registry that stalls fails well within a minute.
   */
  readonly operationTimeoutMs?: number
  /**
   * Longest time everything done through this client may take, counted from its creation:
   * cosign's `--timeout` (create one client per command). Default none.
   */
  readonly totalTimeoutMs?: number
  /** Called after every HTTP exchange (retries, redirect hops and token requests included). */
  readonly onRequest?: (event: RequestEvent) => void
  /** Largest manifest accepted. Default 4 MiB (go-containerregistry's limit). */
  readonly maxManifestBytes?: number
  /** Largest blob accepted by {@link RegistryClient.getBlob}. Default 128 MiB (`COSIGN_MAX_ATTACHMENT_SIZE`). */
  readonly maxBlobBytes?: number
}

/** A manifest as fetched: the exact bytes, their verified digest and the media type. */
export interface FetchedManifest {
  readonly bytes: Uint8Array
  /** `sha256:<hex>` of `bytes` (or the requested digest, verified, for other algorithms). */
  readonly digest: string
  /** From Content-Type, else the manifest's `mediaType` field; `''` if neither. */
  readonly mediaType: string
}

/** Digest, media type and size of a manifest, as {@link RegistryClient.resolveDigest} returns. */
export interface ManifestDescriptor {
  readonly digest: string
  readonly mediaType: string
  readonly size: number
}

/** What a registry's referrers API answered (see {@link RegistryClient.getReferrers}). */
export interface ReferrersAnswer {
  /** The image index, as sent. */
  readonly bytes: Uint8Array
  /** The registry filtered by the requested `artifactType` (else the caller filters). */
  readonly filtered: boolean
}

/** Options of manifest reads. */
export interface GetManifestOptions {
  /** Accepted media types. Default: OCI manifest, Docker schema 2, OCI index, Docker list. */
  readonly accept?: readonly string[]
}

/** Options of {@link RegistryClient.getBlob}. */
export interface GetBlobOptions {
  /** Largest blob accepted; default the client's `maxBlobBytes`. */
  readonly maxBytes?: number
}

/** Options of {@link RegistryClient.getBlobStream}. */
export interface GetBlobStreamOptions {
  /** The blob's size from its descriptor: more bytes, or fewer, fail the stream (DIGEST_MISMATCH / RESPONSE_TOO_LARGE). */
  readonly size: number
  /** Called with the bytes of each chunk received (progress). */
  readonly onBytes?: (count: number) => void
}

/**
 * How long a streamed blob transfer may take when the client has no total budget (`--timeout`):
 * silences are bounded by the per-request idle timeout, so this only stops an endless trickle.
 */
const STREAM_BUDGET_MS = 24 * 60 * 60 * 1000
const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024
const DEFAULT_MAX_BLOB_BYTES = 128 * 1024 * 1024
/** Bodies we do not use (PUT/DELETE answers, HEAD) are read at most this far. */
const SMALL_BODY_LIMIT = 64 * 1024
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
const GENERIC_CONTENT_TYPES = new Set(['', 'application/json', 'text/plain', 'application/octet-stream'])
const MAX_AUTH_ROUNDS = 4
const MAX_TAG_PAGES = 1000
/** Upload sessions tried for one blob before its failure is final. */
const MAX_UPLOAD_SESSIONS = 3

function checkRepository(repo: RepositoryRef): void {
  const segments = repo.repository.split('/')
  const ok =
    repo.repository.length > 0 &&
    repo.repository.length <= 255 &&
    segments.every((s) => /^[a-z0-9_.-]+$/.test(s) && s !== '.' && s !== '..')
  if (!ok) {
    throw ociError('INVALID_REFERENCE', `invalid repository name "${repo.repository}": use lowercase letters, digits and . _ - /`)
  }
}

function checkReference(reference: string): void {
  if (isDigestSyntax(reference) ? !isDigest(reference) : !TAG_PATTERN.test(reference)) {
    throw ociError('INVALID_REFERENCE', `invalid tag or digest "${reference}"`)
  }
}

function checkDigest(digest: string): void {
  if (!isDigest(digest)) throw ociError('INVALID_REFERENCE', `invalid digest "${digest}": expected sha256, sha384 or sha512 and its lower-case hex`)
}

/** `team/app:v1` or `team/app@sha256:…`, for timeout messages (the registry is named there already). */
function label(repo: RepositoryRef, reference: string): string {
  return `${repo.repository}${isDigestSyntax(reference) ? '@' : ':'}${reference}`
}

function mediaTypeOf(res: HttpResponse): string {
  return (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
}

function ok(res: HttpResponse): boolean {
  return res.status >= 200 && res.status < 300
}

/**
 * Talks to OCI distribution registries (`/v2/` API). Create one per command: it caches what
 * it learns about auth (schemes, tokens) for the registries it talks to.
 *
 * Every manifest and blob read is verified against its digest (DIGEST_MISMATCH), size limits
 * are enforced before and while buffering (RESPONSE_TOO_LARGE), and failures carry stable
 * SigilError codes (REGISTRY_UNREACHABLE, REGISTRY_AUTH_FAILED, REGISTRY_DENIED,
 * MANIFEST_UNKNOWN, BLOB_UNKNOWN, REGISTRY_ERROR, REGISTRY_PROTOCOL, INSECURE_REGISTRY).
 */
export class RegistryClient {
  readonly #transport: HttpTransport
  readonly #auth: Authenticator
  readonly #insecure: boolean
  readonly #endpoint?: (host: string) => string | undefined
  readonly #maxManifestBytes: number
  readonly #maxBlobBytes: number
  readonly #bases = new Map<string, string>()
  readonly #operationTimeoutMs: number
  readonly #total?: Deadline

  constructor(options: RegistryClientOptions = {}) {
    this.#total = options.totalTimeoutMs === undefined ? undefined : deadlineIn(options.totalTimeoutMs)
    this.#operationTimeoutMs = options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS
    this.#transport = new HttpTransport({
      timeoutMs: options.timeoutMs,
      responseTimeoutMs: options.responseTimeoutMs,
      retry: options.retry,
      userAgent: options.userAgent,
      onRequest: options.onRequest,
    })
    this.#insecure = options.insecure ?? false
    this.#endpoint = options.endpoint
    this.#maxManifestBytes = options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES
    this.#maxBlobBytes = options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES
    this.#auth = new Authenticator({
      transport: this.#transport,
      credentials: options.credentials ?? dockerConfigCredentials(),
      insecure: this.#insecure,
      challengeStore: options.challengeStore,
    })
  }

  #base(registry: string): string {
    let base = this.#bases.get(registry)
    if (base === undefined) {
      base = registryBaseUrl(registry, {insecure: this.#insecure, endpoint: this.#endpoint})
      this.#bases.set(registry, base)
    }
    return base
  }

  #url(repo: RepositoryRef, kind: 'manifests' | 'blobs' | 'tags' | 'referrers', rest: string): string {
    checkRepository(repo)
    return `${this.#base(repo.registry)}/v2/${repo.repository}/${kind}/${rest}`
  }

  /** Send with auth: authenticate up front when the registry is known, else answer its 401 challenge. */
  async #send(
    repo: RepositoryRef,
    req: HttpRequest & {readonly subject: string; readonly push?: boolean; readonly deadline: Deadline},
  ): Promise<HttpResponse> {
    const target: AuthTarget = {registry: repo.registry, repository: repo.repository, actions: req.push ? ['pull', 'push'] : ['pull']}
    const baseOrigin = new URL(this.#base(repo.registry)).origin
    const sameOrigin = new URL(req.url).origin === baseOrigin
    for (let round = 0; round < MAX_AUTH_ROUNDS; round++) {
      const authz = sameOrigin ? await this.#auth.authorize(target, req.deadline) : {fresh: false}
      const headers: Record<string, string> = {...req.headers}
      if (authz.header !== undefined) headers['authorization'] = authz.header
      const res = await this.#transport.send({...req, headers})
      if (res.status !== 401 || !sameOrigin) return res
      const answeredBy = new URL(res.url).origin
      if (answeredBy !== baseOrigin) {
        // The registry redirected to another host, which wants credentials: ours are not sent
        // there (they are the registry's), so this is no verdict on them.
        throw ociError(
          'REGISTRY_AUTH_FAILED',
          `${repo.registry} redirected the request for ${req.subject} to ${new URL(res.url).host}, which asked for credentials; ` +
            'sigil does not send registry credentials to another host (the registry or its storage is misconfigured)',
          {details: {status: 401, url: redactUrl(res.url)}},
        )
      }
      await this.#auth.challenged(target, res, authz, req.subject, req.method)
    }
    throw ociError('REGISTRY_AUTH_FAILED', `authentication for ${req.subject} did not settle after ${MAX_AUTH_ROUNDS} challenges`)
  }

  #subject(kind: 'manifest' | 'blob', repo: RepositoryRef, reference: string): string {
    return `${kind} ${repo.registry}/${repo.repository}${isDigestSyntax(reference) ? '@' : ':'}${reference}`
  }

  /** When the call starting now must be done: its own budget, or the client's, whichever ends first. */
  #deadline(): Deadline {
    return earliest(deadlineIn(this.#operationTimeoutMs), this.#total)!
  }

  /**
   * Digest, media type and size of the manifest `reference` (tag or digest) points to: a HEAD
   * request, falling back to GET (verified) when the registry omits Docker-Content-Digest.
   * Missing → MANIFEST_UNKNOWN.
   */
  async resolveDigest(repo: RepositoryRef, reference: string, options: GetManifestOptions = {}): Promise<ManifestDescriptor> {
    checkReference(reference)
    const deadline = this.#deadline()
    const subject = this.#subject('manifest', repo, reference)
    const url = this.#url(repo, 'manifests', reference)
    const res = await this.#send(repo, {
      method: 'HEAD',
      url,
      headers: {accept: (options.accept ?? DEFAULT_MANIFEST_ACCEPT).join(', ')},
      maxBytes: SMALL_BODY_LIMIT,
      subject,
      label: `the digest of ${label(repo, reference)}`,
      deadline,
    })
    if (!ok(res)) throw errorFromResponse(res, {method: 'HEAD', url, subject, notFound: 'MANIFEST_UNKNOWN', attempts: res.attempts})
    const digest = res.headers.get('docker-content-digest')?.trim()
    const length = res.headers.get('content-length')
    const mediaType = mediaTypeOf(res)
    if (digest !== undefined && isDigest(digest) && length !== null && /^\d+$/.test(length) && !GENERIC_CONTENT_TYPES.has(mediaType)) {
      if (isDigestSyntax(reference) && digest !== reference) {
        throw ociError('DIGEST_MISMATCH', `${subject}: registry reports digest ${digest}`, {details: {expected: reference, actual: digest}})
      }
      return {digest, mediaType, size: Number(length)}
    }
    const m = (await this.#getManifest(repo, reference, options, false, deadline))!
    return {digest: m.digest, mediaType: m.mediaType, size: m.bytes.length}
  }

  /**
   * Fetch a manifest's exact bytes. The digest is verified: sha256 of the bytes must equal the
   * requested digest (digest references) and the Docker-Content-Digest header when present,
   * else DIGEST_MISMATCH. Missing → MANIFEST_UNKNOWN; larger than `maxManifestBytes` → RESPONSE_TOO_LARGE.
   */
  async getManifest(repo: RepositoryRef, reference: string, options: GetManifestOptions = {}): Promise<FetchedManifest> {
    const m = await this.#getManifest(repo, reference, options, false, this.#deadline())
    return m!
  }

  /** Like {@link getManifest}, but a 404 resolves to undefined (other failures still throw). */
  getManifestIfExists(repo: RepositoryRef, reference: string, options: GetManifestOptions = {}): Promise<FetchedManifest | undefined> {
    return this.#getManifest(repo, reference, options, true, this.#deadline())
  }

  async #getManifest(
    repo: RepositoryRef,
    reference: string,
    options: GetManifestOptions,
    allowMissing: boolean,
    deadline: Deadline,
  ): Promise<FetchedManifest | undefined> {
    checkReference(reference)
    const subject = this.#subject('manifest', repo, reference)
    const url = this.#url(repo, 'manifests', reference)
    const res = await this.#send(repo, {
      method: 'GET',
      url,
      headers: {accept: (options.accept ?? DEFAULT_MANIFEST_ACCEPT).join(', ')},
      maxBytes: this.#maxManifestBytes,
      what: subject,
      subject,
      label: `the manifest of ${label(repo, reference)}`,
      deadline,
    })
    if (res.status === 404 && allowMissing) return undefined
    if (!ok(res)) throw errorFromResponse(res, {method: 'GET', url, subject, notFound: 'MANIFEST_UNKNOWN', attempts: res.attempts})
    const bytes = res.body
    let digest: string
    if (isDigestSyntax(reference)) {
      assertDigest(bytes, reference, subject)
      digest = reference
    } else {
      digest = computeDigest(bytes)
    }
    const header = res.headers.get('docker-content-digest')?.trim()
    if (header !== undefined && isDigest(header)) assertDigest(bytes, header, `${subject} (Docker-Content-Digest)`)
    let mediaType = mediaTypeOf(res)
    if (GENERIC_CONTENT_TYPES.has(mediaType)) {
      try {
        const field = (JSON.parse(new TextDecoder().decode(bytes)) as {mediaType?: unknown}).mediaType
        if (typeof field === 'string') mediaType = field
      } catch {
        // Not JSON: keep the header's type; parsing is the caller's business.
      }
    }
    return {bytes, digest, mediaType}
  }

  /**
   * Upload a manifest under `reference` (tag or digest) with Content-Type `mediaType`. Returns
   * its digest (sha256 of `bytes`); a Docker-Content-Digest answer that disagrees → DIGEST_MISMATCH.
   */
  async putManifest(repo: RepositoryRef, reference: string, bytes: Uint8Array, mediaType: string): Promise<{digest: string; ociSubject?: string}> {
    checkReference(reference)
    const subject = this.#subject('manifest', repo, reference)
    let digest: string
    if (isDigestSyntax(reference)) {
      assertDigest(bytes, reference, `${subject} (bytes to upload)`)
      digest = reference
    } else {
      digest = computeDigest(bytes)
    }
    const url = this.#url(repo, 'manifests', reference)
    const res = await this.#send(repo, {
      method: 'PUT',
      url,
      headers: {'content-type': mediaType},
      body: bytes,
      maxBytes: SMALL_BODY_LIMIT,
      subject,
      push: true,
      label: `the manifest upload to ${label(repo, reference)}`,
      deadline: this.#deadline(),
    })
    if (!ok(res)) throw errorFromResponse(res, {method: 'PUT', url, subject, attempts: res.attempts})
    const header = res.headers.get('docker-content-digest')?.trim()
    if (header !== undefined && isDigest(header) && header.startsWith(digest.slice(0, digest.indexOf(':') + 1)) && header !== digest) {
      throw ociError('DIGEST_MISMATCH', `${subject}: registry stored digest ${header}, expected ${digest}`, {
        details: {expected: digest, actual: header},
      })
    }
    // OCI 1.1: a registry with the referrers API names the subject it indexed the manifest under.
    const ociSubject = res.headers.get('oci-subject')?.trim()
    return {digest, ...(ociSubject ? {ociSubject} : {})}
  }

  /**
   * The OCI 1.1 referrers of manifest `digest` (`GET /v2/<name>/referrers/<digest>`): the image
   * index the registry answers (bytes as sent, at most `maxManifestBytes`), and whether it applied
   * the `artifactType` filter (`OCI-Filters-Applied`). Undefined when the registry has no
   * referrers API (404 there): then the referrers tag schema (`sha256-<hex>`) is the fallback.
   */
  async getReferrers(repo: RepositoryRef, digest: string, options: {readonly artifactType?: string} = {}): Promise<ReferrersAnswer | undefined> {
    checkDigest(digest)
    const subject = `referrers of ${repo.registry}/${repo.repository}@${digest}`
    const query = options.artifactType === undefined ? '' : `?artifactType=${encodeURIComponent(options.artifactType)}`
    const url = this.#url(repo, 'referrers', `${digest}${query}`)
    const res = await this.#send(repo, {
      method: 'GET',
      url,
      headers: {accept: 'application/vnd.oci.image.index.v1+json'},
      maxBytes: this.#maxManifestBytes,
      what: subject,
      subject,
      label: `the referrers of ${label(repo, digest)}`,
      deadline: this.#deadline(),
    })
    if (res.status === 404) return undefined
    if (!ok(res)) throw errorFromResponse(res, {method: 'GET', url, subject, attempts: res.attempts})
    const applied = (res.headers.get('oci-filters-applied') ?? '').split(',').map((f) => f.trim())
    return {bytes: res.body, filtered: options.artifactType !== undefined && applied.includes('artifactType')}
  }

  /** Delete a manifest (by digest; registries may also accept tags). Missing → MANIFEST_UNKNOWN. */
  async deleteManifest(repo: RepositoryRef, digest: string): Promise<void> {
    checkReference(digest)
    const subject = this.#subject('manifest', repo, digest)
    const url = this.#url(repo, 'manifests', digest)
    // go-containerregistry asks for push,pull for deletes; a registry wanting `delete` says so in its challenge.
    const res = await this.#send(repo, {
      method: 'DELETE',
      url,
      maxBytes: SMALL_BODY_LIMIT,
      subject,
      push: true,
      label: `the deletion of ${label(repo, digest)}`,
      deadline: this.#deadline(),
    })
    if (!ok(res)) throw errorFromResponse(res, {method: 'DELETE', url, subject, notFound: 'MANIFEST_UNKNOWN', attempts: res.attempts})
  }

  /** True if the repository has blob `digest` (HEAD; 404 → false). */
  async blobExists(repo: RepositoryRef, digest: string): Promise<boolean> {
    checkDigest(digest)
    const subject = this.#subject('blob', repo, digest)
    const url = this.#url(repo, 'blobs', digest)
    const res = await this.#send(repo, {
      method: 'HEAD',
      url,
      maxBytes: SMALL_BODY_LIMIT,
      subject,
      label: `the blob ${label(repo, digest)}`,
      deadline: this.#deadline(),
    })
    if (res.status === 404) return false
    if (!ok(res)) throw errorFromResponse(res, {method: 'HEAD', url, subject, attempts: res.attempts})
    return true
  }

  /**
   * Download a blob, following redirects (credentials are not forwarded to other hosts), and
   * verify its digest. Missing → BLOB_UNKNOWN; over the limit → RESPONSE_TOO_LARGE (checked
   * on Content-Length before buffering and again while streaming).
   */
  async getBlob(repo: RepositoryRef, digest: string, options: GetBlobOptions = {}): Promise<Uint8Array> {
    checkDigest(digest)
    const subject = this.#subject('blob', repo, digest)
    const url = this.#url(repo, 'blobs', digest)
    const res = await this.#send(repo, {
      method: 'GET',
      url,
      maxBytes: options.maxBytes ?? this.#maxBlobBytes,
      what: subject,
      subject,
      label: `the blob ${label(repo, digest)}`,
      deadline: this.#deadline(),
    })
    if (!ok(res)) throw errorFromResponse(res, {method: 'GET', url, subject, notFound: 'BLOB_UNKNOWN', attempts: res.attempts})
    assertDigest(res.body, digest, subject)
    return res.body
  }

  /**
   * Download a blob as a stream, in constant memory whatever its size, following redirects like
   * {@link getBlob} (credentials never go to another host). The bytes are counted and hashed as
   * they pass: more than `size` fails the stream with RESPONSE_TOO_LARGE, and at its end a
   * digest or size that does not match fails it with DIGEST_MISMATCH, so a consumer that commits
   * only after the stream ended cleanly never commits wrong bytes. Missing → BLOB_UNKNOWN (thrown).
   * The headers must arrive within the call's budget; the body is bounded by the idle timeout and
   * the client's `totalTimeoutMs` only.
   */
  async getBlobStream(repo: RepositoryRef, digest: string, options: GetBlobStreamOptions): Promise<Readable> {
    checkDigest(digest)
    const subject = this.#subject('blob', repo, digest)
    const url = this.#url(repo, 'blobs', digest)
    const res = await this.#send(repo, {
      method: 'GET',
      url,
      stream: true,
      maxBytes: options.size,
      what: subject,
      subject,
      label: `the blob ${label(repo, digest)}`,
      deadline: this.#streamDeadline(),
    })
    if (!ok(res)) throw errorFromResponse(res, {method: 'GET', url, subject, notFound: 'BLOB_UNKNOWN', attempts: res.attempts})
    return verifyingStream(res.stream!, digest, options.size, subject, options.onBytes)
  }

  /** The deadline of a streamed transfer: the client's total budget, else {@link STREAM_BUDGET_MS}. */
  #streamDeadline(): Deadline {
    return this.#total ?? deadlineIn(STREAM_BUDGET_MS)
  }

  /**
   * Upload a blob of `size` bytes streamed from `open()` (called again for every attempt, so a
   * retried upload starts from the first byte), in constant memory: `POST` to start a session,
   * then one monolithic `PUT ?digest=` with a streaming body and Content-Length, as
   * {@link uploadBlob} does (the same two requests). The registry checks the digest when the PUT
   * completes, so wrong bytes are never committed; a source stream that fails (a download whose
   * digest does not match, say) aborts the PUT with the source's error.
   */
  async uploadBlobStream(repo: RepositoryRef, digest: string, size: number, open: () => Promise<Readable>, options: {readonly onBytes?: (count: number) => void} = {}): Promise<void> {
    checkDigest(digest)
    await this.#upload(repo, digest, {length: size, open, onBytes: options.onBytes}, this.#streamDeadline())
  }

  /**
   * Upload a blob monolithically: `POST /v2/<repo>/blobs/uploads/` then `PUT <Location>&digest=`
   * (two requests when no auth round trip is needed; no existence check). The bytes must
   * match `digest` (checked before sending).
   */
  async uploadBlob(repo: RepositoryRef, digest: string, bytes: Uint8Array): Promise<void> {
    checkDigest(digest)
    assertDigest(bytes, digest, `${this.#subject('blob', repo, digest)} (bytes to upload)`)
    await this.#upload(repo, digest, bytes, this.#deadline())
  }

  async #upload(repo: RepositoryRef, digest: string, bytes: Uint8Array | StreamingBody, putDeadline: Deadline): Promise<void> {
    const subject = this.#subject('blob', repo, digest)
    const deadline = this.#deadline()
    const uploadLabel = `the upload of blob ${label(repo, digest)}`
    const startUrl = this.#url(repo, 'blobs', 'uploads/')
    let put: HttpResponse
    let putUrl: string
    // An upload session the registry has forgotten (a PUT retried after a dropped connection
    // meets 404 BLOB_UPLOAD_UNKNOWN) is not retried in place: a new session is started.
    for (let session = 1; ; session++) {
      const start = await this.#send(repo, {
        method: 'POST',
        url: startUrl,
        body: new Uint8Array(0),
        maxBytes: SMALL_BODY_LIMIT,
        subject: `upload of ${subject}`,
        push: true,
        label: uploadLabel,
        deadline,
      })
      if (!ok(start)) throw errorFromResponse(start, {method: 'POST', url: startUrl, subject: `upload of ${subject}`, attempts: start.attempts})
      const location = start.headers.get('location')
      if (location === null || location === '') {
        throw ociError('REGISTRY_PROTOCOL', `upload of ${subject}: the registry answered ${start.status} without a Location header`)
      }
      let target: URL
      try {
        target = new URL(location, start.url)
      } catch (cause) {
        throw ociError('REGISTRY_PROTOCOL', `upload of ${subject}: invalid upload Location`, {cause})
      }
      if (target.protocol !== 'http:' && target.protocol !== 'https:') {
        throw ociError('REGISTRY_PROTOCOL', `upload of ${subject}: upload Location has unsupported scheme ${target.protocol}`)
      }
      assertTransportAllowed(target, this.#insecure)
      // Append rather than rebuild the query: the Location's own parameters (`_state`) must stay byte-exact.
      const href = target.toString().replace(/#.*$/, '')
      putUrl = `${href}${target.search === '' ? (href.endsWith('?') ? '' : '?') : '&'}digest=${encodeURIComponent(digest)}`
      put = await this.#send(repo, {
        method: 'PUT',
        url: putUrl,
        headers: {'content-type': 'application/octet-stream'},
        body: bytes,
        maxBytes: SMALL_BODY_LIMIT,
        subject: `upload of ${subject}`,
        push: true,
        label: uploadLabel,
        deadline: bytes instanceof Uint8Array ? deadline : putDeadline,
      })
      if (put.status === 404 && session < MAX_UPLOAD_SESSIONS) continue
      break
    }
    if (!ok(put)) throw errorFromResponse(put, {method: 'PUT', url: putUrl, subject: `upload of ${subject}`, attempts: put.attempts})
    const header = put.headers.get('docker-content-digest')?.trim()
    if (header !== undefined && isDigest(header) && header.startsWith(digest.slice(0, digest.indexOf(':') + 1)) && header !== digest) {
      throw ociError('DIGEST_MISMATCH', `upload of ${subject}: registry stored digest ${header}`, {details: {expected: digest, actual: header}})
    }
  }

  /**
   * Cross-repository blob mount (`POST /v2/<repo>/blobs/uploads/?mount=<digest>&from=<from>`),
   * for a blob `from` has on the same registry: true when the registry mounted it (201). False
   * when it would not (202: it opened an upload session instead, which is cancelled here, best
   * effort): then upload the bytes. Another registry in `from` → INVALID_ARGUMENT.
   */
  async mountBlob(repo: RepositoryRef, digest: string, from: RepositoryRef): Promise<boolean> {
    checkDigest(digest)
    checkRepository(from)
    if (from.registry !== repo.registry) throw ociError('INVALID_ARGUMENT', `cannot mount a blob from ${from.registry} into ${repo.registry}: mounts stay on one registry`)
    const subject = this.#subject('blob', repo, digest)
    const url = `${this.#url(repo, 'blobs', 'uploads/')}?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from.repository)}`
    const deadline = this.#deadline()
    const res = await this.#send(repo, {
      method: 'POST',
      url,
      body: new Uint8Array(0),
      maxBytes: SMALL_BODY_LIMIT,
      subject: `mount of ${subject}`,
      push: true,
      label: `the mount of blob ${label(repo, digest)}`,
      deadline,
    })
    if (res.status === 201) return true
    if (!ok(res)) throw errorFromResponse(res, {method: 'POST', url, subject: `mount of ${subject}`, attempts: res.attempts})
    const location = res.headers.get('location')
    if (location) {
      try {
        const target = new URL(location, res.url)
        assertTransportAllowed(target, this.#insecure)
        await this.#send(repo, {method: 'DELETE', url: target.toString(), maxBytes: SMALL_BODY_LIMIT, subject: `mount of ${subject}`, push: true, label: `the mount of blob ${label(repo, digest)}`, deadline})
      } catch {
        // An upload session left open expires on the registry's side; the upload goes on.
      }
    }
    return false
  }

  /** All tags of a repository (`GET /v2/<repo>/tags/list`, following `Link: <…>; rel="next"` pages). */
  async listTags(repo: RepositoryRef): Promise<string[]> {
    const subject = `tags of ${repo.registry}/${repo.repository}`
    let url: string | undefined = this.#url(repo, 'tags', 'list')
    const base = new URL(this.#base(repo.registry))
    const tags: string[] = []
    const deadline = this.#deadline()
    for (let page = 0; url !== undefined; page++) {
      if (page >= MAX_TAG_PAGES) throw ociError('REGISTRY_PROTOCOL', `${subject}: more than ${MAX_TAG_PAGES} pages`)
      const res: HttpResponse = await this.#send(repo, {
        method: 'GET',
        url,
        maxBytes: this.#maxManifestBytes,
        what: subject,
        subject,
        label: `the tags of ${repo.repository}`,
        deadline,
      })
      if (!ok(res)) throw errorFromResponse(res, {method: 'GET', url, subject, attempts: res.attempts})
      let json: unknown
      try {
        json = JSON.parse(new TextDecoder().decode(res.body))
      } catch (cause) {
        throw ociError('REGISTRY_PROTOCOL', `${subject}: the tag list is not JSON`, {cause})
      }
      const list = typeof json === 'object' && json !== null ? (json as {tags?: unknown}).tags : undefined
      if (list !== undefined && list !== null && !(Array.isArray(list) && list.every((t) => typeof t === 'string'))) {
        throw ociError('REGISTRY_PROTOCOL', `${subject}: "tags" is not a list of strings`)
      }
      if (Array.isArray(list)) tags.push(...(list as string[]))
      const next = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(res.headers.get('link') ?? '')?.[1]
      if (next === undefined) break
      const nextUrl = new URL(next, res.url)
      if (nextUrl.origin !== base.origin) throw ociError('REGISTRY_PROTOCOL', `${subject}: pagination link points to another host`)
      url = nextUrl.toString()
    }
    return tags
  }
}
