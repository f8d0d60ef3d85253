/**
 * The webhook's HTTPS server: `POST /validate` and `POST /mutate` (AdmissionReview v1),
 * `GET /healthz`, `/readyz`, `/metrics`. Every request gets an HTTP answer — oversized, non-JSON
 * and malformed bodies included, read to their end so the client sees it — and every decision
 * is made within the internal deadline. Policies and the certificate are re-read on change; a
 * bad new version is refused and the one in force stays.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import type {Server} from 'node:https'
import type {AddressInfo} from 'node:net'
import {Decider} from './decide.js'
import type {DeciderOptions, PolicySet, ReviewDecision} from './decide.js'
import {readAll, watchFiles} from './files.js'
import type {FileText} from './files.js'
import {AdmissionMetrics} from './metrics.js'
import {mergePolicies} from './policy.js'
import {BadReviewError, parseAdmissionReview} from './review.js'

/** Options of {@link startAdmissionServer}. */
export interface AdmissionServerOptions extends Omit<DeciderOptions, 'policies' | 'metrics'> {
  readonly host: string
  /** 0 picks a free port. */
  readonly port: number
  readonly tlsCertFile: string
  readonly tlsKeyFile: string
  /** Policy files and directories. */
  readonly policyPaths: readonly string[]
  /** Largest AdmissionReview accepted; larger ones get 413. Default 8 MiB. */
  readonly maxBodyBytes?: number
  /** How often files are checked for changes. Default 2000 ms. */
  readonly reloadIntervalMs?: number
  /** One line per event worth a log (denials, reloads, refusals). Never secrets. */
  readonly log?: (line: string) => void
}

/** A running server. */
export interface AdmissionServer {
  readonly port: number
  readonly url: string
  readonly metrics: AdmissionMetrics
  /** The policies in force. */
  policies(): PolicySet
  /** Check the watched files now (tests; the timer does it otherwise). */
  reload(): Promise<void>
  /** Stop accepting, answer what is in flight, close. */
  close(): Promise<void>
}

/** Beyond the limit, a body is still read (so the 413 arrives) up to this much, then the connection is dropped. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024
const TLS_MIN = 'TLSv1.2' as const
const KNOWN_PATHS: ReadonlySet<string> = new Set(['/validate', '/mutate', '/healthz', '/readyz', '/metrics'])
const JSON_TYPE = 'application/json'

type Body = {ok: true; bytes: Buffer} | {ok: false; status: 413}

/**
 * A request header (lower-case name) from the raw list: `req.headers` is built on first use, a
 * cost per request the warm path does not need to pay.
 */
function header(req: IncomingMessage, name: string): string | undefined {
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === name.length && raw[i]!.toLowerCase() === name) return raw[i + 1]
  return undefined
}

function readBody(req: IncomingMessage, max: number): Promise<Body> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let over = Number(header(req, 'content-length') ?? 0) > max
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > max) over = true
      if (!over) chunks.push(c)
      else chunks.length = 0
      if (size > DRAIN_LIMIT_BYTES) req.destroy()
    })
    req.on('end', () => resolve(over ? {ok: false, status: 413} : {ok: true, bytes: Buffer.concat(chunks)}))
    // Dropped past the drain limit (or by the client): nobody is left to answer.
    req.on('close', () => resolve({ok: false, status: 413}))
    req.on('error', reject)
  })
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, {'content-type': type, 'content-length': Buffer.byteLength(body)})
  res.end(body)
}

function base64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64')
}

/** The AdmissionReview answering `uid`. */
export function reviewResponse(uid: string, decision: ReviewDecision, mutate: boolean): unknown {
  const response: Record<string, unknown> = {uid, allowed: decision.allowed}
  if (!decision.allowed) response.status = {code: 403, reason: 'Forbidden', message: decision.message}
  if (decision.warnings.length > 0) response.warnings = decision.warnings
  if (mutate && decision.allowed && decision.patch.length > 0) {
    response.patchType = 'JSONPatch'
    response.patch = base64(JSON.stringify(decision.patch))
  }
  return {apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response}
}

/** The TLS options of the certificate and key files' texts; throws when they do not make a pair. */
function tlsPair(files: readonly FileText[]): {cert: string; key: string; minVersion: typeof TLS_MIN} {
  const [cert, key] = files.map((f) => f.text) as [string, string]
  const pair = {cert, key, minVersion: TLS_MIN}
  process.getBuiltinModule('node:tls').createSecureContext(pair)
  return pair
}

/** Start the webhook server. Throws (PolicyError, a TLS error) when the first load fails. */
export async function startAdmissionServer(options: AdmissionServerOptions): Promise<AdmissionServer> {
  const log = options.log ?? (() => undefined)
  const metrics = new AdmissionMetrics()
  const maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024
  const interval = options.reloadIntervalMs ?? 2000
  const settle = Math.min(200, Math.max(20, interval / 4))

  const policyFiles = readAll(options.policyPaths)
  let policySet: PolicySet = {generation: 1, policies: mergePolicies(policyFiles)}
  const tlsFiles = readAll([options.tlsCertFile, options.tlsKeyFile])
  const tls = tlsPair(tlsFiles)
  let ready = true

  const decider = new Decider({...options, policies: () => policySet, metrics})

  const server: Server = process.getBuiltinModule('node:https').createServer(tls, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`internal error: ${(err as Error)?.message ?? String(err)}`)
      if (!res.headersSent) send(res, 500, 'internal error\n')
      else res.destroy()
    })
  })
  server.requestTimeout = 60_000
  server.headersTimeout = 20_000
  server.keepAliveTimeout = 65_000

  // One frozen label set per (path, status): the request counter makes its text once.
  const requestLabels = new Map<string, Map<number, Readonly<Record<string, string>>>>()
  const countRequest = (path: string, status: number) => {
    const known = KNOWN_PATHS.has(path) ? path : 'other'
    let byStatus = requestLabels.get(known)
    if (byStatus === undefined) requestLabels.set(known, (byStatus = new Map()))
    let labels = byStatus.get(status)
    if (labels === undefined) byStatus.set(status, (labels = Object.freeze({path: known, code: String(status)})))
    metrics.requests.inc(labels)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/'
    const query = url.indexOf('?')
    const path = query < 0 ? url : url.slice(0, query)
    const answer = (status: number, body: string, type?: string) => {
      countRequest(path, status)
      send(res, status, body, type)
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      req.resume()
      if (path === '/healthz') return answer(200, 'ok\n')
      if (path === '/readyz') return ready ? answer(200, 'ok\n') : answer(503, 'not ready\n')
      if (path === '/metrics') return answer(200, metrics.text(), 'text/plain; version=0.0.4; charset=utf-8')
    }
    const mutate = path === '/mutate'
    if (req.method !== 'POST' || (path !== '/validate' && !mutate)) {
      await readBody(req, 0)
      return answer(404, 'not found: POST /validate, POST /mutate, GET /healthz, /readyz, /metrics\n')
    }
    const body = await readBody(req, maxBody)
    if (!body.ok) return answer(413, `request body over ${maxBody} bytes\n`)
    const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase()
    if (type !== 'application/json') return answer(415, `Content-Type must be application/json (got ${JSON.stringify(type)})\n`)
    let parsed: unknown
    try {
      parsed = JSON.parse(body.bytes.toString('utf8'))
    } catch {
      return answer(400, 'the body is not JSON\n')
    }
    let review
    try {
      review = parseAdmissionReview(parsed)
    } catch (err) {
      if (err instanceof BadReviewError) return answer(400, `bad AdmissionReview: ${err.message}\n`)
      throw err
    }
    const decision = await decider.decideReview(review)
    if (!decision.allowed) log(`denied ${review.operation} ${review.kind} ${review.namespace ?? ''}/${review.name ?? ''}${review.dryRun ? ' (dry run)' : ''}: ${decision.message}`)
    answer(200, JSON.stringify(reviewResponse(review.uid, decision, mutate)), JSON_TYPE)
  }

  const policyWatch = watchFiles(
    options.policyPaths,
    policyFiles,
    (files: FileText[]) => {
      try {
        policySet = {generation: policySet.generation + 1, policies: mergePolicies(files)}
        metrics.policyReloads.inc({result: 'ok'})
        log(`policies reloaded: ${policySet.policies.map((p) => p.name).join(', ') || 'none'} (generation ${policySet.generation})`)
      } catch (err) {
        metrics.policyReloads.inc({result: 'refused'})
        log(`policies not reloaded, the previous ones stay in force: ${(err as Error).message}`)
      }
    },
    {intervalMs: interval, settleMs: settle, onError: (err) => log(`policies not re-read: ${(err as Error).message}`)},
  )
  const tlsWatch = watchFiles(
    [options.tlsCertFile, options.tlsKeyFile],
    tlsFiles,
    (files) => {
      try {
        server.setSecureContext(tlsPair(files))
        log('TLS certificate reloaded')
      } catch (err) {
        log(`TLS certificate not reloaded, the previous one stays in use: ${(err as Error).message}`)
      }
    },
    {intervalMs: interval, settleMs: settle, onError: (err) => log(`TLS files not re-read: ${(err as Error).message}`)},
  )

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.on('error', (err) => log(`server error: ${err.message}`))
  server.on('tlsClientError', () => undefined) // a client that gives up mid-handshake is its own problem
  const port = (server.address() as AddressInfo).port
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host
  return {
    port,
    url: `https://${hostForUrl}:${port}`,
    metrics,
    policies: () => policySet,
    reload: async () => {
      await policyWatch.check()
      await tlsWatch.check()
    },
    close: async () => {
      ready = false
      policyWatch.stop()
      tlsWatch.stop()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      })
    },
  }
}
