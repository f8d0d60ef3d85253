#!/usr/bin/env node
// N git commits in a row, each signed by git through sigil-ssh-keygen (gpg.ssh.program) with a
// KMS key: the real AWS and Google clients against the loopback KMS servers from
// @sigil/test-servers. Prints the time per signed commit (git included), the same for unsigned
// commits and for a file key, and the KMS calls each signature made, checked against what is
// expected: one call per commit after the first, also by alias and by bare GCP key name (their
// key kept in sigil's cache, every signature checked). Exits 1 when a count or a verification differs.
// Usage: node bench/git-commits.mjs [N=100]   (after pnpm build)
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {SIGIL, kmsEnv, loadKits, run} from './lib.mjs'

const n = Number(process.argv[2] ?? 100)
const PROGRAM = fileURLToPath(new URL('../apps/cli/bin/sigil-ssh-keygen.js', import.meta.url))
const {servers} = await loadKits()
const aws = await servers.startAwsKmsServer({region: 'eu-west-1'})
const gcp = await servers.startGcpKmsServer()
const dir = mkdtempSync(join(tmpdir(), 'sigil-git-bench-'))
const env = {
  ...kmsEnv(servers, aws, gcp, dir),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: join(dir, 'gitconfig'),
  SIGIL_DATA_DIR: join(dir, 'data'),
  SIGIL_CONFIG_DIR: join(dir, 'config'),
  SIGIL_CACHE_DIR: join(dir, 'cache'),
  COSIGN_PASSWORD: 'bench',
}

async function must(cmd, args, cwd) {
  const r = await run(cmd, args, {cwd, env})
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`)
  return r
}

/** A repository set up by `sigil git setup --key keyRef` (or unsigned), and N commits in it. */
async function commits(name, keyRef) {
  const repo = join(dir, name)
  mkdirSync(repo)
  await must('git', ['init', '-q', '-b', 'main'], repo)
  await must('git', ['config', 'user.name', 'Bench'], repo)
  await must('git', ['config', 'user.email', 'bench@example.com'], repo)
  if (keyRef) {
    const setup = await must(SIGIL, ['git', 'setup', '--key', keyRef, '--outfile', join(dir, `${name}.pub`)], repo)
    writeFileSync(join(dir, `${name}.allowed`), setup.stdout)
    await must('git', ['config', 'gpg.ssh.allowedSignersFile', join(dir, `${name}.allowed`)], repo)
  }
  const calls = () => aws.requests.length + gcp.calls.length
  const before = calls()
  const times = []
  for (let i = 0; i < n; i++) {
    writeFileSync(join(repo, 'f'), `${i}\n`)
    await must('git', ['add', 'f'], repo)
    times.push((await must('git', ['commit', '-q', '-m', `commit ${i}`], repo)).ms)
  }
  const verified = keyRef ? (await run('git', ['log', '--format=%G?'], {cwd: repo, env})).stdout.trim().split('\n') : []
  return {times, kmsCalls: calls() - before, verified}
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  return `mean ${mean.toFixed(0)} ms, median ${s[Math.floor(s.length / 2)].toFixed(0)} ms, p95 ${s[Math.floor(s.length * 0.95)].toFixed(0)} ms, first ${xs[0].toFixed(0)} ms`
}

try {
  await must(SIGIL, ['generate-key-pair', '--kms', 'awskms:///alias/git-bench', '--output-key-prefix', 'aws'], dir)
  const awsKeyId = [...aws.aliases.values()][0]
  const seeded = await gcp.seedKey('projects/p/locations/global/keyRings/bench/cryptoKeys/git', 'EC_SIGN_P256_SHA256')
  await must(SIGIL, ['generate-key-pair'], dir)
  console.log(`node ${process.version}, ${n} commits each (git commit, one process per signature)`)
  const cases = [
    ['unsigned', undefined],
    ['file key (cosign.key, scrypt)', join(dir, 'cosign.key'), 0],
    // Expected KMS calls for n commits: `git setup` caches a key id's public key (verifying);
    // an alias or key name is looked up by the first commit (3 calls + Sign), then Sign only.
    ['AWS KMS by alias', 'awskms:///alias/git-bench', n + 2],
    ['AWS KMS by key id', `awskms:///${awsKeyId}`, n],
    ['GCP KMS key version', `gcpkms://${seeded.versionName}`, n + 3],
    ['GCP KMS key name (newest version)', `gcpkms://${seeded.keyName}`, n + 3],
  ]
  for (const [label, keyRef, expected] of cases) {
    const {times, kmsCalls, verified} = await commits(label.replace(/\W+/g, '-'), keyRef)
    const good = verified.filter((v) => v === 'G').length
    const check = keyRef && (kmsCalls !== expected || good !== n) ? ` — EXPECTED ${expected} calls, ${n} verified` : ''
    if (check) process.exitCode = 1
    console.log(`${label.padEnd(34)} ${stats(times)}${keyRef ? `; KMS calls ${kmsCalls} (${(kmsCalls / n).toFixed(2)} per commit); verified by git: ${good}/${n}${check}` : ''}`)
  }
} finally {
  await aws.close()
  await gcp.close()
  rmSync(dir, {recursive: true, force: true})
}
