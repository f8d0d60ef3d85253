/**
 * A loopback token server for the distribution registry's `auth.token` mode (like Docker Hub's
 * auth.docker.io or ghcr.io/token), issuing ES256 JWTs the real registry validates. Keys and a
 * self-signed cert are made with `openssl req -x509` at start-up; the JWT header carries both
 * `x5c` and the libtrust `kid` of that cert. See docs/toolchain.md for the registry's rules.
 */
import {execFileSync} from 'node:child_process'
import {createHash, createPrivateKey, randomBytes, sign, timingSafeEqual, X509Certificate, type KeyObject} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** Repository name (literal, `team/app`) → actions granted (`pull`, `push`, `delete`, `*`). */
export type TokenAccess = Readonly<Record<string, readonly string[]>>

/** Options of {@link startTokenServer}. */
export interface StartTokenServerOptions {
  /** `service` = the JWT `aud`. Default `test-registry`. */
  readonly service?: string
  /** `iss`. Default `sigil-test-issuer`. */
  readonly issuer?: string
  /** Users (Basic auth at the token endpoint) and what each may do. */
  readonly users?: Readonly<Record<string, {readonly password: string; readonly access: TokenAccess}>>
  /** What a request without credentials gets (Docker Hub: pull on public repositories). Default nothing. */
  readonly anonymous?: TokenAccess
  /** Token lifetime. Default 300 s. */
  readonly expiresInS?: number
}

/** One token request, as the server saw it. */
export interface TokenRequest {
  readonly method: string
  /** `basic` (GET with credentials), `anonymous`, `refresh_token` or `password` (POST forms). */
  readonly grant: 'basic' | 'anonymous' | 'refresh_token' | 'password'
  /** The authenticated user, if any. */
  readonly user?: string
  readonly service?: string
  /** Requested scopes, one string each (`repository:team/app:pull,push`). */
  readonly scopes: string[]
  readonly status: number
}

/** A running token server. */
export interface TokenServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  /** The token endpoint (`<url>/token`): the registry's `realm`. */
  readonly realm: string
  readonly service: string
  readonly issuer: string
  /** PEM cert of the signing key: the registry's `rootcertbundle`. */
  readonly certPath: string
  /** The libtrust key ID of the signing key (the JWT `kid`). */
  readonly kid: string
  /** Every token request so far (count them to check client caching). */
  readonly requests: TokenRequest[]
  /** A refresh token (docker's `identitytoken`) for `user`, accepted by the POST form. */
  issueRefreshToken(user: string): string
  /** Sign a token directly (e.g. an expired one: `issuedAt` minutes ago). */
  issueToken(opts: {access: TokenAccess; subject?: string; issuedAt?: number; expiresInS?: number; audience?: string}): string
  stop(): Promise<void>
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url')

/** libtrust key ID: SHA-256 of the DER SubjectPublicKeyInfo, 30 bytes, base32 (no padding), `:` every 4 chars. */
export function libtrustKeyId(spkiDer: Buffer): string {
  const bytes = createHash('sha256').update(spkiDer).digest().subarray(0, 30)
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31]
  return out.match(/.{4}/g)!.join(':')
}

/** `repository:team/app:pull,push` → {type, name, actions}; the name may not hold `:` here. */
function parseScope(scope: string): {type: string; name: string; actions: string[]} | undefined {
  const first = scope.indexOf(':')
  const last = scope.lastIndexOf(':')
  if (first === -1 || first === last) return undefined
  return {type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter(Boolean)}
}

function grant(scopes: string[], access: TokenAccess): Array<{type: string; name: string; actions: string[]}> {
  const out: Array<{type: string; name: string; actions: string[]}> = []
  for (const s of scopes) {
    const p = parseScope(s)
    if (p === undefined || p.type !== 'repository') continue
    const allowed = access[p.name] ?? []
    const actions = allowed.includes('*') ? p.actions : p.actions.filter((a) => allowed.includes(a))
    if (actions.length > 0) out.push({type: 'repository', name: p.name, actions})
  }
  return out
}

const safeEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Start the token server on `127.0.0.1:<free port>`. Always `stop()` it. */
export async function startTokenServer(options: StartTokenServerOptions = {}): Promise<TokenServer> {
  const service = options.service ?? 'test-registry'
  const issuer = options.issuer ?? 'sigil-test-issuer'
  const users = options.users ?? {}
  const lifetime = options.expiresInS ?? 300
  const dir = mkdtempSync(join(tmpdir(), 'sigil-token-server-'))
  const keyPath = join(dir, 'key.pem')
  const certPath = join(dir, 'cert.pem')
  let key: KeyObject
  let cert: X509Certificate
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=sigil-test-issuer', '-keyout', keyPath, '-out', certPath],
      {stdio: ['ignore', 'ignore', 'pipe']},
    )
    key = createPrivateKey(readFileSync(keyPath))
    cert = new X509Certificate(readFileSync(certPath))
  } catch (err) {
    rmSync(dir, {recursive: true, force: true})
    throw new Error(`could not create the token server's key with openssl: ${(err as Error).message}`)
  }
  const kid = libtrustKeyId(cert.publicKey.export({type: 'spki', format: 'der'}))
  const header = b64url(JSON.stringify({typ: 'JWT', alg: 'ES256', kid, x5c: [cert.raw.toString('base64')]}))
  const refreshTokens = new Map<string, string>()
  const requests: TokenRequest[] = []

  const issueToken: TokenServer['issueToken'] = (opts) => {
    const iat = Math.floor((opts.issuedAt ?? Date.now()) / 1000)
    const claims = {
      iss: issuer,
      sub: opts.subject ?? '',
      aud: opts.audience ?? service,
      exp: iat + (opts.expiresInS ?? lifetime),
      nbf: iat - 1,
      iat,
      jti: randomBytes(12).toString('hex'),
      access: Object.entries(opts.access).map(([name, actions]) => ({type: 'repository', name, actions: [...actions]})),
    }
    const input = `${header}.${b64url(JSON.stringify(claims))}`
    // ES256 in a JWS is raw r‖s (64 bytes), not DER.
    return `${input}.${b64url(sign('sha256', Buffer.from(input), {key, dsaEncoding: 'ieee-p1363'}))}`
  }

  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, {'content-type': 'application/json'})
    res.end(JSON.stringify(body))
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (url.pathname !== '/token') return reply(res, 404, {details: 'not found'})
    let params = url.searchParams
    let scopes = params.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean)
    let user: string | undefined
    let grantType: TokenRequest['grant'] = 'anonymous'
    const record = (status: number): void => {
      requests.push({method: req.method ?? '', grant: grantType, ...(user === undefined ? {} : {user}), service: params.get('service') ?? undefined, scopes, status})
    }
    if (req.method === 'POST') {
      const chunks: Buffer[] = []
      for await (const c of req) chunks.push(c as Buffer)
      params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
      scopes = (params.get('scope') ?? '').split(' ').filter(Boolean)
      const type = params.get('grant_type')
      if (type === 'refresh_token') {
        grantType = 'refresh_token'
        user = refreshTokens.get(params.get('refresh_token') ?? '')
        if (user === undefined) {
          record(401)
          return reply(res, 401, {details: 'invalid refresh token'})
        }
      } else if (type === 'password') {
        grantType = 'password'
        const u = params.get('username') ?? ''
        if (users[u] === undefined || !safeEqual(users[u].password, params.get('password') ?? '')) {
          record(401)
          return reply(res, 401, {details: 'incorrect username or password'})
        }
        user = u
      } else {
        record(400)
        return reply(res, 400, {details: `unsupported grant_type ${type ?? ''}`})
      }
    } else if (req.method === 'GET') {
      const authz = req.headers.authorization ?? ''
      const m = /^basic\s+(.+)$/i.exec(authz)
      if (m) {
        grantType = 'basic'
        const decoded = Buffer.from(m[1]!, 'base64').toString('utf8')
        const colon = decoded.indexOf(':')
        const u = decoded.slice(0, colon)
        if (colon === -1 || users[u] === undefined || !safeEqual(users[u].password, decoded.slice(colon + 1))) {
          record(401)
          return reply(res, 401, {details: 'incorrect username or password'})
        }
        user = u
      }
    } else {
      return reply(res, 405, {details: 'method not allowed'})
    }
    const access = user === undefined ? (options.anonymous ?? {}) : users[user]!.access
    const granted = grant(scopes, access)
    const token = issueToken({access: Object.fromEntries(granted.map((g) => [g.name, g.actions])), subject: user ?? ''})
    const body: Record<string, unknown> = {token, access_token: token, expires_in: lifetime, issued_at: new Date().toISOString()}
    if (user !== undefined && req.method === 'GET' && params.get('offline_token') === 'true') body['refresh_token'] = issueRefreshToken(user)
    record(200)
    reply(res, 200, body)
  }

  const issueRefreshToken = (user: string): string => {
    const t = randomBytes(24).toString('base64url')
    refreshTokens.set(t, user)
    return t
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => reply(res, 500, {details: String(err)}))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('token server has no port')
  const url = `http://127.0.0.1:${address.port}`
  let stopped = false
  return {
    url,
    realm: `${url}/token`,
    service,
    issuer,
    certPath,
    kid,
    requests,
    issueRefreshToken,
    issueToken,
    stop: async () => {
      if (stopped) return
      stopped = true
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
