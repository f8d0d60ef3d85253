/**
 * A loopback Amazon ECR API: a node:http server speaking the ECR JSON 1.1 protocol
 * (`POST /`, `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>`,
 * `application/x-amz-json-1.1`), so the real `@aws-sdk/client-ecr` can be tested offline.
 *
 * Implemented: GetAuthorizationToken, answering a token (`base64("AWS:" + password)`) that a
 * test registry started with `htpasswd: {username: 'AWS', password}` accepts. Requests must
 * carry a SigV4 `Authorization` header for service `ecr` and the server's region. Errors use
 * AWS's shape (`400 {"__type": "AccessDeniedException", "message": …}`).
 */
import {randomUUID} from 'node:crypto'
import http from 'node:http'
import type {AddressInfo} from 'node:net'

const TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.'
const MAX_BODY = 64 * 1024

/** Options of {@link startEcrServer}. */
export interface EcrServerOptions {
  /** The region the server pretends to be in; requests signed for another region fail. Default `us-east-1`. */
  readonly region?: string
  /** The registry password the token carries (user `AWS`). Can be changed later with `setPassword`. */
  readonly password: string
  /** The registry host for `proxyEndpoint` (`https://<registryHost>`). Default `<accountId>.dkr.ecr.<region>.amazonaws.com`. */
  readonly registryHost?: string
  /** Account id (the default registry id). Default `123456789012`. */
  readonly accountId?: string
  /** Token lifetime: `expiresAt` = now + this. Default 12 hours, as ECR. */
  readonly tokenTtlSeconds?: number
  /** Answer GetAuthorizationToken with AccessDeniedException. Default false; see `setAccessDenied`. */
  readonly accessDenied?: boolean
}

/** One request the server received. */
export interface EcrRequest {
  /** The operation, e.g. `GetAuthorizationToken` (the `X-Amz-Target` suffix). */
  readonly target: string
  /** Parsed JSON body. */
  readonly body: Record<string, unknown>
  /** Region, service and access key id from the SigV4 credential scope. */
  readonly signingRegion?: string
  readonly signingService?: string
  readonly accessKeyId?: string
  /** HTTP status answered. */
  status: number
  /** `__type` of the error answered, if any. */
  errorType?: string
  /** `expiresAt` answered (epoch seconds), for successful token requests. */
  expiresAt?: number
}

/** A running loopback ECR API. */
export interface EcrTestServer {
  /** `http://127.0.0.1:PORT`: the SDK `endpoint`, or `AWS_ENDPOINT_URL_ECR`. */
  readonly endpoint: string
  readonly region: string
  readonly accountId: string
  /** The registry host named in `proxyEndpoint`. */
  readonly registryHost: string
  /** Every request, in order. */
  readonly requests: EcrRequest[]
  /** Number of requests for `target` (all when omitted). */
  count(target?: string): number
  /** Change the password carried by tokens issued from now on. */
  setPassword(password: string): void
  /** Change the lifetime of tokens issued from now on. */
  setTokenTtl(seconds: number): void
  /** Refuse (true) or allow (false) GetAuthorizationToken from now on. */
  setAccessDenied(denied: boolean): void
  close(): Promise<void>
}

class AwsFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message)
  }
}

/** Start a loopback ECR API on 127.0.0.1 (random port). */
export async function startEcrServer(options: EcrServerOptions): Promise<EcrTestServer> {
  const region = options.region ?? 'us-east-1'
  const accountId = options.accountId ?? '123456789012'
  const registryHost = options.registryHost ?? `${accountId}.dkr.ecr.${region}.amazonaws.com`
  let password = options.password
  let ttl = options.tokenTtlSeconds ?? 12 * 3600
  let denied = options.accessDenied ?? false
  const requests: EcrRequest[] = []

  const handlers: Record<string, (body: Record<string, unknown>, record: EcrRequest) => Record<string, unknown>> = {
    GetAuthorizationToken(body, record) {
      if (denied) {
        throw new AwsFault(
          'AccessDeniedException',
          `User: arn:aws:iam::${accountId}:user/test is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action`,
        )
      }
      const ids = body.registryIds
      if (ids !== undefined && (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || !/^\d{12}$/.test(id)))) {
        throw new AwsFault('InvalidParameterException', "Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must satisfy regular expression pattern: [0-9]{12}'")
      }
      const expiresAt = Math.floor(Date.now() / 1000) + ttl
      record.expiresAt = expiresAt
      const token = Buffer.from(`AWS:${password}`).toString('base64')
      const registries = Array.isArray(ids) && ids.length > 0 ? (ids as string[]) : [accountId]
      return {
        authorizationData: registries.map((id) => ({
          authorizationToken: token,
          expiresAt,
          proxyEndpoint: `https://${id === accountId ? registryHost : `${id}.dkr.ecr.${region}.amazonaws.com`}`,
        })),
      }
    },
  }

  function respond(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body)
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
    })
    res.end(text)
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY) req.destroy()
      else chunks.push(chunk)
    })
    req.on('end', () => {
      const authorization = req.headers.authorization
      const scope = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
        authorization ?? '',
      )
      const rawTarget = String(req.headers['x-amz-target'] ?? '')
      const target = rawTarget.startsWith(TARGET_PREFIX) ? rawTarget.slice(TARGET_PREFIX.length) : rawTarget
      const record: EcrRequest = {
        target,
        body: {},
        signingRegion: scope?.[3],
        signingService: scope?.[4],
        accessKeyId: scope?.[1],
        status: 200,
      }
      requests.push(record)
      try {
        let body: Record<string, unknown>
        try {
          const text = Buffer.concat(chunks).toString('utf8')
          body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
          ;(record as {body: Record<string, unknown>}).body = body
        } catch {
          throw new AwsFault('SerializationException', 'request body is not JSON')
        }
        if (req.method !== 'POST' || (req.url ?? '/') !== '/') throw new AwsFault('UnknownOperationException', `${req.method} ${req.url}`, 404)
        if (!authorization) throw new AwsFault('MissingAuthenticationTokenException', 'Missing Authentication Token')
        if (!scope || !/(^|;)host(;|$)/.test(scope[5] ?? '') || !req.headers['x-amz-date']) {
          throw new AwsFault('IncompleteSignatureException', 'Authorization header requires a SigV4 Credential, SignedHeaders (with host) and Signature, and an X-Amz-Date header')
        }
        if (scope[4] !== 'ecr') throw new AwsFault('InvalidSignatureException', `Credential should be scoped to correct service: 'ecr'.`)
        if (scope[3] !== region) throw new AwsFault('InvalidSignatureException', `Credential should be scoped to a valid region. (expected ${region}, got ${scope[3]})`)
        if (!String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1')) {
          throw new AwsFault('UnknownOperationException', 'content-type must be application/x-amz-json-1.1')
        }
        const handler = Object.hasOwn(handlers, target) ? handlers[target] : undefined
        if (!rawTarget.startsWith(TARGET_PREFIX) || !handler) throw new AwsFault('UnknownOperationException', `unknown operation ${rawTarget}`)
        respond(res, 200, handler(body, record))
      } catch (err) {
        const fault = err instanceof AwsFault ? err : new AwsFault('ServerException', (err as Error).message, 500)
        record.status = fault.status
        record.errorType = fault.type
        respond(res, fault.status, {__type: fault.type, message: fault.message})
      }
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    accountId,
    registryHost,
    requests,
    count: (target?: string) => requests.filter((r) => target === undefined || r.target === target).length,
    setPassword(next: string) {
      password = next
    },
    setTokenTtl(seconds: number) {
      ttl = seconds
    },
    setAccessDenied(next: boolean) {
      denied = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
