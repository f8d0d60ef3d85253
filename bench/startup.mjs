#!/usr/bin/env node
// Start-up and verify wall times in the configurations users run, next to the real cosign 2.5
// on the same loopback registry: medians of alternating runs, WITHOUT NODE_EXTRA_CA_CERTS in
// the environment (most machines), plus the file-key verify with it set.
//   file       verify --key cosign.pub, plain loopback registry
//   adapter    verify ghcr.io/… (the GHCR adapter's host), sent to the loopback registry by the
//              mirrors config; cosign verifies the same image by its loopback name
//   plugin     verify --key cosign.pub with a user plugin linked (examples/sigil-plugin-pkcs11)
//   awskms     verify --key awskms:///alias/… against the loopback AWS KMS server (real SDK);
//              cosign verifies with that key's public key file; also the key-ARN form
//   help / triangulate / public-key: sigil alone (target ≤ 150 ms wall)
// Usage: node bench/startup.mjs [runs=15]   (after scripts/setup.sh)
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {SIGIL, loadKits, median, requireCosign, run} from './lib.mjs'

const runs = Number(process.argv[2] ?? 15)
const {servers, oci} = await loadKits()
const cosign = requireCosign(servers)
const registry = await servers.startRegistry()
const aws = await servers.startAwsKmsServer({region: 'eu-west-1'})
const client = new oci.RegistryClient()
const dir = mkdtempSync(join(tmpdir(), 'sigil-startup-bench-'))
const pluginData = join(dir, 'data-with-plugin')
const mirrors = join(dir, 'registries.json')
writeFileSync(mirrors, JSON.stringify({registries: [{prefix: 'ghcr.io', location: `http://${registry.host}`}]}))
const base = {
  COSIGN_PASSWORD: 'bench',
  NODE_EXTRA_CA_CERTS: undefined,
  HOME: dir,
  SIGIL_DATA_DIR: join(dir, 'data'),
  SIGIL_CACHE_DIR: join(dir, 'cache'),
  SIGIL_REGISTRIES_CONFIG: mirrors,
  DOCKER_CONFIG: join(dir, 'docker'),
  ...servers.AWS_OFFLINE_ENV,
  AWS_ENDPOINT_URL_KMS: aws.endpoint,
  GITHUB_TOKEN: undefined,
  GH_TOKEN: undefined,
}
const sigil = (args, env = {}) => run(SIGIL, args, {cwd: dir, env: {...base, ...env}})
const cosignVerify = (key, image) =>
  servers.runCosign(['verify', '--key', key, '--insecure-ignore-tlog=true', '--offline=true', '--allow-http-registry', image], {cwd: dir, env: {NODE_EXTRA_CA_CERTS: undefined}})
const must = async (what, p) => {
  const r = await p
  if (r.code !== 0) throw new Error(`${what}: exit ${r.code}\n${r.stderr}`)
  return r
}

try {
  // One cosign-made key for file verifies; a sigil-made one (N=32768) for public-key.
  await must('cosign generate-key-pair', servers.runCosign(['generate-key-pair'], {cwd: dir, env: {COSIGN_PASSWORD: 'bench'}}))
  await must('sigil generate-key-pair', sigil(['generate-key-pair', '--output-key-prefix', 'sigil']))
  await must('kms key', sigil(['generate-key-pair', '--kms', 'awskms:///alias/bench', '--output-key-prefix', 'kms']))
  const keyId = aws.aliases.get('alias/bench')
  const arn = keyId && `arn:aws:kms:${aws.region}:${aws.accountId}:key/${keyId}`

  const {digest} = await servers.pushRandomImage(client, {registry: registry.host, repository: 'bench/app'}, 'v1')
  const loopbackRef = `${registry.host}/bench/app:v1`
  const ghcrRef = 'ghcr.io/bench/app:v1'
  await must('sign file', sigil(['sign', '--key', 'cosign.key', loopbackRef]))
  await must('sign kms', sigil(['sign', '--key', 'awskms:///alias/bench', loopbackRef]))
  // A linked user plugin, in a data dir of its own.
  await must('plugins link', sigil(['plugins', 'link', fileURLToPath(new URL('../examples/sigil-plugin-pkcs11', import.meta.url))], {SIGIL_DATA_DIR: pluginData}))

  const cases = {
    file: {sigil: () => sigil(['verify', '--key', 'cosign.pub', loopbackRef]), cosign: () => cosignVerify('cosign.pub', loopbackRef)},
    'file, NODE_EXTRA_CA_CERTS set': {
      sigil: () => sigil(['verify', '--key', 'cosign.pub', loopbackRef], {NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt'}),
      cosign: () => cosignVerify('cosign.pub', loopbackRef),
    },
    adapter: {sigil: () => sigil(['verify', '--key', 'cosign.pub', ghcrRef]), cosign: () => cosignVerify('cosign.pub', loopbackRef)},
    plugin: {sigil: () => sigil(['verify', '--key', 'cosign.pub', loopbackRef], {SIGIL_DATA_DIR: pluginData}), cosign: () => cosignVerify('cosign.pub', loopbackRef)},
    'awskms alias': {sigil: () => sigil(['verify', '--key', 'awskms:///alias/bench', loopbackRef]), cosign: () => cosignVerify('kms.pub', loopbackRef)},
    ...(arn ? {'awskms key ARN': {sigil: () => sigil(['verify', '--key', `awskms:///${arn}`, loopbackRef]), cosign: () => cosignVerify('kms.pub', loopbackRef)}} : {}),
    help: {sigil: () => sigil(['--help'])},
    'verify --help': {sigil: () => sigil(['verify', '--help'])},
    triangulate: {sigil: () => sigil(['triangulate', loopbackRef])},
    'public-key (sigil key, N=32768)': {sigil: () => sigil(['public-key', '--key', 'sigil.key'])},
  }
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, {sigil: [], cosign: []}]))
  for (let i = 0; i < runs; i++) {
    for (const [name, c] of Object.entries(cases)) {
      for (const tool of i % 2 ? ['cosign', 'sigil'] : ['sigil', 'cosign']) {
        if (!c[tool]) continue
        const t0 = performance.now()
        const r = await c[tool]()
        const ms = performance.now() - t0
        if (r.code !== 0) throw new Error(`${name} (${tool}): exit ${r.code}\n${r.stderr}`)
        if (tool === 'sigil' && name !== 'help' && name.includes('verify') === false && c.cosign && !r.stdout.includes(digest)) throw new Error(`${name}: digest not in output`)
        times[name][tool].push(ms)
      }
    }
  }
  console.log(`medians of ${runs} alternating runs (ms), NODE_EXTRA_CA_CERTS unset unless named`)
  console.log('case'.padEnd(34), 'sigil'.padStart(8), 'cosign'.padStart(8), 'ratio'.padStart(7))
  for (const [name, t] of Object.entries(times)) {
    const s = median(t.sigil)
    const c = t.cosign.length ? median(t.cosign) : undefined
    console.log(name.padEnd(34), s.toFixed(1).padStart(8), (c === undefined ? '' : c.toFixed(1)).padStart(8), (c === undefined ? '' : `${(s / c).toFixed(2)}x`).padStart(7))
  }
} finally {
  await registry.stop()
  await aws.close()
  rmSync(dir, {recursive: true, force: true})
}
