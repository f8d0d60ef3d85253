#!/usr/bin/env node
// Wall time and peak resident memory (`/usr/bin/time -v`, "Maximum resident set size") of
// `sigil copy`, `sigil save` and `sigil load` on an image with one big layer (default 1 GiB of
// pseudo-random bytes, pushed streamed with the client), next to `skopeo copy` (Debian's
// /usr/bin/skopeo, `--preserve-digests`) doing the same in the same run, on two real local
// registries: between two repositories of one registry (sigil mounts the blob), between two
// registries (streamed), registry → OCI layout, and layout → a third registry.
// Usage: node bench/big-copy.mjs [MiB]   (after scripts/setup.sh and pnpm build; needs /usr/bin/time)
import {createCipheriv, createHash} from 'node:crypto'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {SIGIL, loadKits, requireTime, runTimed} from './lib.mjs'

const MIB = 1024 * 1024
const size = Number(process.argv[2] ?? 1024) * MIB
const SKOPEO = '/usr/bin/skopeo'
requireTime()
const {servers, oci} = await loadKits()

/** Deterministic pseudo-random bytes (AES-128-CTR over zeros), in 1 MiB chunks. */
function pseudoRandom(n) {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 3), Buffer.alloc(16, 0))
  const zeros = Buffer.alloc(MIB)
  let left = n
  return new Readable({
    read() {
      if (left === 0) return void this.push(null)
      const k = Math.min(left, MIB)
      left -= k
      this.push(cipher.update(zeros.subarray(0, k)))
    },
  })
}

/** Run under /usr/bin/time -v: wall ms and peak RSS MiB. */
async function timed(cmd, args, env) {
  const r = await runTimed([cmd, ...args], {env})
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.slice(-2000)}`)
  return {ms: Math.round(r.ms), rssMiB: Math.round(r.rssKiB / 1024)}
}

// c: a registry that has never seen the blob, for the loads (skopeo would mount what it pushed to b).
const [a, b, c] = await Promise.all([servers.startRegistry(), servers.startRegistry(), servers.startRegistry()])
const dir = mkdtempSync(join(tmpdir(), 'sigil-bench-big-'))
const env = {HOME: dir, DOCKER_CONFIG: join(dir, '.docker'), SIGIL_DATA_DIR: join(dir, 'data'), SIGIL_CACHE_DIR: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, '.config')}
const rows = []
try {
  const client = new oci.RegistryClient()
  const hash = createHash('sha256')
  for await (const c of pseudoRandom(size)) hash.update(c)
  const digest = `sha256:${hash.digest('hex')}`
  const repo = {registry: a.host, repository: 'bench/big'}
  const t0 = Date.now()
  await client.uploadBlobStream(repo, digest, size, async () => pseudoRandom(size))
  const pushMs = Date.now() - t0
  const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}')
  const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`
  await client.uploadBlob(repo, configDigest, config)
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {mediaType: 'application/vnd.oci.image.config.v1+json', size: config.length, digest: configDigest},
      layers: [{mediaType: 'application/vnd.oci.image.layer.v1.tar', size, digest}],
    }),
  )
  await client.putManifest(repo, 'v1', manifest, 'application/vnd.oci.image.manifest.v1+json')
  console.log(`pushed a ${size / MIB} MiB layer with RegistryClient.uploadBlobStream in ${pushMs} ms`)

  const src = `${a.host}/bench/big:v1`
  const skopeo = existsSync(SKOPEO) ? (args) => timed(SKOPEO, ['--insecure-policy', 'copy', '--quiet', '--preserve-digests', '--src-tls-verify=false', '--dest-tls-verify=false', ...args], env) : undefined
  const cases = [
    ['copy, one registry (mount)', () => timed(SIGIL, ['copy', src, `${a.host}/bench/sigil-mounted:v1`], env), skopeo && (() => skopeo([`docker://${src}`, `docker://${a.host}/bench/skopeo-mounted:v1`]))],
    ['copy, two registries (streamed)', () => timed(SIGIL, ['copy', src, `${b.host}/bench/sigil:v1`], env), skopeo && (() => skopeo([`docker://${src}`, `docker://${b.host}/bench/skopeo:v1`]))],
    ['save (registry → layout)', () => timed(SIGIL, ['save', src, '--dir', join(dir, 'sigil-layout')], env), skopeo && (() => skopeo(['--dest-oci-accept-uncompressed-layers', `docker://${src}`, `oci:${join(dir, 'skopeo-layout')}:v1`]))],
    ['load (layout → registry)', () => timed(SIGIL, ['load', `${c.host}/bench/sigil-loaded:v1`, '--dir', join(dir, 'sigil-layout')], env), skopeo && (() => skopeo([`oci:${join(dir, 'skopeo-layout')}:v1`, `docker://${c.host}/bench/skopeo-loaded:v1`]))],
  ]
  for (const [name, sigilRun, skopeoRun] of cases) {
    const s = await sigilRun()
    const k = skopeoRun ? await skopeoRun() : undefined
    rows.push({name, s, k})
  }
} finally {
  await Promise.all([a.stop(), b.stop(), c.stop()])
  rmSync(dir, {recursive: true, force: true})
}
console.log(`${size / MIB} MiB layer               sigil: wall, peak RSS      skopeo 1.9: wall, peak RSS`)
for (const {name, s, k} of rows) {
  console.log(`${name.padEnd(34)} ${`${s.ms} ms, ${s.rssMiB} MiB`.padEnd(26)} ${k ? `${k.ms} ms, ${k.rssMiB} MiB` : '(no /usr/bin/skopeo)'}`)
}
