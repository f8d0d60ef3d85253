#!/usr/bin/env node
// Signers racing on one image: how many signatures survive (verify afterwards).
//   1. N sigil signers, legacy .sig tag;   2. N sigil signers, bundle format (tag-schema index);
//   3. N/2 sigil + N/2 cosign 2.5 signers on one legacy .sig tag (cosign's append is a plain
//      read-modify-write: it can drop a layer after sigil's last check).
// Usage: node bench/concurrency.mjs [N=16] [rounds=3]   (after scripts/setup.sh)
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {SIGIL, loadKits, run} from './lib.mjs'

const n = Number(process.argv[2] ?? 16)
const rounds = Number(process.argv[3] ?? 3)
const {servers, oci} = await loadKits()
const cosign = servers.findCosign()
const registry = await servers.startRegistry()
const client = new oci.RegistryClient()
const dir = mkdtempSync(join(tmpdir(), 'sigil-race-bench-'))
const env = {COSIGN_PASSWORD: 'bench', HOME: dir, SIGIL_CACHE_DIR: join(dir, 'cache'), NODE_EXTRA_CA_CERTS: undefined}
const keys = Array.from({length: n}, (_, i) => `k${i}`)
let image = 0

async function race(signers) {
  const repository = `race/bench${++image}`
  const {digest} = await servers.pushRandomImage(client, {registry: registry.host, repository}, 'v1')
  const ref = `${registry.host}/${repository}@${digest}`
  const t0 = performance.now()
  const exits = await Promise.all(signers.map((s) => s.sign(ref)))
  const ms = performance.now() - t0
  const survived = await Promise.all(signers.map(async (s) => (await run(SIGIL, ['verify', '--key', `${s.key}.pub`, ref], {cwd: dir, env})).code === 0))
  return {exitedOk: exits.filter((c) => c === 0).length, survived: survived.filter(Boolean).length, survivedOf: (kind) => signers.filter((s, i) => s.kind === kind && survived[i]).length, ms}
}

try {
  for (const k of keys) await run(SIGIL, ['generate-key-pair', '--output-key-prefix', k], {cwd: dir, env})
  const sigilSigner = (key, extra = []) => ({
    key,
    kind: 'sigil',
    sign: async (ref) => {
      const r = await run(SIGIL, ['sign', '--key', `${key}.key`, ...extra, ref], {cwd: dir, env})
      if (r.code !== 0) console.log(`  sigil ${key} exit ${r.code}: ${r.stderr.trim().split('\n').at(-1)}`)
      return r.code
    },
  })
  const cosignSigner = (key) => ({
    key,
    kind: 'cosign',
    sign: async (ref) => (await servers.runCosign(['sign', '--key', `${key}.key`, '--tlog-upload=false', '--yes', '--allow-http-registry', ref], {cwd: dir, env: {COSIGN_PASSWORD: 'bench'}})).code,
  })
  const cases = [
    [`${n} sigil, legacy .sig`, () => keys.map((k) => sigilSigner(k))],
    [`${n} sigil, bundle format`, () => keys.map((k) => sigilSigner(k, ['--new-bundle-format']))],
    ...(cosign ? [[`${n / 2} sigil + ${n / 2} cosign 2.5, legacy .sig`, () => keys.map((k, i) => (i % 2 ? cosignSigner(k) : sigilSigner(k)))]] : []),
  ]
  for (const [name, make] of cases) {
    for (let r = 1; r <= rounds; r++) {
      const signers = make()
      const out = await race(signers)
      const mixed = signers.some((s) => s.kind === 'cosign')
      console.log(
        `${name}, round ${r}: ${out.exitedOk}/${signers.length} exited 0, ${out.survived}/${signers.length} verify afterwards` +
          (mixed ? ` (sigil ${out.survivedOf('sigil')}/${n / 2}, cosign ${out.survivedOf('cosign')}/${n / 2})` : '') +
          `, ${Math.round(out.ms)} ms`,
      )
    }
  }
} finally {
  await registry.stop()
  rmSync(dir, {recursive: true, force: true})
}
