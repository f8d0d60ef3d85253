/** HTTP for the registry client: one transport with retries, timeouts, safe redirects and byte limits. */
export {HttpTransport} from './transport.js'
export type {HttpRequest, HttpResponse, HttpTransportOptions, RequestEvent} from './transport.js'
export {ResponseHeaders, rateLimitOf} from './headers.js'
export type {RateLimitInfo} from './headers.js'
export {parseRetryAfter} from './retry.js'
export type {RetryOptions} from './retry.js'
export {networkErrorCode} from './network-error.js'
export {useExtraCaCertificates} from './extra-ca.js'
