/**
 * One keep-alive agent per scheme for the whole process. Idle sockets are unref'd, so they never
 * keep the process running. node:https (and TLS) is loaded on the first HTTPS request: loopback
 * registries never need it.
 */
import {Agent as HttpAgent, request as httpRequest} from 'node:http'
import type {Agent as HttpsAgent} from 'node:https'
import type {Socket} from 'node:net'
import {ociError, redactUrl} from '../error.js'
import {caOption} from './extra-ca.js'

/**
 * Idle keep-alive sockets are closed after this long (or earlier when the server announces a
 * shorter `Keep-Alive: timeout=`), so a request rarely meets a socket the server already dropped.
 */
const FREE_SOCKET_TIMEOUT_MS = 4000

/**
 * Idle sockets must never hold the process open. Node's default `keepSocketAlive()` already
 * unrefs a socket it pools (and `reuseSocket()` refs it again); this makes the guarantee ours,
 * not an implementation detail. Runs after the agent's own 'free' handler, so it only touches a
 * socket that actually went to the free pool (not one handed straight to a queued request).
 */
function keepAliveAgent<A extends HttpAgent>(agent: A): A {
  agent.on('free', (socket: Socket) => {
    if (Object.values(agent.freeSockets).some((pool) => pool?.includes(socket))) socket.unref()
  })
  return agent
}

const AGENT_OPTIONS = {keepAlive: true, timeout: FREE_SOCKET_TIMEOUT_MS} as const
const httpAgent = keepAliveAgent(new HttpAgent(AGENT_OPTIONS))
let httpsAgent: HttpsAgent | undefined
let httpsRequest: typeof httpRequest | undefined

/** `request` and agent for a URL's scheme. */
export function transportFor(url: URL): {request: typeof httpRequest; agent: HttpAgent} {
  if (url.protocol === 'http:') return {request: httpRequest, agent: httpAgent}
  if (url.protocol !== 'https:') throw ociError('REGISTRY_PROTOCOL', `unsupported URL scheme ${url.protocol} in ${redactUrl(url.href)}`)
  if (httpsAgent === undefined || httpsRequest === undefined) {
    const https = process.getBuiltinModule('node:https')
    // Certificates are always verified: `insecure` only allows plain HTTP (transport-policy.ts).
    httpsAgent = keepAliveAgent(new https.Agent({...AGENT_OPTIONS, ...caOption()}))
    httpsRequest = https.request as typeof httpRequest
  }
  return {request: httpsRequest, agent: httpsAgent}
}
