import http from 'node:http'
import type {AddressInfo} from 'node:net'

/** What the proxy does with one request. */
export type Fault =
  | {readonly kind: 'pass'}
  /** Answer with this status/body instead of forwarding. */
  | {readonly kind: 'respond'; readonly status: number; readonly body?: string | Uint8Array; readonly headers?: Record<string, string>}
  /** Forward, but replace the upstream body with these bytes (headers kept, length fixed up). */
  | {readonly kind: 'replace-body'; readonly body: string | Uint8Array}
  /** Accept the request and never answer. */
  | {readonly kind: 'hang'}
  /** Drop the connection without a response. */
  | {readonly kind: 'reset'}

/** A loopback proxy in front of a real registry that injects faults by rule. */
export interface FaultProxy {
  /** `127.0.0.1:PORT`: use as the registry host. */
  readonly host: string
  /** `METHOD path` of every request seen, in order. */
  readonly requests: string[]
  /** Set the rule for the following requests (default: pass everything). */
  setRule(rule: (method: string, path: string) => Fault): void
  close(): Promise<void>
}

/**
 * Start a fault-injecting proxy for `target` (`host:port` of a real registry). Registry
 * `Location` headers are rewritten to stay on the proxy.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const [targetHost, targetPort] = target.split(':') as [string, string]
  let rule: (method: string, path: string) => Fault = () => ({kind: 'pass'})
  const requests: string[] = []
  const hung = new Set<http.ServerResponse>()
  let host = ''
  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET'
    const path = req.url ?? '/'
    requests.push(`${method} ${path}`)
    const fault = rule(method, path)
    if (fault.kind === 'respond') {
      req.resume()
      res.writeHead(fault.status, {'content-type': 'application/json', ...fault.headers})
      res.end(fault.body ?? '')
      return
    }
    if (fault.kind === 'hang') {
      req.resume()
      hung.add(res)
      return
    }
    if (fault.kind === 'reset') {
      req.socket.destroy()
      return
    }
    const upstream = http.request(
      {host: targetHost, port: Number(targetPort), method, path, headers: {...req.headers, host: target}},
      (up) => {
        const headers = {...up.headers}
        if (typeof headers.location === 'string') headers.location = headers.location.replace(`http://${target}`, `http://${host}`)
        if (fault.kind === 'replace-body') {
          up.resume()
          const body = typeof fault.body === 'string' ? Buffer.from(fault.body) : Buffer.from(fault.body)
          headers['content-length'] = String(body.length)
          res.writeHead(up.statusCode ?? 502, headers)
          res.end(body)
          return
        }
        res.writeHead(up.statusCode ?? 502, headers)
        up.pipe(res)
      },
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    host,
    requests,
    setRule(next) {
      rule = next
    },
    async close() {
      for (const res of hung) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
