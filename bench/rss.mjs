#!/usr/bin/env node
// Peak resident memory (`/usr/bin/time -v`, "Maximum resident set size") of `sigil sign` and
// `sigil verify` next to the real cosign 2.5, on a real local registry behind a fault proxy
// that plays a hostile registry: 200 MB bodies, a 5,000-layer signature manifest, a server that
// never answers. Issue 14's ceiling: 200 MB for every case. Each case runs both tools on the
// same image, the same cosign-made key (scrypt N=65536) and `--timeout 10s`.
// Usage: node bench/rss.mjs   (after scripts/setup.sh; needs /usr/bin/time)
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {randomBytes, createHash} from 'node:crypto'
import {SIGIL, loadKits, requireCosign, requireTime, runTimed} from './lib.mjs'

const CEILING_MB = 200
requireTime()
const {servers, oci} = await loadKits()
const cosign = requireCosign(servers)

const registry = await servers.startRegistry()
const proxy = await servers.startFaultProxy(registry.host)
const client = new oci.RegistryClient()
const dir = mkdtempSync(join(tmpdir(), 'sigil-rss-'))
const env = {COSIGN_PASSWORD: 'bench'}
const home = join(dir, 'home')
// cosign as runCosign runs it (offline: its own HOME, a dead proxy), but under /usr/bin/time.
const DEAD = 'http://127.0.0.1:9'
const cosignEnv = {...env, HOME: home, TUF_ROOT: join(home, 'tuf'), HTTPS_PROXY: DEAD, HTTP_PROXY: DEAD, NO_PROXY: undefined, no_proxy: undefined}
const sigilEnv = {...env, SIGIL_DATA_DIR: join(dir, 'sigil-data'), HOME: home}

const cosignFlags = {
  sign: ['--tlog-upload=false', '--yes', '--allow-http-registry'],
  verify: ['--insecure-ignore-tlog=true', '--offline=true', '--allow-http-registry'],
}

async function measure(tool, op, image) {
  const key = op === 'sign' ? 'cosign.key' : 'cosign.pub'
  const args =
    tool === 'sigil'
      ? [process.execPath, SIGIL, op, '--key', key, '--timeout', '10s', image]
      : [cosign, op, '--key', key, '--timeout', '10s', ...cosignFlags[op], image]
  const r = await runTimed(args, {cwd: dir, env: tool === 'sigil' ? sigilEnv : cosignEnv})
  const firstLine = r.stderr.split('\n').find((l) => l.trim() && !/^\s*(Command being timed|Command exited)/.test(l)) ?? ''
  return {mb: r.rssKiB / 1024, exit: r.exit, ms: r.ms, line: firstLine.trim().slice(0, 110)}
}

const BIG = randomBytes(200 * 1024 * 1024)
function manyLayers(count) {
  const layers = []
  for (let i = 0; i < count; i++) {
    const digest = `sha256:${createHash('sha256').update(String(i)).digest('hex')}`
    layers.push({
      mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
      size: 250,
      digest,
      annotations: {'dev.cosignproject.cosign/signature': 'MEUCIQ' + 'A'.repeat(90)},
    })
  }
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {mediaType: 'application/vnd.oci.image.config.v1+json', size: 233, digest: `sha256:${'0'.repeat(64)}`},
    layers,
  })
}

const rows = []
try {
  const g = await servers.runCosign(['generate-key-pair'], {cwd: dir, env})
  if (g.code !== 0) throw new Error(g.stderr)
  // Each tool signs its own image, through the proxy passing everything: the sign rows.
  const images = {}
  for (const tool of ['sigil', 'cosign']) {
    const repository = `bench/rss-${tool}`
    const pushed = await servers.pushRandomImage(client, {registry: registry.host, repository}, 'v1')
    images[tool] = {byDigest: `${proxy.host}/${repository}@${pushed.digest}`, byTag: `${proxy.host}/${repository}:v1`}
  }
  const cases = [
    {name: 'sign, cosign-made key (scrypt N=65536)', op: 'sign', rule: () => ({kind: 'pass'})},
    {name: 'verify', op: 'verify', rule: () => ({kind: 'pass'})},
    {
      name: 'verify by tag: image manifest answered with 200 MB',
      op: 'verify',
      byTag: true,
      rule: (m, p) => (/\/manifests\/v1$/.test(p) ? {kind: 'respond', status: 200, body: BIG, headers: {'content-type': 'application/vnd.oci.image.manifest.v1+json'}} : {kind: 'pass'}),
    },
    {
      name: 'verify: .sig manifest answered with 200 MB',
      op: 'verify',
      rule: (m, p) => (/\/manifests\/sha256-[0-9a-f]+\.sig$/.test(p) ? {kind: 'respond', status: 200, body: BIG, headers: {'content-type': 'application/vnd.oci.image.manifest.v1+json'}} : {kind: 'pass'}),
    },
    {
      name: 'verify: .sig manifest with 5,000 layers',
      op: 'verify',
      rule: (m, p) => (/\/manifests\/sha256-[0-9a-f]+\.sig$/.test(p) ? {kind: 'respond', status: 200, body: manyLayers(5000), headers: {'content-type': 'application/vnd.oci.image.manifest.v1+json'}} : {kind: 'pass'}),
    },
    {
      name: 'verify: payload blob answered with 200 MB',
      op: 'verify',
      rule: (m, p) => (m === 'GET' && /\/blobs\/sha256:/.test(p) ? {kind: 'respond', status: 200, body: BIG, headers: {'content-type': 'application/octet-stream'}} : {kind: 'pass'}),
    },
    {
      name: 'verify: the registry never answers',
      op: 'verify',
      rule: () => ({kind: 'hang'}),
    },
  ]
  for (const c of cases) {
    proxy.setRule(c.rule)
    const row = {name: c.name}
    for (const tool of ['sigil', 'cosign']) row[tool] = await measure(tool, c.op, c.byTag ? images[tool].byTag : images[tool].byDigest)
    proxy.setRule(() => ({kind: 'pass'}))
    rows.push(row)
  }
} finally {
  proxy.setRule(() => ({kind: 'pass'}))
  await proxy.close()
  await registry.stop()
  rmSync(dir, {recursive: true, force: true})
}

const pad = (s, n) => String(s).padEnd(n)
console.log(`${pad('case', 46)} ${pad('sigil MB (exit, s)', 22)} cosign 2.5 MB (exit, s)`)
for (const r of rows) {
  const cell = (x) => `${x.mb.toFixed(0)} (${x.exit}, ${(x.ms / 1000).toFixed(1)})`
  console.log(`${pad(r.name, 46)} ${pad(cell(r.sigil), 22)} ${cell(r.cosign)}`)
}
const worst = Math.max(...rows.map((r) => r.sigil.mb))
console.log(`sigil peak over all cases: ${worst.toFixed(0)} MB; ceiling ${CEILING_MB} MB: ${worst <= CEILING_MB ? 'met' : 'NOT met'}`)
if (process.env.BENCH_VERBOSE) for (const r of rows) console.log(`  ${r.name}\n    sigil: ${r.sigil.line}\n    cosign: ${r.cosign.line}`)
