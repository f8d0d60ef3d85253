#!/usr/bin/env node
// Counts the KMS calls `sigil sign --key <kms uri> IMG×N` makes, with the real AWS and Google
// clients against the loopback KMS servers from @sigil/test-servers (real crypto, real protocol).
// Usage: node bench/kms-calls.mjs [N=10]   (after scripts/setup.sh)
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {SIGIL, kmsEnv, loadKits, run} from './lib.mjs'

const n = Number(process.argv[2] ?? 10)
const {servers, oci} = await loadKits()
const registry = await servers.startRegistry()
const aws = await servers.startAwsKmsServer({region: 'eu-west-1'})
const gcp = await servers.startGcpKmsServer()
const dir = mkdtempSync(join(tmpdir(), 'sigil-kms-bench-'))
const client = new oci.RegistryClient()
const env = kmsEnv(servers, aws, gcp, dir)
try {
  const refs = []
  for (let i = 0; i < n; i++) {
    await servers.pushRandomImage(client, {registry: registry.host, repository: `bench/kms${i}`}, 'v1')
    refs.push(`${registry.host}/bench/kms${i}:v1`)
  }
  const keys = {
    aws: 'awskms:///alias/bench',
    gcp: 'gcpkms://projects/p/locations/global/keyRings/bench/cryptoKeys/signing',
  }
  for (const [name, uri] of Object.entries(keys)) {
    const g = await run(SIGIL, ['generate-key-pair', '--kms', uri, '--output-key-prefix', name], {cwd: dir, env})
    if (g.code !== 0) throw new Error(g.stderr)
  }
  const awsBefore = aws.requests.length
  const gcpBefore = gcp.calls.length
  const t0 = performance.now()
  const a = await run(SIGIL, ['sign', '--key', keys.aws, ...refs], {cwd: dir, env})
  const awsMs = performance.now() - t0
  if (a.code !== 0) throw new Error(a.stderr)
  const t1 = performance.now()
  const g = await run(SIGIL, ['sign', '--key', keys.gcp, ...refs], {cwd: dir, env})
  const gcpMs = performance.now() - t1
  if (g.code !== 0) throw new Error(g.stderr)
  const tally = (xs) => Object.entries(xs.reduce((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {})).map(([k, v]) => `${k} ${v}`).join(', ')
  console.log(`AWS KMS, sign ${n} images: ${tally(aws.requests.slice(awsBefore).map((r) => r.target))} (${awsMs.toFixed(0)} ms)`)
  console.log(`GCP KMS, sign ${n} images: ${tally(gcp.calls.slice(gcpBefore).map((c) => c.method))} (${gcpMs.toFixed(0)} ms)`)
} finally {
  await aws.close()
  await gcp.close()
  await registry.stop()
  rmSync(dir, {recursive: true, force: true})
}
