#!/usr/bin/env node
// Counts the HTTP requests `sigil sign` / `sigil verify` (and the real cosign, if fetched)
// make against a real docker-registry, through a counting loopback proxy.
// Usage: node bench/requests.mjs [--list] [--token-auth] [--bundle]   (after scripts/setup.sh)
// --bundle: cosign 3's format (sigstore bundles as OCI 1.1 referrers; this registry has no
// referrers API, so the sha256-<hex> tag schema): `sigil sign --new-bundle-format` next to the
// real cosign 3.1.1 instead of the legacy .sig tag next to cosign 2.5.
// --token-auth: the registry requires Bearer tokens from a loopback token server (as Docker Hub
// and GHCR do); token requests are counted separately, at the token server.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {SIGIL, countingProxy, loadKits, run} from './lib.mjs'

const {servers, oci} = await loadKits()
const tokenAuth = process.argv.includes('--token-auth')
const bundle = process.argv.includes('--bundle')
const WRITER = {user: 'bench-writer', password: 'bench-writer-pw'}
const registry = await servers.startRegistry(
  tokenAuth
    ? {tokenAuth: {users: {[WRITER.user]: {password: WRITER.password, access: {'bench/sigil': ['pull', 'push'], 'bench/cosign': ['pull', 'push']}}}}}
    : {},
)
const pushAs = tokenAuth ? {credentials: async () => ({kind: 'basic', username: WRITER.user, password: WRITER.password})} : {}
const proxy = await countingProxy(registry.host)
const client = new oci.RegistryClient(pushAs)
const dir = mkdtempSync(join(tmpdir(), 'sigil-bench-'))
const env = {COSIGN_PASSWORD: 'bench'}
const cosign = bundle ? servers.findCosign3() : servers.findCosign()
const rows = []
try {
  await run(SIGIL, ['generate-key-pair'], {cwd: dir, env})
  const creds = tokenAuth ? ['--registry-username', WRITER.user] : []
  const sigilEnv = tokenAuth ? {...env, SIGIL_REGISTRY_PASSWORD: WRITER.password} : env
  const cosignCreds = tokenAuth ? ['--registry-username', WRITER.user, '--registry-password', WRITER.password] : []
  const tools = [['sigil', (args) => run(SIGIL, [...args.slice(0, 3), ...creds, ...args.slice(3)], {cwd: dir, env: sigilEnv})]]
  if (cosign) tools.push(['cosign', (args) => servers.runCosign([...args.slice(0, 3), ...cosignCreds, ...args.slice(3)], {cwd: dir, env, cosign})])
  const cosignSignFlags = bundle ? servers.cosign3SignArgs(await servers.cosign3SigningConfig(join(dir, 'cosign3'))) : ['--tlog-upload=false', '--yes', '--allow-http-registry']
  const cosignVerifyFlags = bundle ? [...servers.COSIGN3_VERIFY_KEY_ARGS] : ['--insecure-ignore-tlog=true', '--offline=true', '--allow-http-registry']
  for (const [name, exec] of tools) {
    const repo = `bench/${name}`
    await servers.pushRandomImage(client, {registry: registry.host, repository: repo}, 'v1')
    const ref = `${proxy.host}/${repo}:v1`
    const extraSign = name === 'cosign' ? cosignSignFlags : bundle ? ['--new-bundle-format'] : []
    const extraVerify = name === 'cosign' ? cosignVerifyFlags : []
    const tokens = () => registry.tokenServer?.requests.length ?? 0
    if (tokenAuth) {
      // A registry this machine has talked to before (sigil remembers its token realm; cosign
      // has no such memory, so this changes nothing for it).
      const seen = await exec(['triangulate', ...(name === 'cosign' ? ['--allow-http-registry'] : []), ref])
      if (seen.code !== 0) throw new Error(`${name} triangulate failed: ${seen.stderr}`)
    }
    proxy.take()
    const t0 = tokens()
    const s = await exec(['sign', '--key', 'cosign.key', ...extraSign, ref])
    if (s.code !== 0) throw new Error(`${name} sign failed: ${s.stderr}`)
    const signReqs = proxy.take()
    const t1 = tokens()
    const v = await exec(['verify', '--key', 'cosign.pub', ...extraVerify, ref])
    if (v.code !== 0) throw new Error(`${name} verify failed: ${v.stderr}`)
    const verifyReqs = proxy.take()
    rows.push({tool: name, sign: signReqs, verify: verifyReqs, signTokens: t1 - t0, verifyTokens: tokens() - t1})
  }
} finally {
  await proxy.close()
  await registry.stop()
  rmSync(dir, {recursive: true, force: true})
}
for (const r of rows) {
  const tok = (n) => (tokenAuth ? ` + ${n} token request${n === 1 ? '' : 's'}` : '')
  console.log(
    `${r.tool === 'cosign' ? (bundle ? 'cosign 3.1.1' : 'cosign 2.5') : 'sigil'}${bundle ? ' (bundle format)' : ''}${tokenAuth ? ' (token auth, registry seen before)' : ''}: sign (tag of an unsigned image) ${r.sign.length} requests${tok(r.signTokens)}; verify (one signature) ${r.verify.length} requests${tok(r.verifyTokens)}`,
  )
  if (process.argv.includes('--list')) {
    for (const l of r.sign) console.log(`  sign   ${l}`)
    for (const l of r.verify) console.log(`  verify ${l}`)
  }
}
