/**
 * The OCI 1.1 referrers API in front of a registry that lacks it.
 *
 * No packaged registry implements the referrers API (Debian's distribution is 2.8.x), so this
 * loopback proxy adds it, as the OCI distribution spec 1.1 says, in front of a real
 * {@link TestRegistry}:
 *   - everything is forwarded to the registry (its `Location` headers rewritten to stay on the
 *     proxy), and every request is counted (`requests`, `exchanges`, `take()`);
 *   - a manifest PUT the registry accepts whose body has a `subject` is recorded, and its
 *     response gets `OCI-Subject: <subject digest>` ("the registry processed the subject");
 *     a DELETE of that manifest by digest forgets it;
 *   - `GET /v2/<name>/referrers/<digest>[?artifactType=T]` answers `200` with an OCI image index
 *     (`application/vnd.oci.image.index.v1+json`) of one descriptor per recorded manifest of
 *     `<name>` whose subject is `<digest>`: `mediaType`, `digest`, `size`, `artifactType` (the
 *     manifest's `artifactType`, else for an image manifest its config's `mediaType`) and the
 *     manifest's `annotations`. With `artifactType` only matching descriptors are listed and
 *     the response carries `OCI-Filters-Applied: artifactType`. An unknown subject gets an empty
 *     list (the spec's "200 OK regardless of whether the digest exists"); an invalid digest 400.
 *     Access is the registry's: the proxy first sends `HEAD /v2/<name>/manifests/<digest>` with
 *     the client's `Authorization`, and relays a 401/403 (with its challenge) as the answer.
 *     No pagination (`Link`): every referrer is in one response.
 *
 * With `referrersApi: false` (or `setReferrersApi(false)`) it emulates a registry without the
 * API: the referrers path is forwarded to the registry like any other (distribution 2.8 answers
 * `404 page not found`, text/plain) and PUT responses carry no `OCI-Subject` (`ociSubject` sets
 * the header apart from the API, for registries that do one without the other); manifests with a
 * subject are still recorded, so switching the API on later lists them (as a registry upgrade
 * that indexes its existing manifests would).
 *
 * Only manifests pushed THROUGH the proxy are known to it. Binds 127.0.0.1 only.
 */
import {createHash} from 'node:crypto'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {OCI_INDEX_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE} from '@sigil/core'
import type {TestRegistry} from './registry.js'

/** Options of {@link startReferrersProxy}. */
export interface ReferrersProxyOptions {
  /** Serve the referrers API (default true); false emulates an old registry. */
  readonly referrersApi?: boolean
  /**
   * Send `OCI-Subject` on accepted manifest PUTs with a subject. Default: as `referrersApi`.
   * Set apart from it to emulate registries that serve the API without the header (or a
   * registry that claims the header without serving the API).
   */
  readonly ociSubject?: boolean
  /** Largest manifest PUT body buffered (default 4 MiB, the spec's usual limit); bigger ones get 413. */
  readonly maxManifestBytes?: number
  /** Timeout of each request to the registry (default 30000 ms); on expiry the client's connection is dropped. */
  readonly upstreamTimeoutMs?: number
}

/** One descriptor of a referrers response. */
export interface ReferrerDescriptor {
  readonly mediaType: string
  readonly digest: string
  readonly size: number
  readonly artifactType?: string
  readonly annotations?: Readonly<Record<string, string>>
}

/** A manifest with a `subject` that was pushed through the proxy. */
export interface RecordedReferrer {
  readonly repository: string
  /** The subject's digest. */
  readonly subject: string
  readonly descriptor: ReferrerDescriptor
}

/** One finished request: what the client asked and the status it got. */
export interface ProxyExchange {
  readonly method: string
  /** Path and query as the client sent them. */
  readonly path: string
  readonly status: number
}

/** A running referrers proxy. */
export interface ReferrersProxy {
  /** `127.0.0.1:PORT`: use as the registry host of references. */
  readonly host: string
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  /** `host:port` of the registry behind it. */
  readonly target: string
  /** `METHOD path` of every request received, in arrival order (like the bench's counting proxy). */
  readonly requests: string[]
  /** Every answered request with its status, in completion order. */
  readonly exchanges: ProxyExchange[]
  /** Every recorded manifest with a subject, in push order. */
  readonly recorded: readonly RecordedReferrer[]
  /** Return the `requests` so far and start counting afresh (clears `exchanges` too). */
  take(): string[]
  /** The descriptors the API would list for `repository` and `subject` (optionally filtered). */
  referrers(repository: string, subject: string, artifactType?: string): ReferrerDescriptor[]
  /** Whether the referrers API is served now. */
  readonly referrersApi: boolean
  /** Whether accepted manifest PUTs with a subject get `OCI-Subject` now. */
  readonly ociSubject: boolean
  /**
   * Turn the referrers API on or off for the following requests; `OCI-Subject` follows it unless
   * `ociSubject` is given.
   */
  setReferrersApi(enabled: boolean, options?: {readonly ociSubject?: boolean}): void
  /** Stop listening, drop open connections. Safe to call twice. */
  close(): Promise<void>
}

// Repository names and digests as the distribution spec defines them.
const NAME = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*'
const REFERRERS_PATH = new RegExp(`^/v2/(${NAME})/referrers/([^/]+)$`)
const MANIFEST_PATH = new RegExp(`^/v2/(${NAME})/manifests/([^/]+)$`)
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/
const KNOWN_DIGEST: Record<string, RegExp> = {sha256: /^[a-f0-9]{64}$/, sha512: /^[a-f0-9]{128}$/}

/** True for a well-formed digest (and, for sha256/sha512, the right hex length). */
export function isValidDigest(digest: string): boolean {
  if (!DIGEST.test(digest)) return false
  const [alg, hex] = [digest.slice(0, digest.indexOf(':')), digest.slice(digest.indexOf(':') + 1)]
  const rule = KNOWN_DIGEST[alg]
  return rule === undefined || rule.test(hex)
}

/** Query parameters without form decoding (`+` stays `+`, as in media types). */
function queryParams(query: string): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const part of query.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const [k, v] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)]
    try {
      out.push([decodeURIComponent(k), decodeURIComponent(v)])
    } catch {
      out.push([k, v])
    }
  }
  return out
}

function errorBody(code: string, message: string, detail?: unknown): string {
  return JSON.stringify({errors: [{code, message, detail: detail ?? null}]})
}

/** The descriptor a referrers response lists for a manifest, or undefined when it has no subject. */
export function referrerOf(
  body: Uint8Array,
  contentType: string | undefined,
  digestHeader: string | undefined,
): {subject: string; descriptor: ReferrerDescriptor} | undefined {
  let manifest: unknown
  try {
    manifest = JSON.parse(Buffer.from(body).toString('utf8'))
  } catch {
    return undefined
  }
  if (typeof manifest !== 'object' || manifest === null) return undefined
  const m = manifest as Record<string, unknown>
  const subject = m['subject'] as Record<string, unknown> | undefined
  if (typeof subject !== 'object' || subject === null || typeof subject['digest'] !== 'string') return undefined
  const mediaType =
    typeof m['mediaType'] === 'string' ? m['mediaType'] : (contentType?.split(';')[0]?.trim() ?? OCI_MANIFEST_MEDIA_TYPE)
  const config = m['config'] as Record<string, unknown> | undefined
  // Spec: the manifest's artifactType; if empty, for an image manifest the config's media type,
  // for an index nothing.
  let artifactType: string | undefined
  if (typeof m['artifactType'] === 'string' && m['artifactType'] !== '') artifactType = m['artifactType']
  else if (mediaType !== OCI_INDEX_MEDIA_TYPE && typeof config === 'object' && config !== null && typeof config['mediaType'] === 'string') {
    artifactType = config['mediaType']
  }
  const annotations = m['annotations']
  const digest =
    digestHeader !== undefined && isValidDigest(digestHeader) ? digestHeader : `sha256:${createHash('sha256').update(body).digest('hex')}`
  return {
    subject: subject['digest'],
    descriptor: {
      mediaType,
      digest,
      size: body.length,
      ...(artifactType === undefined ? {} : {artifactType}),
      ...(typeof annotations === 'object' && annotations !== null && Object.keys(annotations).length > 0
        ? {annotations: {...(annotations as Record<string, string>)}}
        : {}),
    },
  }
}

/**
 * Start a referrers-API proxy on 127.0.0.1 in front of `registry` (a {@link TestRegistry} or its
 * `host:port`; plain HTTP only). See the module comment for what it does. Always `close()` it
 * (before stopping the registry).
 */
export async function startReferrersProxy(registry: Pick<TestRegistry, 'host' | 'url'> | string, options: ReferrersProxyOptions = {}): Promise<ReferrersProxy> {
  if (typeof registry !== 'string' && !registry.url.startsWith('http://')) {
    throw new Error('startReferrersProxy: only a plain-HTTP registry is supported')
  }
  const target = typeof registry === 'string' ? registry : registry.host
  const colon = target.lastIndexOf(':')
  const targetHost = target.slice(0, colon)
  const targetPort = Number(target.slice(colon + 1))
  if (!/^127\.\d+\.\d+\.\d+$|^localhost$|^\[::1\]$/.test(targetHost) || !Number.isInteger(targetPort)) {
    throw new Error(`startReferrersProxy: the registry must be on loopback (host:port), got ${target}`)
  }
  const maxManifestBytes = options.maxManifestBytes ?? 4 * 1024 * 1024
  const upstreamTimeoutMs = options.upstreamTimeoutMs ?? 30_000
  let referrersApi = options.referrersApi ?? true
  let ociSubject = options.ociSubject ?? referrersApi
  const requests: string[] = []
  const exchanges: ProxyExchange[] = []
  const recorded: RecordedReferrer[] = []
  const agent = new http.Agent({keepAlive: true, maxSockets: 32})
  let proxyHost = ''

  const list = (repository: string, subject: string, artifactType?: string): ReferrerDescriptor[] =>
    recorded
      .filter((r) => r.repository === repository && r.subject === subject)
      .filter((r) => artifactType === undefined || r.descriptor.artifactType === artifactType)
      .map((r) => ({...r.descriptor}))

  const record = (repository: string, subject: string, descriptor: ReferrerDescriptor): void => {
    const at = recorded.findIndex((r) => r.repository === repository && r.descriptor.digest === descriptor.digest)
    if (at >= 0) recorded.splice(at, 1)
    recorded.push({repository, subject, descriptor})
  }

  const upstreamHeaders = (req: http.IncomingMessage, extra: Record<string, string> = {}): http.OutgoingHttpHeaders => {
    const headers: http.OutgoingHttpHeaders = {...req.headers, host: target, ...extra}
    delete headers['connection']
    delete headers['keep-alive']
    return headers
  }

  const downstreamHeaders = (up: http.IncomingMessage): http.OutgoingHttpHeaders => {
    const headers: http.OutgoingHttpHeaders = {...up.headers}
    delete headers['connection']
    delete headers['keep-alive']
    if (typeof headers.location === 'string') headers.location = headers.location.replace(`http://${target}`, `http://${proxyHost}`)
    return headers
  }

  /** Send one request to the registry; body buffered or piped from `req`. */
  const upstream = (
    req: http.IncomingMessage,
    method: string,
    path: string,
    headers: http.OutgoingHttpHeaders,
    body: Buffer | 'pipe' | undefined,
    onResponse: (up: http.IncomingMessage) => void,
    onError: () => void,
  ): void => {
    const up = http.request({host: targetHost, port: targetPort, method, path, headers, agent, timeout: upstreamTimeoutMs}, onResponse)
    up.on('timeout', () => up.destroy(new Error('upstream timeout')))
    up.on('error', onError)
    if (body === 'pipe') req.pipe(up)
    else up.end(body)
  }

  const passThrough = (req: http.IncomingMessage, res: http.ServerResponse, method: string, path: string): void => {
    upstream(
      req,
      method,
      path,
      upstreamHeaders(req),
      'pipe',
      (up) => {
        res.writeHead(up.statusCode ?? 502, downstreamHeaders(up))
        up.pipe(res)
      },
      () => res.destroy(),
    )
  }

  const tooLarge = (res: http.ServerResponse): void => {
    res.writeHead(413, {'content-type': 'application/json'})
    res.end(errorBody('MANIFEST_INVALID', `manifest larger than ${maxManifestBytes} bytes`))
  }

  const putManifest = (req: http.IncomingMessage, res: http.ServerResponse, path: string, repository: string): void => {
    const declared = Number(req.headers['content-length'] ?? NaN)
    if (declared > maxManifestBytes) {
      req.resume()
      tooLarge(res)
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let tooBig = false
    req.on('data', (chunk: Buffer) => {
      if (tooBig) return
      size += chunk.length
      if (size > maxManifestBytes) {
        tooBig = true
        chunks.length = 0
        return
      }
      chunks.push(chunk)
    })
    req.on('error', () => res.destroy())
    req.on('end', () => {
      if (tooBig) {
        tooLarge(res)
        return
      }
      const body = Buffer.concat(chunks)
      const headers = upstreamHeaders(req, {'content-length': String(body.length)})
      delete headers['transfer-encoding']
      upstream(
        req,
        'PUT',
        path,
        headers,
        body,
        (up) => {
          const out = downstreamHeaders(up)
          const status = up.statusCode ?? 502
          if (status >= 200 && status < 300) {
            const digestHeader = typeof up.headers['docker-content-digest'] === 'string' ? up.headers['docker-content-digest'] : undefined
            const contentType = typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : undefined
            const ref = referrerOf(body, contentType, digestHeader)
            if (ref !== undefined) {
              record(repository, ref.subject, ref.descriptor)
              if (ociSubject) out['oci-subject'] = ref.subject
            }
          }
          res.writeHead(status, out)
          up.pipe(res)
        },
        () => res.destroy(),
      )
    })
  }

  const deleteManifest = (req: http.IncomingMessage, res: http.ServerResponse, path: string, repository: string, reference: string): void => {
    upstream(
      req,
      'DELETE',
      path,
      upstreamHeaders(req),
      'pipe',
      (up) => {
        const status = up.statusCode ?? 502
        if (status >= 200 && status < 300) {
          for (let i = recorded.length - 1; i >= 0; i--) {
            const r = recorded[i]!
            if (r.repository === repository && r.descriptor.digest === reference) recorded.splice(i, 1)
          }
        }
        res.writeHead(status, downstreamHeaders(up))
        up.pipe(res)
      },
      () => res.destroy(),
    )
  }

  const getReferrers = (req: http.IncomingMessage, res: http.ServerResponse, method: string, repository: string, digest: string, query: string): void => {
    req.resume()
    if (!isValidDigest(digest)) {
      res.writeHead(400, {'content-type': 'application/json'})
      res.end(method === 'HEAD' ? undefined : errorBody('DIGEST_INVALID', 'provided digest did not match uploaded content', {digest}))
      return
    }
    const filters = queryParams(query).filter(([k]) => k === 'artifactType')
    const artifactType = filters.length > 0 ? filters[filters.length - 1]![1] : undefined
    // Access as the registry grants it: the client's Authorization on a HEAD of the subject.
    const auth: http.OutgoingHttpHeaders = {host: target, accept: `${OCI_MANIFEST_MEDIA_TYPE}, ${OCI_INDEX_MEDIA_TYPE}`}
    if (req.headers.authorization !== undefined) auth['authorization'] = req.headers.authorization
    upstream(
      req,
      'HEAD',
      `/v2/${repository}/manifests/${digest}`,
      auth,
      undefined,
      (up) => {
        up.resume()
        const status = up.statusCode ?? 502
        if (status === 401 || status === 403 || status >= 500) {
          const headers = downstreamHeaders(up)
          delete headers['content-length']
          delete headers['docker-content-digest']
          headers['content-type'] = 'application/json'
          res.writeHead(status, headers)
          res.end(method === 'HEAD' ? undefined : errorBody(status === 401 ? 'UNAUTHORIZED' : status === 403 ? 'DENIED' : 'UNKNOWN', 'access to the referrers of this repository was refused by the registry'))
          return
        }
        const body = Buffer.from(
          JSON.stringify({schemaVersion: 2, mediaType: OCI_INDEX_MEDIA_TYPE, manifests: list(repository, digest, artifactType)}),
        )
        res.writeHead(200, {
          'content-type': OCI_INDEX_MEDIA_TYPE,
          'content-length': String(body.length),
          'docker-distribution-api-version': 'registry/2.0',
          ...(artifactType === undefined ? {} : {'oci-filters-applied': 'artifactType'}),
        })
        res.end(method === 'HEAD' ? undefined : body)
      },
      () => res.destroy(),
    )
  }

  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET'
    const path = req.url ?? '/'
    requests.push(`${method} ${path}`)
    res.on('finish', () => exchanges.push({method, path, status: res.statusCode}))
    const q = path.indexOf('?')
    const pathname = q < 0 ? path : path.slice(0, q)
    const query = q < 0 ? '' : path.slice(q + 1)
    const referrers = REFERRERS_PATH.exec(pathname)
    if (referrers !== null && referrersApi && (method === 'GET' || method === 'HEAD')) {
      getReferrers(req, res, method, referrers[1]!, decodeURIComponent(referrers[2]!), query)
      return
    }
    const manifest = MANIFEST_PATH.exec(pathname)
    if (manifest !== null && method === 'PUT') {
      putManifest(req, res, path, manifest[1]!)
      return
    }
    if (manifest !== null && method === 'DELETE') {
      deleteManifest(req, res, path, manifest[1]!, decodeURIComponent(manifest[2]!))
      return
    }
    passThrough(req, res, method, path)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  proxyHost = `127.0.0.1:${(server.address() as AddressInfo).port}`
  let closed = false
  return {
    host: proxyHost,
    url: `http://${proxyHost}`,
    target,
    requests,
    exchanges,
    recorded,
    take() {
      exchanges.length = 0
      return requests.splice(0, requests.length)
    },
    referrers: list,
    get referrersApi() {
      return referrersApi
    },
    get ociSubject() {
      return ociSubject
    },
    setReferrersApi(enabled, opts = {}) {
      referrersApi = enabled
      ociSubject = opts.ociSubject ?? enabled
    },
    async close() {
      if (closed) return
      closed = true
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      agent.destroy()
    },
  }
}
