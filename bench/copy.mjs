#!/usr/bin/env node
// Counts the HTTP requests `sigil copy` (and the real cosign 2.5 `copy`, if fetched) make to
// copy a signed single-platform image between two repositories of one registry (the real
// docker-registry, no referrers API), through a counting loopback proxy: the first copy, and
// the same copy again (which should write nothing).
// Usage: node bench/copy.mjs [--list]   (after scripts/setup.sh and pnpm build)
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {SIGIL, countingProxy, loadKits, run} from './lib.mjs'

const {servers, oci} = await loadKits()
const registry = await servers.startRegistry()
const proxy = await countingProxy(registry.host)
const client = new oci.RegistryClient()
const dir = mkdtempSync(join(tmpdir(), 'sigil-bench-copy-'))
const env = {COSIGN_PASSWORD: 'bench', SIGIL_CACHE_DIR: join(dir, 'cache')}
const cosign = servers.findCosign()
const rows = []
const writes = (reqs) => reqs.filter((r) => /^(PUT|POST|PATCH|DELETE) /.test(r)).length
try {
  await run(SIGIL, ['generate-key-pair'], {cwd: dir, env})
  const tools = [['sigil', (args) => run(SIGIL, args, {cwd: dir, env})]]
  if (cosign) tools.push(['cosign 2.5', (args) => servers.runCosign([args[0], '--allow-http-registry', ...args.slice(1)], {cwd: dir, env, cosign})])
  for (const [name, exec] of tools) {
    const repo = `bench/${name === 'sigil' ? 'sigil' : 'cosign'}-src`
    await servers.pushRandomImage(client, {registry: registry.host, repository: repo}, 'v1')
    const s = await run(SIGIL, ['sign', '--key', 'cosign.key', `${registry.host}/${repo}:v1`], {cwd: dir, env})
    if (s.code !== 0) throw new Error(`sign failed: ${s.stderr}`)
    const src = `${proxy.host}/${repo}:v1`
    const dst = `${proxy.host}/${repo.replace('-src', '-dst')}:v1`
    proxy.take()
    const first = await exec(['copy', src, dst])
    if (first.code !== 0) throw new Error(`${name} copy failed: ${first.stderr}`)
    const firstReqs = proxy.take()
    const again = await exec(['copy', src, dst])
    if (again.code !== 0) throw new Error(`${name} copy (again) failed: ${again.stderr}`)
    rows.push({name, first: firstReqs, again: proxy.take()})
  }
} finally {
  await proxy.close()
  await registry.stop()
  rmSync(dir, {recursive: true, force: true})
}
for (const r of rows) {
  console.log(`${r.name}: copy of a signed single-platform image between two repositories ${r.first.length} requests (${writes(r.first)} writing); again ${r.again.length} (${writes(r.again)} writing)`)
  if (process.argv.includes('--list')) {
    for (const l of r.first) console.log(`  first ${l}`)
    for (const l of r.again) console.log(`  again ${l}`)
  }
}
