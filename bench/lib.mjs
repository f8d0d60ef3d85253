// Shared bench plumbing: a real registry, a counting loopback proxy in front of it, and
// runners for the built sigil binary and the real cosign (offline).
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import http from 'node:http'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
export const SIGIL = `${root}apps/cli/bin/run.js`

const TIME = '/usr/bin/time'

/** Exit at once (1) when /usr/bin/time is missing: the benches that measure peak memory need it. */
export function requireTime() {
  if (!existsSync(TIME)) {
    console.error('/usr/bin/time not found: apt-get install time')
    process.exit(1)
  }
}

/**
 * `run` under `/usr/bin/time -v`: its result, with the peak resident memory in KiB ("Maximum
 * resident set size", NaN when absent) and the program's exit status (time's "Exit status").
 */
export async function runTimed(argv, options) {
  const r = await run(TIME, ['-v', ...argv], options)
  const rssKiB = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN)
  const exit = Number(/Exit status: (\d+)/.exec(r.stderr)?.[1] ?? r.code)
  return {...r, rssKiB, exit}
}

/** The real cosign (SIGIL_COSIGN or the fetched one); exits 1 when there is none. */
export function requireCosign(servers) {
  const cosign = servers.findCosign()
  if (!cosign) {
    console.error('cosign not found: run scripts/fetch-cosign.sh first')
    process.exit(1)
  }
  return cosign
}

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
    ...servers.GCP_OFFLINE_ENV,
    AWS_ENDPOINT_URL_KMS: aws.endpoint,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS: `${gcp.endpoint}/`,
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
