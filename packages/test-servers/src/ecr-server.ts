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
import {AwsFault, startAwsJsonService} from './aws-json-server.js'
import type {AwsJsonRequest} from './aws-json-server.js'

const TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.'
const PUBLIC_TARGET_PREFIX = 'SpencerFrontendService.'
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
  /**
   * Be the ECR *Public* API instead (SigV4 service `ecr-public`, target prefix
   * `SpencerFrontendService.`, always us-east-1, one `authorizationData` object). Default false.
   */
  readonly public?: boolean
}

/** One request the server received. */
export interface EcrRequest extends AwsJsonRequest {
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


/** Start a loopback ECR API on 127.0.0.1 (random port). */
export async function startEcrServer(options: EcrServerOptions): Promise<EcrTestServer> {
  const isPublic = options.public ?? false
  const region = isPublic ? 'us-east-1' : (options.region ?? 'us-east-1')
  const accountId = options.accountId ?? '123456789012'
  const registryHost = options.registryHost ?? `${accountId}.dkr.ecr.${region}.amazonaws.com`
  let password = options.password
  let ttl = options.tokenTtlSeconds ?? 12 * 3600
  let denied = options.accessDenied ?? false

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
      if (isPublic) return {authorizationData: {authorizationToken: token, expiresAt}}
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

  const service = await startAwsJsonService<EcrRequest>({
    service: isPublic ? 'ecr-public' : 'ecr',
    targetPrefix: isPublic ? PUBLIC_TARGET_PREFIX : TARGET_PREFIX,
    region,
    internalErrorType: 'ServerException',
    maxBody: MAX_BODY,
    operations: handlers,
  })
  const requests = service.requests
  return {
    endpoint: service.endpoint,
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
    close: () => service.close(),
  }
}
