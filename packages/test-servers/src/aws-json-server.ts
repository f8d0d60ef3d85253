/**
 * The transport shared by the loopback AWS services in this kit (KMS, ECR): AWS's JSON 1.1
 * protocol — `POST /` with `X-Amz-Target: <Prefix>.<Operation>`, a JSON body, SigV4
 * `Authorization` scoped to the service and region — and AWS-shaped errors
 * (`{"__type", "message"}`). Each service supplies only its operations.
 */
import {randomUUID} from 'node:crypto'
import http from 'node:http'
import type {AddressInfo} from 'node:net'

/** Thrown by an operation (or a gate); becomes an AWS error response. */
export class AwsFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message)
  }
}

/** One request, as the service saw it. */
export interface AwsJsonRequest {
  /** The operation, e.g. `Sign` (the `X-Amz-Target` suffix). */
  readonly target: string
  /** Parsed JSON body. */
  readonly body: Record<string, unknown>
  /** The raw `Authorization` header (a SigV4 signature; holds no secret). */
  readonly authorization?: string
  /** Region, service and access key id from the SigV4 credential scope. */
  readonly signingRegion?: string
  readonly signingService?: string
  readonly accessKeyId?: string
  /** HTTP status answered. */
  status: number
  /** `__type` of the error answered, if any. */
  errorType?: string
}

/** How one loopback AWS service is put together. */
export interface AwsJsonServiceOptions<R extends AwsJsonRequest> {
  /** SigV4 service name the credential scope must name (`kms`, `ecr`). */
  readonly service: string
  /** `X-Amz-Target` prefix, dot included (`TrentService.`). */
  readonly targetPrefix: string
  /** The region the service pretends to be in. */
  readonly region: string
  /** `__type` of unexpected failures (`KMSInternalException`, `ServerException`). */
  readonly internalErrorType: string
  /** Largest request body accepted. Default 1 MiB. */
  readonly maxBody?: number
  /** Operations by name. They may add fields to the request record. */
  readonly operations: Readonly<Record<string, (body: Record<string, unknown>, record: R) => unknown>>
  /** Runs after authentication, before the operation (throttling, denials): throw an AwsFault to refuse. */
  readonly gate?: (target: string) => void
}

/** A running loopback AWS JSON 1.1 service. */
export interface AwsJsonService<R extends AwsJsonRequest> {
  readonly endpoint: string
  readonly host: string
  readonly requests: R[]
  close(): Promise<void>
}

const SIGV4 = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/

function respond(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  })
  res.end(text)
}

/** Start `options` on 127.0.0.1 (random port). */
export async function startAwsJsonService<R extends AwsJsonRequest>(options: AwsJsonServiceOptions<R>): Promise<AwsJsonService<R>> {
  const requests: R[] = []
  const maxBody = options.maxBody ?? 1024 * 1024
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBody) req.destroy()
      else chunks.push(chunk)
    })
    req.on('end', () => {
      const authorization = req.headers.authorization
      const scope = SIGV4.exec(authorization ?? '')
      const rawTarget = String(req.headers['x-amz-target'] ?? '')
      const target = rawTarget.startsWith(options.targetPrefix) ? rawTarget.slice(options.targetPrefix.length) : rawTarget
      const record = {
        target,
        body: {},
        authorization,
        signingRegion: scope?.[3],
        signingService: scope?.[4],
        accessKeyId: scope?.[1],
        status: 200,
      } as unknown as R
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
        if (scope[4] !== options.service) throw new AwsFault('InvalidSignatureException', `Credential should be scoped to correct service: '${options.service}'.`)
        if (scope[3] !== options.region) {
          throw new AwsFault('InvalidSignatureException', `Credential should be scoped to a valid region. (expected ${options.region}, got ${scope[3]})`)
        }
        if (!String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1')) {
          throw new AwsFault('UnknownOperationException', 'content-type must be application/x-amz-json-1.1')
        }
        const operation = Object.hasOwn(options.operations, target) ? options.operations[target] : undefined
        if (!rawTarget.startsWith(options.targetPrefix) || !operation) throw new AwsFault('UnknownOperationException', `unknown operation ${rawTarget}`)
        options.gate?.(target)
        respond(res, 200, operation(body, record))
      } catch (err) {
        const fault = err instanceof AwsFault ? err : new AwsFault(options.internalErrorType, (err as Error).message, 500)
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
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
