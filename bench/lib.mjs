// Shared bench plumbing: a real registry, a counting loopback proxy in front of it, and
// runners for the built sigil binary and the real cosign (offline).
import {spawn} from 'node:child_process'
import http from 'node:http'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
export const SIGIL = `${root}apps/cli/bin/run.js`

export async function loadKits() {
  const servers = await import(`${root}packages/test-servers/dist/index.js`)
  const oci = await import(`${root}packages/oci/dist/index.js`)
  return {servers, oci}
}

/** A loopback proxy that forwards to `target` (host:port) and records every request. */
export async function countingProxy(target) {
  const [host, port] = target.split(':')
  const log = []
  const server = http.createServer((req, res) => {
    log.push(`${req.method} ${req.url}`)
    const up = http.request({host, port: Number(port), method: req.method, path: req.url, headers: {...req.headers, host: target}}, (r) => {
      const headers = {...r.headers}
      // Registry Location headers are absolute (http://target/...): keep clients on the proxy.
      if (headers.location) headers.location = headers.location.replace(`http://${target}`, `http://${proxyHost}`)
      res.writeHead(r.statusCode ?? 502, headers)
      r.pipe(res)
    })
    up.on('error', () => res.destroy())
    req.pipe(up)
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const proxyHost = `127.0.0.1:${server.address().port}`
  return {
    host: proxyHost,
    take() {
      return log.splice(0, log.length)
    },
    close: () => new Promise((r) => server.close(r)),
  }
}

/** The environment that keeps the real AWS and Google clients on the loopback KMS servers, with `dir` as HOME. */
export function kmsEnv(servers, aws, gcp, dir) {
  return {
    ...servers.AWS_OFFLINE_ENV,
    AWS_ENDPOINT_URL_KMS: aws.endpoint,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS: `${gcp.endpoint}/`,
    METADATA_SERVER_DETECTION: 'none',
    GCE_METADATA_HOST: '127.0.0.1:9',
    HOME: dir,
    CLOUDSDK_CONFIG: dir,
  }
}

export function run(cmd, args, {cwd, env, input} = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint()
    const merged = {...process.env, ...env}
    for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k] // `{VAR: undefined}` unsets VAR
    const child = spawn(cmd, args, {cwd, env: merged, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout, stderr, ms: Number(process.hrtime.bigint() - t0) / 1e6}))
    child.stdin.on('error', () => undefined) // a program that never reads its input (git) may close it first
    child.stdin.end(input ?? '')
  })
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
