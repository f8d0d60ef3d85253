#!/usr/bin/env node
// Counts the HTTP requests `sigil sign` / `sigil verify` (and the real cosign, if fetched)
// make against a real docker-registry, through a counting loopback proxy.
// Usage: node bench/requests.mjs   (after scripts/setup.sh)
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {SIGIL, countingProxy, loadKits, run} from './lib.mjs'

const {testkit, oci} = await loadKits()
const registry = await testkit.startRegistry()
const proxy = await countingProxy(registry.host)
const client = new oci.RegistryClient()
const dir = mkdtempSync(join(tmpdir(), 'sigil-bench-'))
const env = {COSIGN_PASSWORD: 'bench'}
const cosign = testkit.findCosign()
const rows = []
try {
  await run(process.execPath, [SIGIL, 'generate-key-pair'], {cwd: dir, env})
  const tools = [['sigil', (args) => run(process.execPath, [SIGIL, ...args], {cwd: dir, env})]]
  if (cosign) tools.push(['cosign', (args) => testkit.runCosign(args, {cwd: dir, env})])
  for (const [name, exec] of tools) {
    const repo = `bench/${name}`
    await testkit.pushRandomImage(client, {registry: registry.host, repository: repo}, 'v1')
    const ref = `${proxy.host}/${repo}:v1`
    const extraSign = name === 'cosign' ? ['--tlog-upload=false', '--yes', '--allow-http-registry'] : []
    const extraVerify = name === 'cosign' ? ['--insecure-ignore-tlog=true', '--offline=true', '--allow-http-registry'] : []
    proxy.take()
    const s = await exec(['sign', '--key', 'cosign.key', ...extraSign, ref])
    if (s.code !== 0) throw new Error(`${name} sign failed: ${s.stderr}`)
    const signReqs = proxy.take()
    const v = await exec(['verify', '--key', 'cosign.pub', ...extraVerify, ref])
    if (v.code !== 0) throw new Error(`${name} verify failed: ${v.stderr}`)
    const verifyReqs = proxy.take()
    rows.push({tool: name, sign: signReqs, verify: verifyReqs})
  }
} finally {
  await proxy.close()
  await registry.stop()
  rmSync(dir, {recursive: true, force: true})
}
for (const r of rows) {
  console.log(`${r.tool}: sign (tag of an unsigned image) ${r.sign.length} requests; verify (one signature) ${r.verify.length} requests`)
  if (process.argv.includes('--list')) {
    for (const l of r.sign) console.log(`  sign   ${l}`)
    for (const l of r.verify) console.log(`  verify ${l}`)
  }
}
