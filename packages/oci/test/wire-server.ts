/**
 * A loopback HTTP server for unit tests: fakes a registry at the wire (no module mocks).
 * Not a test file itself; imported by the tests under src/.
 */
import {createServer, type IncomingHttpHeaders, type Server, type ServerResponse} from 'node:http'
import {createServer as createTcpServer, type AddressInfo, type Socket} from 'node:net'
import {afterEach} from 'vitest'

/** A request the server received, body fully read. */
export interface WireRequest {
  readonly method: string
  /** Path and query as sent. */
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

export interface WireServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  /** `127.0.0.1:PORT` */
  readonly host: string
  readonly port: number
  /** Everything received, in order. */
  readonly requests: WireRequest[]
  /** TCP connections accepted so far (keep-alive reuse shows as fewer connections than requests). */
  readonly connections: number
  /** The underlying server. */
  readonly server: Server
  close(): Promise<void>
}

export type WireHandler = (req: WireRequest, res: ServerResponse) => unknown

/** Start a server on 127.0.0.1 with a random port. */
export async function startWireServer(handler: WireHandler): Promise<WireServer> {
  const requests: WireRequest[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const wire: WireRequest = {method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks)}
      requests.push(wire)
      Promise.resolve(handler(wire, res)).catch((err: unknown) => {
        res.statusCode = 599
        res.end(String(err))
      })
    })
  })
  let connections = 0
  server.on('connection', () => connections++)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    requests,
    get connections() {
      return connections
    },
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** `serve(handler)` for one test file: every server it starts is closed after each test. */
export function wireServers(): (handler: WireHandler) => Promise<WireServer> {
  const servers: WireServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()))
  })
  return async (handler) => {
    const s = await startWireServer(handler)
    servers.push(s)
    return s
  }
}

/** A loopback TCP server that accepts connections, reads what is sent and never answers. */
export interface SilentServer {
  /** `127.0.0.1:PORT` */
  readonly host: string
  /** Connections accepted so far. */
  connections(): number
  close(): Promise<void>
}

/** Start a {@link SilentServer} on 127.0.0.1 with a random port. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>()
  const server = createTcpServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.resume()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A loopback port with nothing listening (bound, then released). */
export async function unusedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Send a JSON body. */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(value))
  res.writeHead(status, {'content-type': 'application/json', 'content-length': String(body.length), ...headers})
  res.end(body)
}

/** The distribution error body shape. */
export function registryErrorBody(code: string, message: string): {errors: {code: string; message: string}[]} {
  return {errors: [{code, message}]}
}
