#!/usr/bin/env node
// `sigil admission serve` under load, on loopback, beside a do-nothing HTTPS server (same
// certificate, same keep-alive client, same AdmissionReview bodies) started in the same run:
//   1. warm (cached) latency at a fixed rate (open loop, default 200 requests/s): p50/p99/max;
//   2. most AdmissionReviews/s (closed loop, 64 in flight);
//   3. cold cost: one review of a newly signed image (legacy .sig), its registry requests, and
//      the same requests replayed in verify's 3 round trips with a bare HTTP client (the floor);
//   4. 100 concurrent cold reviews of one new image: how many verifications (tag resolutions).
// Usage: node bench/admission.mjs [rate=200] [seconds=10]   (after pnpm build; not a test)
//   BENCH_ROUNDS=N: the two servers take turns N times (pooled percentiles, p99 of each round).
import {spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import {cpus, tmpdir} from 'node:os'
import {join} from 'node:path'
import {SIGIL, countingProxy, loadKits, run} from './lib.mjs'

const rate = Number(process.argv[2] ?? 200)
const seconds = Number(process.argv[3] ?? 10)
const {servers, oci} = await loadKits()
const registry = await servers.startRegistry()
const proxy = await countingProxy(registry.host)
const client = new oci.RegistryClient()
const dir = mkdtempSync(join(tmpdir(), 'sigil-admission-bench-'))
const env = {COSIGN_PASSWORD: 'bench', HOME: dir, SIGIL_CACHE_DIR: join(dir, 'cache'), SIGIL_DATA_DIR: join(dir, 'data')}
const children = []

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}
const fmt = (ms) => `${ms.toFixed(2)} ms`
/** A process's CPU time so far (user + system, ms), from /proc; 0 where there is none. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 // utime, stime in USER_HZ (100)
  } catch {
    return 0
  }
}

/** Start a server process; resolves with its https URL once it prints "listening on URL". */
function startProcess(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {cwd: dir, env: {...process.env, ...env}, stdio: ['ignore', 'ignore', 'pipe']})
    children.push(child)
    let log = ''
    child.stderr.on('data', (d) => {
      log += d
      const m = /listening on (https:\S+)/.exec(log)
      if (m) resolve(new URL(m[1]))
    })
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${log}`)))
  })
}

// The do-nothing server: reads the body, answers "allowed" for its uid. Nothing else.
const NOOP = `
const https = require('node:https'); const fs = require('node:fs')
const s = https.createServer({cert: fs.readFileSync('tls/tls.crt'), key: fs.readFileSync('tls/tls.key'), minVersion: 'TLSv1.2'}, (req, res) => {
  const chunks = []; req.on('data', (c) => chunks.push(c)); req.on('end', () => {
    const uid = JSON.parse(Buffer.concat(chunks).toString()).request.uid
    const body = JSON.stringify({apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: {uid, allowed: true}})
    res.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)}); res.end(body)
  })
})
s.keepAliveTimeout = 65000
s.listen(0, '127.0.0.1', () => process.stderr.write('listening on https://127.0.0.1:' + s.address().port + '\\n'))
`

let ca
const agent = new https.Agent({keepAlive: true, maxSockets: 64})
let uid = 0
function review(url, image) {
  const body = JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {uid: `u${++uid}`, kind: {group: '', version: 'v1', kind: 'Pod'}, operation: 'CREATE', namespace: 'bench', object: {spec: {containers: [{name: 'app', image}]}}},
  })
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const req = https.request(new URL('/validate', url), {method: 'POST', agent, ca, headers: {'content-type': 'application/json'}}, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const ms = performance.now() - t0
        const r = JSON.parse(Buffer.concat(chunks).toString()).response
        resolve({ms, allowed: r.allowed, message: r.status?.message})
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Open loop: one request every 1000/rate ms for `seconds`, whatever the answers do. */
async function fixedRate(url, image) {
  const n = rate * seconds
  const gap = 1000 / rate
  const start = performance.now()
  const pending = []
  for (let i = 0; i < n; i++) {
    const due = start + i * gap
    const wait = due - performance.now()
    if (wait > 1) await new Promise((r) => setTimeout(r, wait))
    pending.push(review(url, image))
  }
  const rs = await Promise.all(pending)
  if (!rs.every((r) => r.allowed)) throw new Error(`denied under load: ${rs.find((r) => !r.allowed).message}`)
  const ms = rs.map((r) => r.ms)
  // BENCH_SLOW_MS=N: when (s into the run) the answers slower than N ms were sent, to see where a tail comes from.
  const slow = Number(process.env.BENCH_SLOW_MS ?? 0)
  if (slow > 0) console.log(`  slower than ${slow} ms, sent at (s): ${rs.flatMap((r, i) => (r.ms > slow ? [((i * gap) / 1000).toFixed(2)] : [])).join(' ')}`)
  return {ms, p50: pct(ms, 50), p99: pct(ms, 99), max: Math.max(...ms), achieved: n / ((performance.now() - start) / 1000)}
}

/** Closed loop: `inFlight` clients back to back for `seconds`. */
async function throughput(url, image, inFlight = 64) {
  const end = performance.now() + seconds * 1000
  let done = 0
  await Promise.all(
    Array.from({length: inFlight}, async () => {
      while (performance.now() < end) {
        await review(url, image)
        done++
      }
    }),
  )
  return done / seconds
}

async function newSignedImage(name) {
  await servers.pushRandomImage(client, {registry: registry.host, repository: `bench/${name}`}, 'v1')
  const ref = `${proxy.host}/bench/${name}:v1`
  const s = await run(SIGIL, ['sign', '--key', 'k.key', ref], {cwd: dir, env})
  if (s.code !== 0) throw new Error(s.stderr)
  proxy.take()
  return ref
}

/**
 * The recorded requests again with a bare keep-alive HTTP client, in verify's round trips:
 * the tag, then the referrers index and the .sig manifest together, then the blob.
 */
async function replay(requests) {
  const plain = new http.Agent({keepAlive: true})
  const get = (line) =>
    new Promise((resolve, reject) => {
      const [method, path] = line.split(' ')
      const req = http.request(`http://${proxy.host}${path}`, {method, agent: plain, headers: {accept: '*/*'}}, (res) => {
        res.resume()
        res.on('end', resolve)
      })
      req.on('error', reject)
      req.end()
    })
  const together = requests.filter((l) => l.includes('/manifests/sha256-'))
  const rounds = [requests.filter((l) => !together.includes(l) && !l.includes('/blobs/')), together, requests.filter((l) => l.includes('/blobs/'))]
  const t0 = performance.now()
  for (const round of rounds) await Promise.all(round.map(get))
  return performance.now() - t0
}

try {
  await run(SIGIL, ['generate-key-pair', '--output-key-prefix', 'k'], {cwd: dir, env})
  await run(SIGIL, ['admission', 'certs', '--service', 'bench', '--namespace', 'bench', '--host', '127.0.0.1', '--output-dir', 'tls'], {cwd: dir, env})
  ca = readFileSync(join(dir, 'tls', 'ca.crt'))
  const pem = readFileSync(join(dir, 'k.pub'), 'utf8').trim().split('\n').map((l) => `          ${l}`).join('\n')
  mkdirSync(join(dir, 'policies'))
  writeFileSync(
    join(dir, 'policies', 'p.yaml'),
    `apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nmetadata:\n  name: bench\nspec:\n  images:\n    - glob: "${proxy.host}/bench/**"\n  authorities:\n    - key:\n        data: |\n${pem}\n`,
  )
  // BENCH_NODE_FLAGS="--max-semi-space-size=16": node flags for the sigil server only.
  const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)
  const sigilUrl = await startProcess([...nodeFlags, ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), SIGIL, 'admission', 'serve', '--policy', 'policies', '--tls-cert-file', 'tls/tls.crt', '--tls-private-key-file', 'tls/tls.key', '--listen', '127.0.0.1:0'])
  const noopUrl = await startProcess(['-e', NOOP])
  console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); ${rate} requests/s for ${seconds} s; client, servers and registry on this machine${nodeFlags.length ? `; sigil server flags: ${nodeFlags.join(' ')}` : ''}`)

  const warmImage = await newSignedImage('warm')
  const first = await review(sigilUrl, warmImage)
  if (!first.allowed) throw new Error(`not admitted: ${first.message}`)
  const targets = [['do-nothing HTTPS', noopUrl], ['sigil admission', sigilUrl]]
  for (const [, url] of targets) for (let i = 0; i < 200; i++) await review(url, warmImage) // warm up connections and JIT
  // The machine is shared: the two servers take turns, BENCH_ROUNDS rounds of `seconds` each,
  // so that a noisy neighbour hits both alike; the pooled percentiles are over every round.
  const rounds = Number(process.env.BENCH_ROUNDS ?? 1)
  const pids = new Map([['sigil admission', children[0].pid], ['do-nothing HTTPS', children[1].pid]])
  const warm = new Map(targets.map(([name]) => [name, {ms: [], p99s: [], achieved: [], cpuMs: 0}]))
  for (let r = 0; r < rounds; r++) {
    for (const [name, url] of r % 2 === 0 ? targets : [...targets].reverse()) {
      const cpu0 = cpuMs(pids.get(name))
      const w = await fixedRate(url, warmImage)
      const acc = warm.get(name)
      acc.cpuMs += cpuMs(pids.get(name)) - cpu0
      acc.ms.push(...w.ms)
      acc.p99s.push(w.p99)
      acc.achieved.push(w.achieved)
    }
  }
  for (const [name, url] of targets) {
    const {ms, p99s, achieved, cpuMs: used} = warm.get(name)
    const t = await throughput(url, warmImage)
    const each = rounds > 1 ? ` [p99 per round: ${p99s.map((x) => x.toFixed(2)).join(', ')}]` : ''
    const cpu = used > 0 ? `, server CPU ${((used * 1000) / ms.length).toFixed(0)} µs/review` : ''
    console.log(`${name.padEnd(18)} warm at ${rate}/s: p50 ${fmt(pct(ms, 50))}, p99 ${fmt(pct(ms, 99))}, max ${fmt(Math.max(...ms))} (sent ${Math.min(...achieved).toFixed(0)}/s)${cpu}${each}; max ${t.toFixed(0)} reviews/s (64 in flight)`)
  }

  const colds = []
  for (let i = 0; i < 10; i++) {
    const ref = await newSignedImage(`cold${i}`)
    const r = await review(sigilUrl, ref)
    if (!r.allowed) throw new Error(r.message)
    const made = proxy.take()
    colds.push({ms: r.ms, requests: made.length, floor: await replay(made)})
    proxy.take()
  }
  const med = (k) => pct(colds.map((c) => c[k]), 50)
  console.log(
    `cold review (legacy .sig, 10 images): median ${fmt(med('ms'))}, ${med('requests')} registry requests; the same requests replayed in 3 round trips: ${fmt(med('floor'))}; cost above the floor: ${fmt(med('ms') - med('floor'))}`,
  )

  const hot = await newSignedImage('hot')
  const all = await Promise.all(Array.from({length: 100}, () => review(sigilUrl, hot)))
  const made = proxy.take()
  console.log(
    `100 concurrent cold reviews of one new image: ${all.filter((r) => r.allowed).length} admitted, ${made.filter((l) => l.includes('/manifests/v1')).length} tag resolution(s), ${made.length} registry requests in all; slowest ${fmt(Math.max(...all.map((r) => r.ms)))}`,
  )
} finally {
  for (const c of children) c.kill('SIGTERM')
  agent.destroy()
  await proxy.close()
  await registry.stop()
  rmSync(dir, {recursive: true, force: true})
}
