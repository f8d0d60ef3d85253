#!/usr/bin/env node
// Sign and verify through a registry that fails 20% of requests, sigil next to the real
// cosign 2.5: 500, 503, 429 with Retry-After: 1, connection resets, bodies cut short after
// their headers, 2 s delays (one sixth each, from a fixed seed). Issue 14's goal: ≥ 29/30 signs
// and ≥ 29/30 verifies succeed, no wrong outcome, no signature lost.
//  - sign: 30 fresh images signed under faults; then, with faults off, each image a sign
//    reported done must verify (else "lost"), and failed signs must leave a readable tag.
//  - verify: 30 images signed with faults off, verified under faults; exit 0 is right, a clean
//    registry error (exit 1) is a failure, anything else ("no signatures", a crash) is wrong.
// Usage: node bench/faults.mjs [rounds=30] [rate=0.2]   (after scripts/setup.sh)
import http from 'node:http'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {SIGIL, loadKits, requireCosign, run} from './lib.mjs'

const rounds = Number(process.argv[2] ?? 30)
const rate = Number(process.argv[3] ?? 0.2)
const {servers, oci} = await loadKits()
const cosign = requireCosign(servers)

const KINDS = ['500', '503', '429', 'reset', 'truncate', 'delay']
async function faultyProxy(target, seed) {
  const [thost, tport] = target.split(':')
  const random = servers.seededRandom(seed)
  const state = {on: false, counts: Object.fromEntries(KINDS.map((k) => [k, 0])), requests: 0}
  let self = ''
  const forward = (req, res, body, truncate) => {
    const up = http.request({host: thost, port: Number(tport), method: req.method, path: req.url, headers: {...req.headers, host: target}}, (r) => {
      const headers = {...r.headers}
      if (headers.location) headers.location = headers.location.replace(`http://${target}`, `http://${self}`)
      if (!truncate) {
        res.writeHead(r.statusCode ?? 502, headers)
        r.pipe(res)
        return
      }
      const chunks = []
      r.on('data', (c) => chunks.push(c))
      r.on('end', () => {
        const all = Buffer.concat(chunks)
        headers['content-length'] = String(all.length)
        delete headers['transfer-encoding']
        res.writeHead(r.statusCode ?? 502, headers)
        if (all.length > 1) res.write(all.subarray(0, all.length >> 1))
        setTimeout(() => res.socket?.destroy(), 20)
      })
    })
    up.on('error', () => res.destroy())
    up.end(body)
  }
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      state.requests++
      const kind = state.on && random() < rate ? KINDS[Math.floor(random() * KINDS.length)] : undefined
      if (kind) state.counts[kind]++
      const json = {'content-type': 'application/json'}
      switch (kind) {
        case '500':
        case '503':
          res.writeHead(Number(kind), json)
          res.end('{"errors":[{"code":"UNKNOWN","message":"injected"}]}')
          return
        case '429':
          res.writeHead(429, {...json, 'retry-after': '1'})
          res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"injected"}]}')
          return
        case 'reset':
          req.socket.destroy()
          return
        case 'delay':
          setTimeout(() => forward(req, res, body, false), 2000)
          return
        default:
          forward(req, res, body, kind === 'truncate')
      }
    })
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  self = `127.0.0.1:${server.address().port}`
  return {host: self, state, close: () => new Promise((r) => server.close(r))}
}

const registry = await servers.startRegistry()
const proxy = await faultyProxy(registry.host, 0x14)
const client = new oci.RegistryClient()
const dir = mkdtempSync(join(tmpdir(), 'sigil-faults-'))
const env = {COSIGN_PASSWORD: 'bench', HOME: join(dir, 'home'), SIGIL_DATA_DIR: join(dir, 'data')}
const flags = {
  sign: ['--tlog-upload=false', '--yes', '--allow-http-registry'],
  verify: ['--insecure-ignore-tlog=true', '--offline=true', '--allow-http-registry'],
}
const exec = (tool, op, image) => {
  const key = op === 'sign' ? 'cosign.key' : 'cosign.pub'
  return tool === 'sigil'
    ? run(process.execPath, [SIGIL, op, '--key', key, image], {cwd: dir, env})
    : servers.runCosign([op, '--key', key, ...flags[op], image], {cwd: dir, env, timeoutMs: 300_000})
}
const result = {}
try {
  const g = await servers.runCosign(['generate-key-pair'], {cwd: dir, env})
  if (g.code !== 0) throw new Error(g.stderr)
  for (const tool of ['sigil', 'cosign']) {
    const r = (result[tool] = {sign: {ok: 0, failed: 0, wrong: 0, lost: 0}, verify: {ok: 0, failed: 0, wrong: 0}, notes: []})
    const before = Object.values(proxy.state.counts).reduce((a, b) => a + b, 0)
    // Sign phase.
    const signed = []
    for (let i = 0; i < rounds; i++) {
      const repository = `bench/faults-${tool}-sign-${i}`
      await servers.pushRandomImage(client, {registry: registry.host, repository}, 'v1')
      const image = `${proxy.host}/${repository}:v1`
      proxy.state.on = true
      const s = await exec(tool, 'sign', image)
      proxy.state.on = false
      if (s.code === 0) {
        r.sign.ok++
        signed.push(image)
      } else if (s.code === 1 && !/\n\s+at /.test(s.stderr)) {
        r.sign.failed++
        r.notes.push(`sign ${i}: ${s.stderr.trim().split('\n').pop()?.slice(0, 140)}`)
      } else {
        r.sign.wrong++
        r.notes.push(`sign ${i} (exit ${s.code}): ${s.stderr.trim().slice(0, 200)}`)
      }
    }
    for (const image of signed) {
      const v = await exec('sigil', 'verify', image)
      if (v.code !== 0) r.sign.lost++
    }
    // Verify phase.
    for (let i = 0; i < rounds; i++) {
      const repository = `bench/faults-${tool}-verify-${i}`
      await servers.pushRandomImage(client, {registry: registry.host, repository}, 'v1')
      const image = `${proxy.host}/${repository}:v1`
      const s = await exec(tool, 'sign', image)
      if (s.code !== 0) throw new Error(`clean sign failed: ${s.stderr}`)
      proxy.state.on = true
      const v = await exec(tool, 'verify', image)
      proxy.state.on = false
      if (v.code === 0) r.verify.ok++
      else if (v.code === 1 && !/no signatures|no matching signatures|\n\s+at /.test(v.stderr)) {
        r.verify.failed++
        r.notes.push(`verify ${i}: ${v.stderr.trim().split('\n').pop()?.slice(0, 140)}`)
      } else {
        r.verify.wrong++
        r.notes.push(`verify ${i} (exit ${v.code}): ${v.stderr.trim().slice(0, 200)}`)
      }
    }
    r.injected = Object.values(proxy.state.counts).reduce((a, b) => a + b, 0) - before
  }
} finally {
  await proxy.close()
  await registry.stop()
  rmSync(dir, {recursive: true, force: true})
}
console.log(`${rounds} rounds per tool and operation, ${Math.round(rate * 100)}% of requests faulted; injected: ${JSON.stringify(proxy.state.counts)}`)
for (const tool of ['sigil', 'cosign']) {
  const {sign, verify, notes, injected} = result[tool]
  console.log(`${tool === 'cosign' ? 'cosign 2.5' : 'sigil'} (${injected} faults met): sign ${sign.ok}/${rounds} (failed cleanly ${sign.failed}, wrong ${sign.wrong}, lost ${sign.lost}); verify ${verify.ok}/${rounds} (failed cleanly ${verify.failed}, wrong ${verify.wrong})`)
  if (process.env.BENCH_VERBOSE) for (const n of notes) console.log(`  ${n}`)
}
