/**
 * A small in-memory OCI registry on a loopback node:http server, with optional Basic or
 * token (Bearer) auth, for unit tests that need protocol behaviour the real docker-registry
 * cannot be made to show (token flows, scope games, broken answers via `override`).
 */
import {createHash, randomUUID} from 'node:crypto'
import type {ServerResponse} from 'node:http'
import {registryErrorBody, sendJson, startWireServer, type WireRequest, type WireServer} from './wire-server.js'

export type FakeAuth =
  | {kind: 'basic'; username: string; password: string}
  | {
      kind: 'bearer'
      /** user → password accepted by the token endpoint (Basic). */
      users?: Record<string, string>
      /** refresh token → user, for the OAuth2 POST flow. */
      refreshTokens?: Record<string, string>
      /** Actions granted to `user` (undefined = anonymous) on `repo`; default: all requested. */
      grant?: (user: string | undefined, repo: string, requested: string[]) => string[]
      /** `expires_in` in token answers; undefined = omitted. */
      expiresIn?: number
      /** Answer 404 to POST /token (GET-only token server). */
      noPost?: boolean
    }

export interface FakeRegistryOptions {
  auth?: FakeAuth
  /** Runs before the registry logic; return true when it answered the request itself. */
  override?: (req: WireRequest, res: ServerResponse) => boolean | Promise<boolean>
}

export interface FakeRegistry {
  readonly server: WireServer
  readonly host: string
  readonly url: string
  /** Registry requests (not token requests). */
  registryRequests(): WireRequest[]
  /** Requests to /token. */
  tokenRequests(): WireRequest[]
  readonly manifests: Map<string, {bytes: Buffer; mediaType: string}>
  readonly blobs: Map<string, Buffer>
  close(): Promise<void>
}

const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`

export async function startFakeRegistry(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const manifests = new Map<string, {bytes: Buffer; mediaType: string}>() // key `${repo}@${ref}`
  const blobs = new Map<string, Buffer>()
  const tokens = new Map<string, {access: Map<string, Set<string>>; expires: number}>()
  const uploads = new Set<string>()
  let realm = ''

  const challenge = (res: ServerResponse, repo: string, actions: string[], error?: string): void => {
    const auth = options.auth!
    const header =
      auth.kind === 'basic'
        ? 'Basic realm="fake"'
        : `Bearer realm="${realm}",service="fake-registry",scope="repository:${repo}:${actions.join(',')}"${error ? `,error="${error}"` : ''}`
    sendJson(res, 401, registryErrorBody('UNAUTHORIZED', 'authentication required'), {'www-authenticate': header})
  }

  /** True if authorized; otherwise answers 401 itself. */
  const authorize = (req: WireRequest, res: ServerResponse, repo: string, actions: string[]): boolean => {
    const auth = options.auth
    if (auth === undefined) return true
    const header = req.headers.authorization ?? ''
    if (auth.kind === 'basic') {
      const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
      if (header === expected) return true
      challenge(res, repo, actions)
      return false
    }
    if (!header.startsWith('Bearer ')) {
      challenge(res, repo, actions)
      return false
    }
    const t = tokens.get(header.slice(7))
    if (t === undefined || t.expires < Date.now()) {
      challenge(res, repo, actions, 'invalid_token')
      return false
    }
    const have = t.access.get(repo) ?? new Set()
    if (!actions.every((a) => have.has(a))) {
      challenge(res, repo, actions, 'insufficient_scope')
      return false
    }
    return true
  }

  const issueToken = (req: WireRequest, res: ServerResponse): void => {
    const auth = options.auth
    if (auth?.kind !== 'bearer') return void res.writeHead(404).end()
    let user: string | undefined
    let params: URLSearchParams
    if (req.method === 'POST') {
      if (auth.noPost) return void res.writeHead(404).end('not found')
      params = new URLSearchParams(req.body.toString())
      if (params.get('grant_type') !== 'refresh_token') return void sendJson(res, 400, {error: 'unsupported_grant_type'})
      user = auth.refreshTokens?.[params.get('refresh_token') ?? '']
      if (user === undefined) return void sendJson(res, 401, {details: 'invalid refresh token'})
    } else {
      params = new URL(req.url, 'http://x').searchParams
      const header = req.headers.authorization
      if (header !== undefined) {
        const [u, p] = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString().split(':')
        const known = {...auth.users, ...Object.fromEntries(Object.entries(auth.refreshTokens ?? {}).map(([t, u2]) => [u2, t]))}
        if (u === undefined || known[u] !== p) return void sendJson(res, 401, {details: 'incorrect username or password'})
        user = u
      }
    }
    const scopes = req.method === 'POST' ? (params.get('scope') ?? '').split(' ') : params.getAll('scope')
    const access = new Map<string, Set<string>>()
    for (const s of scopes.filter(Boolean)) {
      const [, name, acts] = /^repository:(.+):([^:]*)$/.exec(s) ?? []
      if (name === undefined) continue
      const requested = (acts ?? '').split(',').filter(Boolean)
      access.set(name, new Set(auth.grant ? auth.grant(user, name, requested) : requested))
    }
    const token = `tok-${randomUUID()}`
    tokens.set(token, {access, expires: Date.now() + (auth.expiresIn ?? 300) * 1000})
    const body: Record<string, unknown> = req.method === 'POST' ? {access_token: token} : {token}
    if (auth.expiresIn !== undefined) body['expires_in'] = auth.expiresIn
    sendJson(res, 200, body)
  }

  const server = await startWireServer(async (req, res) => {
    if (options.override && (await options.override(req, res))) return
    const url = new URL(req.url, 'http://x')
    if (url.pathname === '/token') return issueToken(req, res)
    const m = /^\/v2\/(.+)\/(manifests|blobs|tags)\/(.*)$/.exec(url.pathname)
    if (m === null) return void res.writeHead(404).end()
    const [, repo, kind, rest] = m as unknown as [string, string, string, string]
    const actions = req.method === 'GET' || req.method === 'HEAD' ? ['pull'] : req.method === 'DELETE' ? ['delete'] : ['pull', 'push']
    if (!authorize(req, res, repo, actions)) return

    if (kind === 'manifests') {
      const key = `${repo}@${rest}`
      if (req.method === 'PUT') {
        const digest = sha256(req.body)
        const entry = {bytes: req.body, mediaType: req.headers['content-type'] ?? ''}
        manifests.set(key, entry)
        manifests.set(`${repo}@${digest}`, entry)
        return void res.writeHead(201, {'docker-content-digest': digest, location: `/v2/${repo}/manifests/${digest}`}).end()
      }
      const entry = manifests.get(key)
      if (entry === undefined) return sendJson(res, 404, registryErrorBody('MANIFEST_UNKNOWN', 'manifest unknown'))
      if (req.method === 'DELETE') {
        for (const [k, v] of manifests) if (v === entry) manifests.delete(k)
        return void res.writeHead(202).end()
      }
      res.writeHead(200, {
        'content-type': entry.mediaType,
        'content-length': String(entry.bytes.length),
        'docker-content-digest': sha256(entry.bytes),
      })
      return void res.end(req.method === 'HEAD' ? undefined : entry.bytes)
    }
    if (kind === 'blobs' && rest === 'uploads/' && req.method === 'POST') {
      const id = randomUUID()
      uploads.add(id)
      return void res.writeHead(202, {location: `/v2/${repo}/blobs/uploads/${id}?_state=a%2Bb%3D`, 'docker-upload-uuid': id}).end()
    }
    if (kind === 'blobs' && rest.startsWith('uploads/') && req.method === 'PUT') {
      const id = rest.slice('uploads/'.length)
      if (!uploads.delete(id)) return sendJson(res, 404, registryErrorBody('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown'))
      if (url.searchParams.get('_state') !== 'a+b=') return sendJson(res, 400, registryErrorBody('BLOB_UPLOAD_INVALID', 'bad state'))
      const digest = url.searchParams.get('digest') ?? ''
      if (sha256(req.body) !== digest) return sendJson(res, 400, registryErrorBody('DIGEST_INVALID', 'digest mismatch'))
      blobs.set(digest, req.body)
      return void res.writeHead(201, {'docker-content-digest': digest, location: `/v2/${repo}/blobs/${digest}`}).end()
    }
    if (kind === 'blobs') {
      const blob = blobs.get(rest)
      if (blob === undefined) return sendJson(res, 404, registryErrorBody('BLOB_UNKNOWN', 'blob unknown to registry'))
      res.writeHead(200, {'content-length': String(blob.length), 'docker-content-digest': rest, 'content-type': 'application/octet-stream'})
      return void res.end(req.method === 'HEAD' ? undefined : blob)
    }
    if (kind === 'tags' && rest === 'list') {
      const tags = [...manifests.keys()].filter((k) => k.startsWith(`${repo}@`) && !k.includes('sha256:')).map((k) => k.slice(repo.length + 1))
      return sendJson(res, 200, {name: repo, tags})
    }
    res.writeHead(405).end()
  })
  realm = `${server.url}/token`
  return {
    server,
    host: server.host,
    url: server.url,
    registryRequests: () => server.requests.filter((r) => !r.url.startsWith('/token')),
    tokenRequests: () => server.requests.filter((r) => r.url.startsWith('/token')),
    manifests,
    blobs,
    close: () => server.close(),
  }
}
