/**
 * `sigil admission serve` as the API server meets it: the built binary over real HTTPS (its
 * certificate from `sigil admission certs`), real AdmissionReview bodies, the real registry with
 * images signed and attested by sigil (both formats), cosign 2.5 and cosign 3.1.1, a fault proxy for a
 * registry that hangs, a closed port for one that is down, and the loopback AWS KMS server.
 */
import {spawn} from 'node:child_process'
import type {ChildProcess} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {request} from 'node:https'
import {createServer} from 'node:net'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {
  AWS_OFFLINE_ENV,
  cosign3SignArgs,
  cosign3SigningConfig,
  pushRandomImage,
  requireCosign,
  requireCosign3,
  requireRegistry,
  runCosign,
  startAwsKmsServer,
  startFaultProxy,
  startRegistry,
} from '@sigil/test-servers'
import type {AwsKmsTestServer, FaultProxy, TestRegistry} from '@sigil/test-servers'
import {BIN, sigil} from './run-cli.js'
import {clusterImagePolicy, keyData} from './policies.js'

const cosign = requireCosign()
const cosign3 = requireCosign3()

let registry: TestRegistry
let privateRegistry: TestRegistry
const PULLER = {username: 'puller', password: 'pw-never-shown-4711'}
let proxy: FaultProxy
let kms: AwsKmsTestServer
let dir: string
let env: Record<string, string | undefined>
let server: ChildProcess
let serverLog = ''
let url: URL
let ca: string
let deadPort: number
const client = new RegistryClient()
const DEADLINE_MS = 2000

const policy = clusterImagePolicy
const pemKey = (file: string) => keyData(readFileSync(join(dir, file), 'utf8'))

/** Write a file as a ConfigMap update does: whole, in one step. */
function writeWhole(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text)
  renameSync(`${path}.tmp`, path)
}

interface Answer {
  status: number
  text: string
  json?: any
}

function send(path: string, body: string | Buffer, contentType = 'application/json', method = 'POST'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // A new connection each time (no TLS session reuse): certificate rotation is then visible.
    const req = request(new URL(path, url), {method, ca, agent: false, headers: {'content-type': contentType}}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let json
        try {
          json = JSON.parse(text)
        } catch {}
        resolve({status: res.statusCode ?? 0, text, json})
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

let uid = 0
function reviewOf(kind: string, object: unknown, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${++uid}`,
      kind: {group: kind === 'Pod' ? '' : kind === 'CronJob' || kind === 'Job' ? 'batch' : 'apps', version: 'v1', kind},
      resource: {group: '', version: 'v1', resource: `${kind.toLowerCase()}s`},
      requestKind: {group: '', version: 'v1', kind},
      namespace: 'team',
      name: 'x',
      operation: 'CREATE',
      userInfo: {username: 'system:serviceaccount:kube-system:replicaset-controller'},
      object,
      oldObject: null,
      dryRun: false,
      options: {apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions'},
      ...extra,
    },
  }
}
const podOf = (...images: string[]) => ({apiVersion: 'v1', kind: 'Pod', metadata: {name: 'p', namespace: 'team'}, spec: {containers: images.map((image, i) => ({name: `c${i}`, image}))}})
const validate = async (review: unknown, path = '/validate') => {
  const a = await send(path, JSON.stringify(review))
  expect(a.status, a.text).toBe(200)
  return a.json.response as {uid: string; allowed: boolean; status?: {code: number; message: string}; warnings?: string[]; patchType?: string; patch?: string}
}

async function image(repository: string, tag = 'v1', host = registry.host): Promise<{ref: string; digest: string}> {
  const {digest} = await pushRandomImage(client, {registry: registry.host, repository}, tag)
  return {ref: `${host}/${repository}:${tag}`, digest}
}
async function sigilSign(ref: string, key = 'cosign.key', extra: string[] = []) {
  const s = await sigil(['sign', '--key', key, ...extra, ref], {cwd: dir, env})
  expect(s.code, s.stderr).toBe(0)
}

/** `sigil admission serve` on a free port with the policies directory; resolves once it listens. */
async function startServer(extra: string[]): Promise<{child: ChildProcess; url: URL; log: () => string}> {
  const child = spawn(
    process.execPath,
    [BIN, 'admission', 'serve', '--policy', 'policies', '--tls-cert-file', 'tls/tls.crt', '--tls-private-key-file', 'tls/tls.key', '--listen', '127.0.0.1:0', '--deadline', `${DEADLINE_MS}ms`, '--reload-interval', '100ms', ...extra],
    {cwd: dir, env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']},
  )
  let log = ''
  child.stderr!.on('data', (d: Buffer) => {
    log += d.toString()
    if (extra.length === 0) serverLog += d.toString()
  })
  const started = Date.now()
  while (!/listening on (https:\S+)/.test(log)) {
    if (child.exitCode !== null || Date.now() - started > 20_000) throw new Error(`the server did not start: ${log}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return {child, url: new URL(/listening on (https:\S+)/.exec(log)![1]!), log: () => log}
}

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  proxy = await startFaultProxy(registry.host)
  privateRegistry = await startRegistry({htpasswd: PULLER})
  kms = await startAwsKmsServer({region: 'eu-west-1'})
  dir = mkdtempSync(join(tmpdir(), 'sigil-admission-'))
  env = {
    ...AWS_OFFLINE_ENV,
    AWS_ENDPOINT_URL_KMS: kms.endpoint,
    COSIGN_PASSWORD: 'pw',
    HOME: dir,
    SIGIL_DATA_DIR: join(dir, 'data'),
    DOCKER_CONFIG: join(dir, 'docker'),
  }
  // Registry credentials as in a cluster: a mounted docker config.json.
  mkdirSync(join(dir, 'docker'))
  writeFileSync(join(dir, 'docker', 'config.json'), JSON.stringify({auths: {[privateRegistry.host]: {auth: Buffer.from(`${PULLER.username}:${PULLER.password}`).toString('base64')}}}))
  for (const name of ['cosign', 'other']) expect((await sigil(['generate-key-pair', '--output-key-prefix', name], {cwd: dir, env})).code).toBe(0)
  expect((await sigil(['generate-key-pair', '--kms', 'awskms:///alias/admission', '--output-key-prefix', 'aws'], {cwd: dir, env})).code).toBe(0)
  const c = await sigil(['admission', 'certs', '--service', 'sigil-admission', '--namespace', 'sigil-system', '--host', '127.0.0.1', '--output-dir', 'tls'], {cwd: dir, env})
  expect(c.code, c.stderr).toBe(0)
  ca = readFileSync(join(dir, 'tls', 'ca.crt'), 'utf8')
  expect(c.stdout.trim()).toBe(Buffer.from(ca).toString('base64'))

  const dead = createServer()
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r))
  deadPort = (dead.address() as AddressInfo).port
  await new Promise((r) => dead.close(r))

  mkdirSync(join(dir, 'policies'))
  writeWhole(join(dir, 'policies', 'signed.yaml'), policy('signed', `${registry.host}/adm/**`, pemKey('cosign.pub')))
  writeWhole(join(dir, 'policies', 'proxied.yaml'), policy('proxied', `${proxy.host}/guarded/**`, pemKey('cosign.pub')))
  writeWhole(join(dir, 'policies', 'down.yaml'), policy('down', `127.0.0.1:${deadPort}/**`, pemKey('cosign.pub')))
  writeWhole(join(dir, 'policies', 'kms.yaml'), policy('kms', `${registry.host}/kms/**`, '        kms: awskms:///alias/admission'))
  writeWhole(
    join(dir, 'policies', 'elsewhere.yaml'),
    policy('elsewhere', `${registry.host}/split/**`, pemKey('cosign.pub')).replace('    - name: key\n', `    - name: key\n      source:\n        - oci: ${registry.host}/signature-store\n`),
  )
  writeWhole(join(dir, 'policies', 'private.yaml'), policy('private', `${privateRegistry.host}/**`, pemKey('cosign.pub')))
  writeWhole(join(dir, 'policies', 'warn.yaml'), policy('warned', `${registry.host}/soft/**`, pemKey('cosign.pub'), '  mode: warn\n'))
  writeWhole(
    join(dir, 'policies', 'attested.yaml'),
    policy('attested', `${registry.host}/att/**`, pemKey('cosign.pub')).replace('    - name: key\n', '    - name: key\n      attestations:\n        - name: provenance\n          predicateType: slsaprovenance\n'),
  )
  writeFileSync(join(dir, 'slsa.json'), JSON.stringify({builder: {id: 'https://ci.example.com/b@v1'}, buildType: 'https://ci.example.com/build@v1', materials: []}))

  const started = await startServer([])
  server = started.child
  url = started.url
  expect(serverLog).toContain('with 8 ClusterImagePolicies')
})

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM')
    await new Promise((r) => server.once('exit', r))
  }
  await kms?.close()
  await proxy?.close()
  await registry?.stop()
  await privateRegistry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

describe('sigil admission serve', () => {
  test('TLS 1.1 is refused', async () => {
    await expect(
      new Promise((resolve, reject) => {
        const req = request(new URL('/healthz', url), {ca, agent: false, maxVersion: 'TLSv1.1', minVersion: 'TLSv1'}, resolve)
        req.on('error', reject)
        req.end()
      }),
    ).rejects.toThrow()
  })

  test('health, readiness and metrics over TLS 1.2+', async () => {
    expect((await send('/healthz', '', 'text/plain', 'GET')).status).toBe(200)
    expect((await send('/readyz', '', 'text/plain', 'GET')).status).toBe(200)
    const m = await send('/metrics', '', 'text/plain', 'GET')
    expect(m.status).toBe(200)
    expect(m.text).toContain('# TYPE sigil_admission_verification_seconds histogram')
  })

  test('signed by sigil (legacy .sig): admitted; /mutate pins the tag to the verified digest', async () => {
    const {ref, digest} = await image('adm/legacy')
    await sigilSign(ref)
    const review = reviewOf('Pod', podOf(ref))
    const v = await validate(review)
    expect(v).toMatchObject({uid: review.request.uid, allowed: true})
    expect(v.patch).toBeUndefined()
    const m = await validate(review, '/mutate')
    expect(m.allowed).toBe(true)
    expect(m.patchType).toBe('JSONPatch')
    expect(JSON.parse(Buffer.from(m.patch!, 'base64').toString())).toEqual([{op: 'replace', path: '/spec/containers/0/image', value: `${ref}@${digest}`}])
    // Already pinned: nothing to patch.
    const pinned = await validate(reviewOf('Pod', podOf(`${ref}@${digest}`)), '/mutate')
    expect(pinned.allowed).toBe(true)
    expect(pinned.patch).toBeUndefined()
  })

  test('signed by sigil as a cosign 3 bundle (referrers): admitted', async () => {
    const {ref} = await image('adm/bundle')
    await sigilSign(ref, 'cosign.key', ['--new-bundle-format'])
    expect((await validate(reviewOf('Pod', podOf(ref)))).allowed).toBe(true)
  })

  test.skipIf(!cosign)('signed by cosign 2.5 (legacy): admitted', async () => {
    const {ref} = await image('adm/cosign2')
    const s = await runCosign(['sign', '--key', 'cosign.key', '--tlog-upload=false', '--yes', '--allow-http-registry', ref], {cwd: dir, env: {COSIGN_PASSWORD: 'pw'}})
    expect(s.code, s.stderr).toBe(0)
    expect((await validate(reviewOf('Pod', podOf(ref)))).allowed).toBe(true)
  })

  test.skipIf(!cosign3)('signed by cosign 3.1.1 with a key (a sigstore bundle, which policy-controller refuses): admitted', async () => {
    const {ref} = await image('adm/cosign3')
    const config = await cosign3SigningConfig(dir)
    const s = await runCosign(['sign', '--key', 'cosign.key', ...cosign3SignArgs(config), ref], {cwd: dir, env: {COSIGN_PASSWORD: 'pw'}, cosign: cosign3})
    expect(s.code, s.stderr).toBe(0)
    expect((await validate(reviewOf('Pod', podOf(ref)))).allowed).toBe(true)
  })

  test('source[].oci: signatures stored in another repository (COSIGN_REPOSITORY) are found there, and only there', async () => {
    const split = await image('split/app')
    const s = await sigil(['sign', '--key', 'cosign.key', split.ref], {cwd: dir, env: {...env, COSIGN_REPOSITORY: `${registry.host}/signature-store`}})
    expect(s.code, s.stderr).toBe(0)
    expect((await validate(reviewOf('Pod', podOf(split.ref)))).allowed).toBe(true)
    const beside = await image('split/beside')
    await sigilSign(beside.ref) // its signature is next to it, not in the policy's source
    expect((await validate(reviewOf('Pod', podOf(beside.ref)))).status!.message).toContain('no signature')
  })

  describe('attestations[]: an authority that requires a slsaprovenance attestation by its key', () => {
    const attest = async (ref: string, key = 'cosign.key', extra: string[] = []) => {
      const a = await sigil(['attest', '--key', key, '--predicate', 'slsa.json', ...extra, ref], {cwd: dir, env})
      expect(a.code, a.stderr).toBe(0)
    }
    const MISSING = 'no attestation provenance (slsaprovenance = https://slsa.dev/provenance/v0.2)'

    test('signed and attested by sigil (legacy .att): admitted', async () => {
      const {ref} = await image('att/legacy')
      await sigilSign(ref)
      await attest(ref, 'cosign.key', ['--type', 'slsaprovenance'])
      expect(await validate(reviewOf('Pod', podOf(ref)))).toMatchObject({allowed: true})
    })

    test('signed and attested by sigil as cosign 3 bundles (referrers): admitted', async () => {
      const {ref} = await image('att/bundle')
      await sigilSign(ref, 'cosign.key', ['--new-bundle-format'])
      await attest(ref, 'cosign.key', ['--type', 'slsaprovenance', '--new-bundle-format'])
      expect(await validate(reviewOf('Pod', podOf(ref)))).toMatchObject({allowed: true})
    })

    test('attested but not signed: admitted, as policy-controller does (such an authority checks attestations only)', async () => {
      const {ref} = await image('att/unsigned')
      await attest(ref, 'cosign.key', ['--type', 'slsaprovenance'])
      expect(await validate(reviewOf('Pod', podOf(ref)))).toMatchObject({allowed: true})
    })

    test('signed without an attestation, or attested with another type: denied, naming the attestation wanted', async () => {
      const bare = await image('att/bare')
      await sigilSign(bare.ref)
      const b = await validate(reviewOf('Pod', podOf(bare.ref)))
      expect(b.allowed).toBe(false)
      expect(b.status!.message).toContain(`image "${bare.ref}" (containers/c0): no attestation (policy attested: authority key: no attestations found (required: provenance (slsaprovenance = https://slsa.dev/provenance/v0.2)))`)
      const sbom = await image('att/sbom')
      await sigilSign(sbom.ref)
      await attest(sbom.ref, 'cosign.key', ['--type', 'cyclonedx'])
      const s = await validate(reviewOf('Pod', podOf(sbom.ref)))
      expect(s.allowed).toBe(false)
      expect(s.status!.message).toContain(`no attestation (policy attested: authority key: ${MISSING} verified with its key (verified: https://cyclonedx.org/bom))`)
    })

    test('attested with another key: denied (no matching attestation), in both formats', async () => {
      for (const [repository, extra] of [['att/other', []], ['att/other-bundle', ['--new-bundle-format']]] as const) {
        const {ref} = await image(repository)
        await sigilSign(ref, 'cosign.key', [...extra])
        await attest(ref, 'other.key', ['--type', 'slsaprovenance', ...extra])
        const o = await validate(reviewOf('Pod', podOf(ref)))
        expect(o.allowed).toBe(false)
        expect(o.status!.message).toMatch(/: no matching attestation \(policy attested: authority key: no matching attestations: .*(invalid signature|another key).*\(required: provenance \(slsaprovenance/)
      }
    })

    test.skipIf(!cosign)('attested by cosign 2.5 (attest --tlog-upload=false, a legacy .att): admitted', async () => {
      const {ref} = await image('att/cosign2')
      const pw = {COSIGN_PASSWORD: 'pw'}
      expect((await runCosign(['sign', '--key', 'cosign.key', '--tlog-upload=false', '--yes', '--allow-http-registry', ref], {cwd: dir, env: pw})).code).toBe(0)
      const a = await runCosign(['attest', '--key', 'cosign.key', '--type', 'slsaprovenance', '--predicate', 'slsa.json', '--tlog-upload=false', '--yes', '--allow-http-registry', ref], {cwd: dir, env: pw})
      expect(a.code, a.stderr).toBe(0)
      expect(await validate(reviewOf('Pod', podOf(ref)))).toMatchObject({allowed: true})
    })

    test.skipIf(!cosign3)('attested by cosign 3.1.1 (a sigstore bundle referrer): admitted', async () => {
      const {ref} = await image('att/cosign3')
      const config = await cosign3SigningConfig(dir)
      const a = await runCosign(['attest', '--key', 'cosign.key', '--type', 'slsaprovenance', '--predicate', 'slsa.json', ...cosign3SignArgs(config), ref], {cwd: dir, env: {COSIGN_PASSWORD: 'pw'}, cosign: cosign3})
      expect(a.code, a.stderr).toBe(0)
      expect(await validate(reviewOf('Pod', podOf(ref)))).toMatchObject({allowed: true})
      // The same attestation type by cosign 3, but for another key: denied.
      const other = await image('att/cosign3-other')
      const o = await runCosign(['attest', '--key', 'other.key', '--type', 'slsaprovenance', '--predicate', 'slsa.json', ...cosign3SignArgs(config), other.ref], {cwd: dir, env: {COSIGN_PASSWORD: 'pw'}, cosign: cosign3})
      expect(o.code, o.stderr).toBe(0)
      expect((await validate(reviewOf('Pod', podOf(other.ref)))).status!.message).toContain('no matching attestation')
    })
  })

  test('unsigned, another key, re-tagged after signing: denied, naming the image and why', async () => {
    const unsigned = await image('adm/unsigned')
    const other = await image('adm/other')
    await sigilSign(other.ref, 'other.key')
    const moved = await image('adm/moved')
    await sigilSign(moved.ref)
    await pushRandomImage(client, {registry: registry.host, repository: 'adm/moved'}, 'v1') // the tag now names an unsigned image

    const u = await validate(reviewOf('Pod', podOf(unsigned.ref)))
    expect(u.allowed).toBe(false)
    expect(u.status!.code).toBe(403)
    expect(u.status!.message).toContain(`image "${unsigned.ref}" (containers/c0): no signature`)
    const o = await validate(reviewOf('Pod', podOf(other.ref)))
    expect(o.allowed).toBe(false)
    expect(o.status!.message).toContain('no matching signature')
    const m = await validate(reviewOf('Pod', podOf(moved.ref)))
    expect(m.allowed).toBe(false)
    expect(m.status!.message).toContain('no signature')
    // The signed digest itself is still admitted.
    expect((await validate(reviewOf('Pod', podOf(`${moved.ref.replace(':v1', '')}@${moved.digest}`)))).allowed).toBe(true)
  })

  test('Deployment create and update, CronJob, initContainers and ephemeralContainers, dry run', async () => {
    const signed = await image('adm/workload')
    await sigilSign(signed.ref)
    const unsigned = await image('adm/debugger')
    const template = (spec: unknown) => ({metadata: {labels: {app: 'x'}}, spec})
    const deployment = (img: string) => ({apiVersion: 'apps/v1', kind: 'Deployment', metadata: {name: 'd'}, spec: {replicas: 2, selector: {matchLabels: {app: 'x'}}, template: template({containers: [{name: 'app', image: img}]})}})

    const created = await validate(reviewOf('Deployment', deployment(signed.ref)), '/mutate')
    expect(created.allowed).toBe(true)
    expect(JSON.parse(Buffer.from(created.patch!, 'base64').toString())[0].path).toBe('/spec/template/spec/containers/0/image')
    const updated = await validate(reviewOf('Deployment', deployment(unsigned.ref), {operation: 'UPDATE', oldObject: deployment(signed.ref), options: {kind: 'UpdateOptions'}}))
    expect(updated.allowed).toBe(false)

    const cron = {apiVersion: 'batch/v1', kind: 'CronJob', metadata: {name: 'c'}, spec: {schedule: '* * * * *', jobTemplate: {spec: {template: template({restartPolicy: 'Never', containers: [{name: 'job', image: signed.ref}]})}}}}
    const c = await validate(reviewOf('CronJob', cron), '/mutate')
    expect(c.allowed).toBe(true)
    expect(JSON.parse(Buffer.from(c.patch!, 'base64').toString())[0].path).toBe('/spec/jobTemplate/spec/template/spec/containers/0/image')

    const pod = {...podOf(signed.ref), spec: {initContainers: [{name: 'init', image: signed.ref}], containers: [{name: 'app', image: signed.ref}], ephemeralContainers: [{name: 'dbg', image: unsigned.ref}]}}
    const p = await validate(reviewOf('Pod', pod))
    expect(p.allowed).toBe(false)
    expect(p.status!.message).toContain('(ephemeralContainers/dbg): no signature')
    expect(p.status!.message).not.toContain(signed.ref)

    const dry = await validate(reviewOf('Pod', podOf(signed.ref), {dryRun: true}))
    expect(dry.allowed).toBe(true)
    const del = await validate(reviewOf('Pod', null, {operation: 'DELETE', oldObject: podOf(unsigned.ref)}))
    expect(del.allowed).toBe(true)
  })

  test('mode warn: a failing policy admits with a warning', async () => {
    const {ref} = await image('soft/app')
    const w = await validate(reviewOf('Pod', podOf(ref)))
    expect(w.allowed).toBe(true)
    expect(w.warnings?.[0]).toMatch(/admitted with a warning: no signature \(policy warned/)
  })

  test('an image no policy matches is denied (--no-match-policy deny) without any registry request', async () => {
    const before = proxy.requests.length
    const r = await validate(reviewOf('Pod', podOf(`${proxy.host}/elsewhere/app:v1`)))
    expect(r.allowed).toBe(false)
    expect(r.status!.message).toContain('no ClusterImagePolicy matches this image')
    expect(proxy.requests.length).toBe(before)
  })

  test('100 concurrent cold requests for one new image make one verification (the request floor through the proxy)', async () => {
    const {ref} = await image('guarded/hot', 'v1', proxy.host)
    await sigilSign(ref)
    const before = proxy.requests.length
    const answers = await Promise.all(Array.from({length: 100}, () => validate(reviewOf('Pod', podOf(ref)))))
    expect(answers.every((a) => a.allowed)).toBe(true)
    const made = proxy.requests.slice(before)
    // Resolve the tag, list referrers (tag schema), read the .sig manifest and its layer.
    expect(made.filter((r) => r.startsWith('GET /v2/guarded/hot/manifests/v1'))).toHaveLength(1)
    expect(made.length).toBeLessThanOrEqual(5)
  })

  test('a registry that hangs: denied within the deadline, with a clear message; a registry that is down: the same', async () => {
    const {ref} = await image('guarded/stuck', 'v1', proxy.host)
    proxy.setRule((_m, path) => (path.includes('/guarded/stuck/') ? {kind: 'hang'} : {kind: 'pass'}))
    try {
      const started = Date.now()
      const r = await validate(reviewOf('Pod', podOf(ref)))
      const took = Date.now() - started
      expect(r.allowed).toBe(false)
      expect(r.status!.message).toMatch(/registry unreachable/)
      expect(took).toBeGreaterThan(DEADLINE_MS - 500)
      expect(took).toBeLessThan(DEADLINE_MS + 1500)
    } finally {
      proxy.setRule(() => ({kind: 'pass'}))
    }
    const started = Date.now()
    const down = await validate(reviewOf('Pod', podOf(`127.0.0.1:${deadPort}/app/x:v1`)))
    expect(down.allowed).toBe(false)
    expect(down.status!.message).toMatch(/registry unreachable/)
    expect(Date.now() - started).toBeLessThan(DEADLINE_MS + 1500)
  })

  test('a key authority in AWS KMS (key.kms), through the real SDK against the loopback KMS server', async () => {
    const {ref} = await image('kms/app')
    await sigilSign(ref, 'awskms:///alias/admission')
    expect((await validate(reviewOf('Pod', podOf(ref)))).allowed).toBe(true)
    const unsigned = await image('kms/unsigned')
    expect((await validate(reviewOf('Pod', podOf(unsigned.ref)))).status!.message).toContain('no signature')
  })

  test('malformed bodies get an HTTP answer, and the server keeps serving', async () => {
    expect((await send('/validate', 'not json')).status).toBe(400)
    expect((await send('/validate', '{"apiVersion":"admission.k8s.io/v1"', 'application/json')).status).toBe(400)
    expect((await send('/validate', JSON.stringify({apiVersion: 'v1', kind: 'Pod'}))).status).toBe(400)
    expect((await send('/validate', JSON.stringify(reviewOf('Pod', podOf('x'))), 'text/plain')).status).toBe(415)
    expect((await send('/validate', JSON.stringify({...reviewOf('Pod', {spec: {containers: 'no'}})}))).status).toBe(400)
    const big = await send('/validate', Buffer.alloc(20 * 1024 * 1024, 0x20))
    expect(big.status).toBe(413)
    expect((await send('/nowhere', '{}')).status).toBe(404)
    const unknown = await validate(reviewOf('ConfigMap', {data: {a: 'b'}}))
    expect(unknown.allowed).toBe(true)
    const badRef = await validate(reviewOf('Pod', podOf('UPPER/Case:v1')))
    expect(badRef.allowed).toBe(false)
    expect(badRef.status!.message).toContain('invalid image reference')
    expect((await send('/healthz', '', 'text/plain', 'GET')).status).toBe(200)
    expect(server.exitCode).toBeNull()
  })

  test('policy reloads while requests are in flight: none fails; an invalid file is refused with path and line, the previous policies stay', async () => {
    const {ref} = await image('adm/reload')
    await sigilSign(ref)
    const review = reviewOf('Pod', podOf(ref))
    let stop = false
    const answers: Answer[] = []
    const load = Promise.all(
      Array.from({length: 8}, async () => {
        while (!stop) answers.push(await send('/validate', JSON.stringify(review)))
      }),
    )
    const file = join(dir, 'policies', 'signed.yaml')
    const good = readFileSync(file, 'utf8')
    for (let i = 0; i < 5; i++) {
      writeWhole(file, good.replace('name: signed', `name: signed-${i}`))
      await new Promise((r) => setTimeout(r, 250))
    }
    writeWhole(file, good.replace('  images:', '  images: [broken'))
    await new Promise((r) => setTimeout(r, 400))
    stop = true
    await load
    expect(answers.length).toBeGreaterThan(20)
    expect(answers.filter((a) => a.status !== 200 || a.json?.response?.allowed !== true)).toEqual([])
    expect(serverLog).toMatch(/policies reloaded: .*signed-4/)
    expect(serverLog).toContain(`policies not reloaded, the previous ones stay in force: ${join('policies', 'signed.yaml')}:6:`)
    // Still enforced by the last good version.
    const unsigned = await image('adm/after-reload')
    expect((await validate(reviewOf('Pod', podOf(unsigned.ref)))).allowed).toBe(false)
    writeWhole(file, good)
  })

  test('a registry that needs credentials: they come from the docker config and appear in no answer, log or metric', async () => {
    const pushAs = new RegistryClient({credentials: async () => ({kind: 'basic', ...PULLER})})
    await pushRandomImage(pushAs, {registry: privateRegistry.host, repository: 'team/app'}, 'v1')
    await pushRandomImage(pushAs, {registry: privateRegistry.host, repository: 'team/unsigned'}, 'v1')
    await sigilSign(`${privateRegistry.host}/team/app:v1`)
    const ok = await send('/validate', JSON.stringify(reviewOf('Pod', podOf(`${privateRegistry.host}/team/app:v1`))))
    expect(ok.json.response.allowed).toBe(true)
    const denied = await send('/validate', JSON.stringify(reviewOf('Pod', podOf(`${privateRegistry.host}/team/unsigned:v1`))))
    expect(denied.json.response.allowed).toBe(false)
    const metrics = (await send('/metrics', '', 'text/plain', 'GET')).text
    const encoded = Buffer.from(`${PULLER.username}:${PULLER.password}`).toString('base64')
    for (const text of [ok.text, denied.text, serverLog, metrics]) {
      expect(text).not.toContain(PULLER.password)
      expect(text).not.toContain(encoded)
    }
  })

  test('metrics count requests, decisions, cache hits and registry errors; no secret in them', async () => {
    const m = (await send('/metrics', '', 'text/plain', 'GET')).text
    expect(m).toMatch(/sigil_admission_requests_total\{path="\/validate",code="200"\} \d+/)
    expect(m).toMatch(/sigil_admission_decisions_total\{decision="denied"\} \d+/)
    expect(m).toMatch(/sigil_admission_cache_hits_total [1-9]\d*/)
    expect(m).toMatch(/sigil_admission_registry_errors_total\{kind="(resolve|verify|deadline)"\} [1-9]/)
    expect(m).not.toContain('BEGIN')
  })

  test('new TLS files are picked up without a restart; a key that does not match is refused', async () => {
    const c = await sigil(['admission', 'certs', '--service', 's', '--namespace', 'n', '--host', '127.0.0.1', '--output-dir', 'tls2'], {cwd: dir, env})
    expect(c.code, c.stderr).toBe(0)
    const oldCa = ca
    writeWhole(join(dir, 'tls', 'tls.key'), readFileSync(join(dir, 'tls2', 'tls.key'), 'utf8')) // half a rotation: refused
    await new Promise((r) => setTimeout(r, 500))
    expect((await send('/healthz', '', 'text/plain', 'GET')).status).toBe(200)
    expect(serverLog).toContain('TLS certificate not reloaded')
    writeWhole(join(dir, 'tls', 'tls.crt'), readFileSync(join(dir, 'tls2', 'tls.crt'), 'utf8'))
    await new Promise((r) => setTimeout(r, 500))
    ca = readFileSync(join(dir, 'tls2', 'ca.crt'), 'utf8')
    expect((await send('/healthz', '', 'text/plain', 'GET')).status).toBe(200)
    ca = oldCa
    await expect(send('/healthz', '', 'text/plain', 'GET')).rejects.toThrow(/certificate/)
    ca = readFileSync(join(dir, 'tls2', 'ca.crt'), 'utf8')
  })
})

describe('sigil admission serve: start and stop', () => {
  test('a missing policy path is a usage error (exit 2), an invalid policy names its file and line (exit 1); no stack trace', async () => {
    const args = ['admission', 'serve', '--tls-cert-file', 'tls/tls.crt', '--tls-private-key-file', 'tls/tls.key', '--listen', '127.0.0.1:0']
    const missing = await sigil([...args, '--policy', 'nowhere'], {cwd: dir, env})
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('--policy nowhere: no such file or directory')
    writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nmetadata:\n  name: x\nspec:\n  images: []\n')
    const bad = await sigil([...args, '--policy', 'bad.yaml'], {cwd: dir, env})
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/bad\.yaml:6: spec\.images must list at least one glob/)
    expect(bad.stderr).not.toMatch(/\n\s+at /)
  })

  test('--failure-policy warn admits with a warning when the registry hangs; --no-match-policy allow admits without asking', async () => {
    const lenient = await startServer(['--failure-policy', 'warn', '--no-match-policy', 'allow'])
    const main = url
    url = lenient.url
    const {ref} = await image('guarded/lenient', 'v1', proxy.host)
    proxy.setRule((_m, path) => (path.includes('/guarded/lenient/') ? {kind: 'hang'} : {kind: 'pass'}))
    try {
      const r = await validate(reviewOf('Pod', podOf(ref)))
      expect(r.allowed).toBe(true)
      expect(r.warnings?.[0]).toMatch(/admitted with a warning: registry unreachable/)
      const before = proxy.requests.length
      const free = await validate(reviewOf('Pod', podOf(`${proxy.host}/elsewhere/app:v1`)))
      expect(free).toMatchObject({allowed: true})
      expect(free.warnings).toBeUndefined()
      expect(proxy.requests.length).toBe(before)
    } finally {
      proxy.setRule(() => ({kind: 'pass'}))
      url = main
      lenient.child.kill('SIGTERM')
      await new Promise((r) => lenient.child.once('exit', r))
    }
  })

  test('SIGTERM: not ready any more, requests in flight are answered, then exit 0', async () => {
    const {ref} = await image('guarded/slow', 'v1', proxy.host)
    proxy.setRule((_m, path) => (path.includes('/guarded/slow/') ? {kind: 'hang'} : {kind: 'pass'}))
    try {
      const inFlight = send('/validate', JSON.stringify(reviewOf('Pod', podOf(ref))))
      await new Promise((r) => setTimeout(r, 300))
      const exited = new Promise<number | null>((r) => server.once('exit', (code) => r(code)))
      server.kill('SIGTERM')
      const answer = await inFlight
      expect(answer.status).toBe(200)
      expect(answer.json.response.allowed).toBe(false)
      expect(await exited).toBe(0)
      expect(serverLog).toContain('stopping')
    } finally {
      proxy.setRule(() => ({kind: 'pass'}))
    }
  })
})

describe('sigil admission', () => {
  test('the topic lists its commands (sigil admission, --help, sigil help admission)', async () => {
    for (const args of [['admission'], ['admission', '--help'], ['help', 'admission']]) {
      const r = await sigil(args, {cwd: dir, env})
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toMatch(/^  admission certs +Make a CA/m)
      expect(r.stdout).toMatch(/^  admission check +Decide images or Kubernetes manifests as the admission webhook would/m)
      expect(r.stdout).toMatch(/^  admission serve +Run the Kubernetes admission webhook/m)
    }
  })
})

describe('sigil admission certs', () => {
  test('refuses to overwrite without --force; --json prints no private key', async () => {
    const again = await sigil(['admission', 'certs', '--service', 'a', '--namespace', 'b', '--output-dir', 'tls'], {cwd: dir, env})
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('exists; pass --force')
    expect(again.stderr).not.toContain('at ')
    const forced = await sigil(['admission', 'certs', '--service', 'a', '--namespace', 'b', '--output-dir', 'tls3', '--json'], {cwd: dir, env})
    expect(forced.code, forced.stderr).toBe(0)
    const out = JSON.parse(forced.stdout)
    expect(out.hosts).toEqual(['a', 'a.b', 'a.b.svc', 'a.b.svc.cluster.local'])
    expect(forced.stdout).not.toContain('PRIVATE KEY')
  })
})
