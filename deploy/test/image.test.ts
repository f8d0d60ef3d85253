/**
 * The controller's image as a cluster gets it: deploy/Dockerfile built by scripts/build-image.sh
 * (buildah, no daemon; this machine reaches no container registry, so FROM is a stand-in for
 * node:20-bookworm-slim made by ./node-base.sh), then run as deploy/kubernetes/deployment.yaml
 * says: its user and group, no capabilities, no new privileges, a read-only root filesystem,
 * its args and env, its volumes mounted where it mounts them and laid out as the kubelet writes
 * them (`..data` symlinks: the policies ConfigMap's own example policy, a TLS Secret from
 * `sigil admission certs`, a docker config.json Secret; an emptyDir /tmp), probed on its
 * probes' paths, asked real AdmissionReviews about images in a real registry that needs those
 * credentials, under an AWS KMS key on the loopback KMS server, then given a ConfigMap update
 * and a SIGTERM as the kubelet gives them.
 */
import {execFile, spawn} from 'node:child_process'
import type {ChildProcess} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {request} from 'node:https'
import {createServer} from 'node:net'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {parseAllDocuments} from 'yaml'
import {RegistryClient} from '@sigil/oci'
import {AWS_OFFLINE_ENV, pushRandomImage, requireRegistry, startAwsKmsServer, startRegistry} from '@sigil/test-servers'
import type {AwsKmsTestServer, TestRegistry} from '@sigil/test-servers'

const run = promisify(execFile)
const REPO = fileURLToPath(new URL('../..', import.meta.url))
const CLI = join(REPO, 'apps', 'cli', 'bin', 'run.js')
const BASE = 'localhost/node-stand-in:20'
const IMAGE = 'localhost/sigil-admission:test'

/** What this test needs besides the registry: root (chroot, mounts), buildah, debootstrap, unshare. */
function missingTools(): string[] {
  const missing = ['buildah', 'debootstrap', 'unshare'].filter((tool) => !['/usr/bin', '/usr/sbin', '/bin', '/sbin'].some((d) => existsSync(join(d, tool))))
  if (process.getuid?.() !== 0) missing.push('root (mounts and chroot)')
  return missing
}
const missing = missingTools()
const CI = process.env['CI'] === 'true' || process.env['CI'] === '1'
if (missing.length && CI) throw new Error(`the image test needs ${missing.join(', ')} under CI=true (scripts/setup.sh installs buildah and debootstrap)`)
const haveRegistry = requireRegistry()

interface Manifest {
  kind: string
  metadata: {name: string}
  data?: Record<string, string>
  spec?: any
}
const manifests: Manifest[] = parseAllDocuments(
  readdirSync(join(REPO, 'deploy', 'kubernetes'))
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .map((f) => readFileSync(join(REPO, 'deploy', 'kubernetes', f), 'utf8'))
    .join('\n---\n'),
)
  .map((d) => d.toJS())
  .filter(Boolean)
const deployment = manifests.find((m) => m.kind === 'Deployment')!
const pod = deployment.spec.template.spec
const container = pod.containers[0]

let storage: string
let work: string
let rootfs: string
let imageConfig: {User?: string; Env?: string[]; Entrypoint?: string[]; Cmd?: string[]}
let registry: TestRegistry
let kms: AwsKmsTestServer
let hostEnv: Record<string, string>
let ca: string
const PULLER = {username: 'puller', password: 'pw-never-shown-8812'}
const client = new RegistryClient({credentials: async () => ({kind: 'basic', ...PULLER})})

/** `buildah ARGS` on this test's own storage; stdout. */
async function buildah(...args: string[]): Promise<string> {
  const {stdout} = await run('buildah', args, {env: {...process.env, CONTAINERS_STORAGE_CONF: join(storage, 'storage.conf')}, maxBuffer: 64 << 20, timeout: 600_000})
  return stdout.trim()
}

/** The built CLI on this machine (keys, certificates, signing), as the user runs it. */
async function sigil(...args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], {cwd: work, env: {...process.env, ...hostEnv}, timeout: 60_000}, (error, stdout, stderr) =>
      resolve({code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr}),
    )
  })
}

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

/**
 * Write `files` into `dir` as the kubelet's atomic writer lays out a ConfigMap or Secret volume:
 * a timestamped directory, a `..data` symlink to it, and a symlink per key into `..data`. A second
 * call is an update: a new directory, then `..data` swapped in one rename.
 */
function writeVolume(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, {recursive: true, mode: 0o755})
  const generation = `..${new Date().toISOString().replace(/[-:.TZ]/g, '_')}${Math.random().toString(36).slice(2, 6)}`
  mkdirSync(join(dir, generation), {mode: 0o755})
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, generation, name), text)
    chmodSync(join(dir, generation, name), 0o644) // the volumes' defaultMode
    if (!existsSync(join(dir, name))) symlinkSync(join('..data', name), join(dir, name))
  }
  symlinkSync(generation, join(dir, '..data_tmp'))
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'))
}

/** The container's own process (the entrypoint), under `unshare --fork`. */
async function containerPid(child: ChildProcess): Promise<number> {
  const {stdout} = await run('pgrep', ['-P', String(child.pid)])
  return Number(stdout.trim().split('\n')[0])
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

/**
 * Run the image's entrypoint as the kubelet would run this Deployment's container: a mount
 * namespace, the volumes bound at their mountPaths (`volumes` maps volume names to host
 * directories; `tmpfs` for an emptyDir), the root filesystem read-only when the container's
 * securityContext says so, then chroot, the pod's user and group, no capabilities, no new
 * privileges, and only the image's env plus the container's env (and `extraEnv`).
 */
function runContainer(args: string[], volumes: Record<string, string>, extraEnv: Record<string, string> = {}, entrypoint = imageConfig.Entrypoint ?? []): ChildProcess {
  const security = {...pod.securityContext, ...container.securityContext}
  const env = new Map<string, string>()
  for (const e of imageConfig.Env ?? []) env.set(e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1))
  for (const e of container.env ?? []) env.set(e.name, e.value)
  for (const [k, v] of Object.entries(extraEnv)) env.set(k, v)
  const lines = ['set -eu', `R=${quote(rootfs)}`, 'mount --bind "$R" "$R"', 'mount -t proc proc "$R/proc"', 'mount --rbind /dev "$R/dev"']
  for (const m of container.volumeMounts ?? []) {
    const source = volumes[m.name]
    if (source === undefined) throw new Error(`no volume given for the Deployment's mount ${m.name}`)
    lines.push(`mkdir -p "$R"${quote(m.mountPath)}`)
    lines.push(source === 'tmpfs' ? `mount -t tmpfs -o mode=1777 tmpfs "$R"${quote(m.mountPath)}` : `mount --bind ${m.readOnly ? '-o ro ' : ''}${quote(source)} "$R"${quote(m.mountPath)}`)
    if (m.readOnly && source !== 'tmpfs') lines.push(`mount -o remount,bind,ro "$R"${quote(m.mountPath)}`)
  }
  if (security.readOnlyRootFilesystem) lines.push('mount -o remount,bind,ro "$R"')
  const [user, group] = [security.runAsUser ?? imageConfig.User?.split(':')[0], security.runAsGroup ?? imageConfig.User?.split(':')[1]]
  const priv = [`--reuid=${user}`, `--regid=${group}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all']
  if (security.allowPrivilegeEscalation === false) priv.push('--no-new-privs')
  const command = [...entrypoint, ...args]
  lines.push(`exec chroot "$R" /usr/bin/setpriv ${priv.join(' ')} -- /usr/bin/env -i ${[...env].map(([k, v]) => quote(`${k}=${v}`)).join(' ')} ${command.map(quote).join(' ')}`)
  return spawn('unshare', ['--mount', '--propagation', 'private', '--fork', '--kill-child=SIGTERM', '--', 'sh', '-c', lines.join('\n')], {stdio: ['ignore', 'pipe', 'pipe']})
}

/** A one-shot container's output and exit code; killed after 60 s (the test then fails on the code). */
async function collect(child: ChildProcess): Promise<{code: number | null; stdout: string; stderr: string}> {
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d: Buffer) => (stdout += d))
  child.stderr!.on('data', (d: Buffer) => (stderr += d))
  const exited = new Promise<number | null>((r) => child.on('exit', r))
  const timer = setTimeout(() => void containerPid(child).then((pid) => pid > 0 && process.kill(pid, 'SIGKILL')).catch(() => {}), 60_000)
  const code = await exited
  clearTimeout(timer)
  return {code, stdout, stderr}
}

function https(url: URL, method: string, body?: string): Promise<{status: number; text: string}> {
  return new Promise((resolve, reject) => {
    const req = request(url, {method, ca, agent: false, timeout: 15_000, headers: body ? {'content-type': 'application/json'} : {}}, (res) => {
      let text = ''
      res.on('data', (d: Buffer) => (text += d))
      res.on('end', () => resolve({status: res.statusCode ?? 0, text}))
    })
    req.on('timeout', () => req.destroy(new Error('no answer in 15 s')))
    req.on('error', reject)
    req.end(body)
  })
}

const ready = haveRegistry && missing.length === 0
/** The Deployment's volumes for a one-shot run that reads none of them. */
const unusedVolumes = () => ({policies: work, tls: work, 'docker-config': work, tmp: 'tmpfs'})

beforeAll(async () => {
  if (!ready) return
  work = mkdtempSync(join(tmpdir(), 'sigil-image-'))
  storage = join(work, 'containers')
  mkdirSync(storage)
  writeFileSync(join(storage, 'storage.conf'), `[storage]\ndriver = "vfs"\ngraphroot = "${storage}/root"\nrunroot = "${storage}/run"\n`)

  // The stand-in base image, once per machine (.cache), then into this test's storage.
  await run('bash', [join(REPO, 'deploy', 'test', 'node-base.sh'), join(REPO, '.cache', 'node-base')], {timeout: 600_000})
  const scratch = await buildah('from', 'scratch')
  const mounted = await buildah('mount', scratch)
  await run('cp', ['-a', `${join(REPO, '.cache', 'node-base')}/.`, mounted])
  rmSync(join(mounted, '.complete'))
  await buildah('umount', scratch)
  await buildah('config', '--env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--cmd', 'node', scratch)
  await buildah('commit', '-q', '--rm', scratch, BASE)

  // The image, as a user builds it without a Docker engine.
  await run('bash', [join(REPO, 'scripts', 'build-image.sh'), '--engine', 'buildah', '--base', BASE, '-t', IMAGE], {
    cwd: REPO,
    env: {...process.env, CONTAINERS_STORAGE_CONF: join(storage, 'storage.conf')},
    maxBuffer: 256 << 20,
    timeout: 840_000,
  }).catch((e: {stderr?: string; stdout?: string}) => {
    throw new Error(`scripts/build-image.sh failed:\n${(e.stdout ?? '').slice(-3000)}\n${(e.stderr ?? '').slice(-3000)}`)
  })
  imageConfig = JSON.parse(await buildah('inspect', '--type', 'image', IMAGE)).OCIv1.config
  const container = await buildah('from', '--pull=false', IMAGE)
  rootfs = await buildah('mount', container)

  registry = await startRegistry({htpasswd: PULLER})
  kms = await startAwsKmsServer({region: 'eu-west-1'})
  hostEnv = {...AWS_OFFLINE_ENV, AWS_ENDPOINT_URL_KMS: kms.endpoint, COSIGN_PASSWORD: 'pw', HOME: work, SIGIL_DATA_DIR: join(work, 'data'), SIGIL_CACHE_DIR: join(work, 'cache'), DOCKER_CONFIG: join(work, 'docker')}
  mkdirSync(join(work, 'docker'))
  writeFileSync(join(work, 'docker', 'config.json'), JSON.stringify({auths: {[registry.host]: {auth: Buffer.from(`${PULLER.username}:${PULLER.password}`).toString('base64')}}}))
}, 900_000)

afterAll(async () => {
  if (!work) return
  await kms?.close()
  await registry?.stop()
  await buildah('rm', '--all').catch(() => {})
  rmSync(work, {recursive: true, force: true})
})

describe.skipIf(!ready)(`the controller's image (${missing.length ? `skipped: needs ${missing.join(', ')}` : 'buildah'})`, () => {
  test('the Dockerfile sets the Deployment\'s user, the CLI as entrypoint and the caches under /tmp', () => {
    expect(imageConfig.User).toBe(`${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`)
    expect(imageConfig.Entrypoint).toEqual(['node', '/app/bin/run.js'])
    expect(imageConfig.Env).toEqual(expect.arrayContaining(['HOME=/tmp', 'SIGIL_CACHE_DIR=/tmp/sigil', 'SIGIL_DATA_DIR=/tmp/sigil-data']))
    expect(container.volumeMounts.find((m: {mountPath: string}) => m.mountPath === '/tmp')).toBeDefined()
  })

  test('the image holds the built CLI with production dependencies only: no dev tools, sources, tests, keys or git', async () => {
    const app = join(rootfs, 'app')
    expect(existsSync(join(app, 'bin', 'run.js'))).toBe(true)
    expect(existsSync(join(app, 'dist', 'sigil.bundle.cjs'))).toBe(true)
    const store = readdirSync(join(app, 'node_modules', '.pnpm'))
    expect(store.some((d) => d.startsWith('@aws-sdk+client-kms@'))).toBe(true)
    for (const dev of ['vitest@', 'typescript@', 'turbo@', 'rolldown@', '@changesets+', '@sigil+test-servers', '@sigil+testkit']) {
      expect(store.filter((d) => d.startsWith(dev)), dev).toEqual([])
    }
    const {stdout} = await run('find', [app, '(', '-name', '*.test.*', '-o', '-name', '*.ts', '-not', '-name', '*.d.ts', '-o', '-name', '.git', '-o', '-name', '*.key', '-o', '-name', 'src', '-type', 'd', ')', '-not', '-path', '*/node_modules/*', '-print'])
    expect(stdout.trim()).toBe('')
    const {stdout: size} = await run('du', ['-sm', app])
    expect(Number(size.split('\t')[0])).toBeLessThan(160)
  })

  test('every SDK the bundle loads on demand (cloud KMS, ECR, yaml) loads in the image, as its user', async () => {
    const chunks = [join(rootfs, 'app', 'dist', 'sigil.bundle.cjs'), ...readdirSync(join(rootfs, 'app', 'dist', 'chunks')).filter((f) => f.endsWith('.cjs')).map((f) => join(rootfs, 'app', 'dist', 'chunks', f))]
    const pairs = new Set<string>()
    for (const file of chunks) {
      for (const m of readFileSync(file, 'latin1').matchAll(/createRequire\(require\.resolve\("([^"]+)"\)\)\("([^"]+)"\)/g)) pairs.add(JSON.stringify([m[1], m[2]]))
    }
    expect([...pairs].map((p) => JSON.parse(p)[1])).toEqual(expect.arrayContaining(['@aws-sdk/client-kms', '@google-cloud/kms', '@aws-sdk/client-ecr', 'yaml']))
    // Resolved as the bundle resolves them (from a chunk's directory), then loaded.
    const script = `const {createRequire} = require('node:module'); const from = createRequire('/app/dist/chunks/x.cjs');
      for (const [owner, sdk] of ${JSON.stringify([...pairs].map((p) => JSON.parse(p)))}) { createRequire(from.resolve(owner))(sdk); console.log('loaded ' + sdk) }`
    const r = await collect(runContainer([], unusedVolumes(), {}, ['node', '-e', script]))
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.trim().split('\n')).toHaveLength(pairs.size)
  })

  test('`sigil version` runs from the image as its user, from the build-time code caches', async () => {
    const r = await collect(runContainer(['version'], unusedVolumes(), {SIGIL_DEBUG_CODE_CACHE: '1'}))
    expect(r.code, r.stderr).toBe(0)
    const version = JSON.parse(readFileSync(join(REPO, 'apps', 'cli', 'package.json'), 'utf8')).version
    expect(r.stdout).toContain(`@sigil/cli/${version} linux-x64 node-v`)
    expect(r.stderr).toContain('code cache accepted: dist/sigil.bundle.cjs')
  })

  describe('run as deploy/kubernetes/deployment.yaml runs it', () => {
    let server: ChildProcess
    let log = ''
    let base: URL
    let alias: string
    let policyFile: string
    let policyText: string
    const volume = (name: string) => join(work, 'volumes', name)

    beforeAll(async () => {
      // Keys: a KMS key under the ConfigMap's own alias, and a file key that no policy trusts.
      const policyDoc = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'sigil-admission-policies')!
      const [file, text] = Object.entries(policyDoc.data!)[0]!
      alias = /kms: (awskms:\S+)/.exec(text)![1]!
      expect((await sigil('generate-key-pair', '--kms', alias, '--output-key-prefix', 'release')).code).toBe(0)
      expect((await sigil('generate-key-pair', '--output-key-prefix', 'other')).code).toBe(0)

      // The volumes, laid out as the kubelet does (..data symlinks): the ConfigMap's policy with
      // its glob pointed at this registry, the TLS Secret from `sigil admission certs`, the
      // docker config Secret.
      policyFile = file
      policyText = text.replace(/glob: "[^"]+"/, `glob: "${registry.host}/team/**"`)
      writeVolume(volume('policies'), {[file]: policyText})
      const service = manifests.find((m) => m.kind === 'Service')!.metadata.name
      const certs = await sigil('admission', 'certs', '--service', service, '--namespace', 'sigil-system', '--host', '127.0.0.1', '--output-dir', 'made-tls')
      expect(certs.code, certs.stderr).toBe(0)
      ca = readFileSync(join(work, 'made-tls', 'ca.crt'), 'utf8')
      writeVolume(volume('tls'), Object.fromEntries(['tls.crt', 'tls.key', 'ca.crt'].map((f) => [f, readFileSync(join(work, 'made-tls', f), 'utf8')])))
      writeVolume(volume('docker-config'), {'config.json': readFileSync(join(work, 'docker', 'config.json'), 'utf8')})

      const port = await freePort()
      const args = container.args.map((a: string) => (a.startsWith('--listen=') ? `--listen=127.0.0.1:${port}` : a))
      expect(args).not.toEqual(container.args)
      server = runContainer(args, {policies: volume('policies'), tls: volume('tls'), 'docker-config': volume('docker-config'), tmp: 'tmpfs'}, {
        ...AWS_OFFLINE_ENV,
        AWS_ENDPOINT_URL_KMS: kms.endpoint,
      })
      server.stderr!.on('data', (d: Buffer) => (log += d))
      server.stdout!.on('data', (d: Buffer) => (log += d))
      base = new URL(`https://127.0.0.1:${port}`)
      // The readiness probe, as the kubelet sends it.
      const probe = container.readinessProbe.httpGet
      expect(probe.scheme).toBe('HTTPS')
      const started = Date.now()
      for (;;) {
        if (server.exitCode !== null) throw new Error(`the controller exited: ${log}`)
        if (Date.now() - started > 30_000) throw new Error(`not ready in 30 s: ${log}`)
        const r = await https(new URL(probe.path, base), 'GET').catch(() => undefined)
        if (r?.status === 200) break
        await new Promise((r) => setTimeout(r, 100))
      }
    })

    afterAll(async () => {
      // unshare blocks SIGTERM in its own process; the container's process gets the signals.
      if (server && server.exitCode === null) {
        process.kill(await containerPid(server), 'SIGKILL')
        await new Promise((r) => server.once('exit', r))
      }
    })

    const review = (image: string) =>
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid: `uid-${image}`,
          kind: {group: '', version: 'v1', kind: 'Pod'},
          resource: {group: '', version: 'v1', resource: 'pods'},
          namespace: 'team',
          operation: 'CREATE',
          userInfo: {username: 'alice'},
          object: {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'p', namespace: 'team'}, spec: {containers: [{name: 'c', image}]}},
          dryRun: false,
        },
      })

    test('the process runs as the pod\'s user, with no capabilities, on a read-only root', async () => {
      const pid = await containerPid(server)
      const status = readFileSync(`/proc/${pid}/status`, 'utf8')
      expect(status).toMatch(new RegExp(`^Uid:\\s+${pod.securityContext.runAsUser}\\s`, 'm'))
      expect(status).toMatch(new RegExp(`^Gid:\\s+${pod.securityContext.runAsGroup}\\s`, 'm'))
      expect(status).toMatch(/^CapEff:\s+0+$/m)
      expect(status).toMatch(/^NoNewPrivs:\s+1$/m)
      const mounts = readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
      const root = mounts.split('\n').find((l) => l.split(' ')[4] === '/')
      expect(root?.split(' ')[5]).toMatch(/^ro\b/)
    })

    test('liveness and metrics answer on the probes\' paths', async () => {
      expect((await https(new URL(container.livenessProbe.httpGet.path, base), 'GET')).status).toBe(200)
      const metrics = await https(new URL('/metrics', base), 'GET')
      expect(metrics.status).toBe(200)
      expect(metrics.text).toContain('sigil_admission_')
    })

    test('an image signed with the KMS key, in a registry behind the mounted credentials: admitted, and /mutate pins its digest', async () => {
      const {digest} = await pushRandomImage(client, {registry: registry.host, repository: 'team/app'}, 'v1')
      const ref = `${registry.host}/team/app:v1`
      const signed = await sigil('sign', '--key', alias, ref)
      expect(signed.code, signed.stderr).toBe(0)
      const v = await https(new URL('/validate', base), 'POST', review(ref))
      expect(v.status).toBe(200)
      expect(JSON.parse(v.text).response, log).toMatchObject({allowed: true})
      const m = JSON.parse((await https(new URL('/mutate', base), 'POST', review(ref))).text).response
      expect(JSON.parse(Buffer.from(m.patch, 'base64').toString())).toEqual([{op: 'replace', path: '/spec/containers/0/image', value: `${ref}@${digest}`}])
    })

    test('unsigned, or signed with a key no policy names: denied, with the reason', async () => {
      await pushRandomImage(client, {registry: registry.host, repository: 'team/unsigned'}, 'v1')
      await pushRandomImage(client, {registry: registry.host, repository: 'team/other'}, 'v1')
      expect((await sigil('sign', '--key', 'other.key', `${registry.host}/team/other:v1`)).code).toBe(0)
      for (const [repo, reason] of [['team/unsigned', /no signature/i], ['team/other', /no matching signature/i]] as const) {
        const r = JSON.parse((await https(new URL('/validate', base), 'POST', review(`${registry.host}/${repo}:v1`))).text).response
        expect(r.allowed).toBe(false)
        expect(r.status.message).toMatch(reason)
        expect(r.status.message).toContain(`${registry.host}/${repo}:v1`)
      }
      expect(log).not.toContain(PULLER.password)
    })

    test('a ConfigMap update (the kubelet swaps ..data) is in force without a restart', async () => {
      await pushRandomImage(client, {registry: registry.host, repository: 'apps/web'}, 'v1')
      const ref = `${registry.host}/apps/web:v1`
      expect((await sigil('sign', '--key', 'other.key', ref)).code).toBe(0)
      const decide = async () => JSON.parse((await https(new URL('/validate', base), 'POST', review(ref))).text).response
      // No policy names apps/**: the default --no-match-policy denies.
      expect((await decide()).allowed).toBe(false)
      const otherKey = readFileSync(join(work, 'other.pub'), 'utf8').trim().split('\n').map((l) => `          ${l}`).join('\n')
      const apps = `apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nmetadata:\n  name: apps\nspec:\n  images:\n    - glob: "${registry.host}/apps/**"\n  authorities:\n    - key:\n        data: |\n${otherKey}\n`
      writeVolume(volume('policies'), {[policyFile]: policyText, 'apps.yaml': apps})
      const started = Date.now()
      while (!(await decide()).allowed) {
        if (Date.now() - started > 30_000) throw new Error(`the updated ConfigMap was not in force after 30 s: ${log}`)
        await new Promise((r) => setTimeout(r, 250))
      }
      // The first policy still holds.
      expect(JSON.parse((await https(new URL('/validate', base), 'POST', review(`${registry.host}/team/unsigned:v1`))).text).response.allowed).toBe(false)
    })

    test('SIGTERM, as the kubelet stops a pod: it stops and exits 0 within the grace period', async () => {
      const exited = new Promise<number | null>((r) => server.once('exit', r))
      process.kill(await containerPid(server), 'SIGTERM')
      const grace = (pod.terminationGracePeriodSeconds ?? 30) * 1000
      const code = await Promise.race([exited, new Promise((r) => setTimeout(r, grace, 'still running'))])
      expect(code, log).toBe(0)
    })
  })
})

if (!ready) console.warn(`the image test is skipped here: it needs ${[...missing, ...(haveRegistry ? [] : ['docker-registry'])].join(', ')}`)

// Kept out of the image by .dockerignore: the keys and certificates a user makes in the tree.
test('.dockerignore keeps TLS keys, caches, builds and git out of the build context', () => {
  const ignore = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n')
  for (const entry of ['.git', '**/node_modules', '**/dist', '.cache', 'deploy/kubernetes/tls', '**/*.key']) expect(ignore).toContain(entry)
  expect(statSync(join(REPO, 'scripts', 'build-image.sh')).mode & 0o111).not.toBe(0)
})
