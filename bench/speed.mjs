#!/usr/bin/env node
// Wall time of `sigil verify` / `sigil sign` next to the real cosign 2.5 on the same local
// registry and the same cosign.key, alternating runs; prints medians and ratios.
// Usage: node bench/speed.mjs [runs=21]   (after scripts/setup.sh)
// Also times bench/node-floor.cjs (plain Node, the same three requests, one ECDSA check).
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {SIGIL, loadKits, median, requireCosign, run} from './lib.mjs'

const runs = Number(process.argv[2] ?? 21)
const {servers, oci} = await loadKits()
const cosign = requireCosign(servers)
const registry = await servers.startRegistry()
const client = new oci.RegistryClient()
const dir = mkdtempSync(join(tmpdir(), 'sigil-speed-'))
const env = {COSIGN_PASSWORD: 'bench'}
const times = {sigil: {sign: [], verify: []}, cosign: {sign: [], verify: []}, node: [], floor: []}
try {
  // One key for both tools, made by cosign itself (its default scrypt N=65536).
  const g = await servers.runCosign(['generate-key-pair'], {cwd: dir, env})
  if (g.code !== 0) throw new Error(g.stderr)
  const exec = {
    sigil: (args) => run(SIGIL, [...args], {cwd: dir, env}),
    cosign: (args) => servers.runCosign(args, {cwd: dir, env}).then((r) => r),
  }
  const flags = {
    sigil: {sign: [], verify: []},
    cosign: {sign: ['--tlog-upload=false', '--yes', '--allow-http-registry'], verify: ['--insecure-ignore-tlog=true', '--offline=true', '--allow-http-registry']},
  }
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await run(process.execPath, ['-e', '0'])
    times.node.push(performance.now() - t)
    for (const tool of i % 2 ? ['cosign', 'sigil'] : ['sigil', 'cosign']) {
      // A fresh unsigned image each time: a first signature, never a dedup no-op.
      const repository = `bench/speed-${tool}-${i}`
      await servers.pushRandomImage(client, {registry: registry.host, repository}, 'v1')
      const image = `${registry.host}/${repository}:v1`
      for (const op of ['sign', 'verify']) {
        const key = op === 'sign' ? 'cosign.key' : 'cosign.pub'
        const t0 = performance.now()
        const r = await exec[tool]([op, '--key', key, ...flags[tool][op], image])
        const ms = performance.now() - t0
        if (r.code !== 0) throw new Error(`${tool} ${op}: ${r.stderr}`)
        times[tool][op].push(ms)
      }
      if (tool === 'sigil') {
        // Without NODE_EXTRA_CA_CERTS, as sigil's launcher runs Node for a loopback registry.
        const floorEnv = {...env, NODE_EXTRA_CA_CERTS: undefined}
        const f = await run(process.execPath, [new URL('./node-floor.cjs', import.meta.url).pathname, registry.host, repository, 'v1', 'cosign.pub'], {cwd: dir, env: floorEnv})
        if (f.code !== 0) throw new Error(`node-floor: ${f.stderr}`)
        times.floor.push(f.ms)
      }
    }
  }
} finally {
  await registry.stop()
  rmSync(dir, {recursive: true, force: true})
}
console.log(`baseline: node -e 0 ${median(times.node).toFixed(0)} ms (median of ${runs})`)
console.log(`floor: plain Node, verify's three requests + one ECDSA check: ${median(times.floor).toFixed(0)} ms, ${(median(times.floor) / median(times.cosign.verify)).toFixed(2)}x cosign's verify`)
for (const op of ['verify', 'sign']) {
  const s = median(times.sigil[op])
  const c = median(times.cosign[op])
  console.log(`${op}: sigil ${s.toFixed(0)} ms, cosign ${c.toFixed(0)} ms (median of ${runs}), ratio ${(s / c).toFixed(2)}x`)
  if (process.env.BENCH_VERBOSE) for (const tool of ['sigil', 'cosign']) console.log(`  ${tool}: ${times[tool][op].map((x) => x.toFixed(0)).join(' ')}`)
}
