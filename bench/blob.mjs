#!/usr/bin/env node
// sign-blob / verify-blob of a large file: wall time and peak resident memory
// (`/usr/bin/time -v`) of sigil next to `sha256sum` on the same file and the real cosign 2.5
// (`sign-blob --key … --tlog-upload=false`, `verify-blob --insecure-ignore-tlog`), same run,
// same file (page cache warmed first). Targets (issue): sigil ≤ 1.1× sha256sum's wall time;
// peak RSS ≤ 100 MB with a sigil-made key (scrypt N=32768), ≤ 140 MB with a cosign-made key
// (N=65536). A benchmark, not a test: it prints numbers and exits 1 if a target is missed.
// Usage: node bench/blob.mjs [--size-mib 1024] [--runs 3]   (after pnpm build; needs /usr/bin/time)
import {mkdtempSync, openSync, rmSync, writeSync, closeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {randomBytes} from 'node:crypto'
import {SIGIL, loadKits, median, requireTime, run, runTimed} from './lib.mjs'

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const SIZE_MIB = arg('--size-mib', 1024)
const RUNS = arg('--runs', 3)
requireTime()
const {servers} = await loadKits()
const cosign = servers.findCosign()
if (!cosign) console.error('cosign 2.5 not found (SIGIL_COSIGN): measuring sigil and sha256sum only')

const dir = mkdtempSync(join(tmpdir(), 'sigil-blob-bench-'))
const home = join(dir, 'home')
const DEAD = 'http://127.0.0.1:9'
const password = 'bench'
const sigilEnv = {COSIGN_PASSWORD: password, SIGIL_DATA_DIR: join(dir, 'sigil-data'), HOME: home}
const cosignEnv = {COSIGN_PASSWORD: password, HOME: home, TUF_ROOT: join(home, 'tuf'), HTTPS_PROXY: DEAD, HTTP_PROXY: DEAD, NO_PROXY: undefined, no_proxy: undefined}

try {
  const file = join(dir, 'big.bin')
  // Random content, written in 16 MiB pieces (never the whole file in this process's memory).
  const fd = openSync(file, 'w')
  const piece = randomBytes(16 * 1024 * 1024)
  for (let left = SIZE_MIB * 1024 * 1024; left > 0; left -= piece.length) writeSync(fd, piece, 0, Math.min(left, piece.length))
  closeSync(fd)

  // Keys: sigil's (N=32768) and cosign's (N=65536, when cosign is here).
  const gen = await run(process.execPath, [SIGIL, 'generate-key-pair', '--output-key-prefix', 'sigil'], {cwd: dir, env: sigilEnv})
  if (gen.code !== 0) throw new Error(`generate-key-pair failed: ${gen.stderr}`)
  if (cosign) {
    const c = await run(cosign, ['generate-key-pair', '--output-key-prefix', 'cosign'], {cwd: dir, env: cosignEnv})
    if (c.code !== 0) throw new Error(`cosign generate-key-pair failed: ${c.stderr}`)
  }

  async function measure(args, env) {
    const r = await runTimed(args, {cwd: dir, env})
    if (r.exit !== 0) throw new Error(`${args.join(' ')} exited ${r.exit}: ${r.stderr.slice(0, 500)}`)
    return {ms: r.ms, mb: r.rssKiB / 1024}
  }
  async function series(name, args, env) {
    const xs = []
    for (let i = 0; i < RUNS; i++) xs.push(await measure(args, env))
    return {name, ms: median(xs.map((x) => x.ms)), mb: Math.max(...xs.map((x) => x.mb))}
  }

  await run('sh', ['-c', 'cat "$0" > /dev/null', file], {cwd: dir}) // warm the page cache
  const rows = []
  const baseline = await series('sha256sum', ['sha256sum', file], {})
  rows.push(baseline)
  const S = (...a) => [process.execPath, SIGIL, ...a]
  rows.push(await series('sigil sign-blob (sigil key, N=32768)', S('sign-blob', '--key', 'sigil.key', '--output-signature', 's.sig', '--bundle', 's.json', file), sigilEnv))
  rows.push(await series('sigil verify-blob --signature', S('verify-blob', '--key', 'sigil.pub', '--signature', 's.sig', file), sigilEnv))
  rows.push(await series('sigil verify-blob --bundle (v0.3)', S('verify-blob', '--key', 'sigil.pub', '--bundle', 's.json', file), sigilEnv))
  if (cosign) {
    rows.push(await series('sigil sign-blob (cosign key, N=65536)', S('sign-blob', '--key', 'cosign.key', '--output-signature', 'c.sig', file), sigilEnv))
    rows.push(await series('cosign 2.5 sign-blob', [cosign, 'sign-blob', '--key', 'cosign.key', '--tlog-upload=false', '-y', '--output-signature', 'cc.sig', file], cosignEnv))
    rows.push(await series('cosign 2.5 verify-blob', [cosign, 'verify-blob', '--key', 'cosign.pub', '--signature', 'cc.sig', '--insecure-ignore-tlog', file], cosignEnv))
  }

  console.log(`blob of ${SIZE_MIB} MiB, median of ${RUNS} runs (wall), max peak RSS`)
  console.log(`${'command'.padEnd(42)} ${'wall ms'.padStart(8)} ${'× sha256sum'.padStart(12)} ${'peak MB'.padStart(8)}`)
  for (const r of rows) console.log(`${r.name.padEnd(42)} ${r.ms.toFixed(0).padStart(8)} ${(r.ms / baseline.ms).toFixed(2).padStart(12)} ${r.mb.toFixed(1).padStart(8)}`)

  const misses = []
  for (const r of rows.filter((x) => x.name.startsWith('sigil'))) {
    if (r.ms > 1.1 * baseline.ms) misses.push(`${r.name}: ${(r.ms / baseline.ms).toFixed(2)}× sha256sum (target ≤ 1.1×)`)
    const ceiling = r.name.includes('cosign key') ? 140 : 100
    if (r.mb > ceiling) misses.push(`${r.name}: ${r.mb.toFixed(1)} MB peak (target ≤ ${ceiling} MB)`)
  }
  for (const m of misses) console.log(`MISSED ${m}`)
  process.exitCode = misses.length ? 1 : 0
} finally {
  rmSync(dir, {recursive: true, force: true})
}
