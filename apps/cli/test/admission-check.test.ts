/**
 * `sigil admission check` through the built binary: the real registry with images signed and
 * attested by sigil, a key in the loopback AWS KMS server, a closed port for a registry that is
 * down, and — the point of the command — the same images through `sigil admission serve` over
 * HTTPS giving the same decisions.
 */
import {spawn} from 'node:child_process'
import type {ChildProcess} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {request} from 'node:https'
import {createServer} from 'node:net'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {AWS_OFFLINE_ENV, pushRandomImage, requireRegistry, startAwsKmsServer, startRegistry} from '@sigil/test-servers'
import type {AwsKmsTestServer, TestRegistry} from '@sigil/test-servers'
import {BIN, sigil} from './run-cli.js'
import {clusterImagePolicy, keyData} from './policies.js'
import type {CheckResultJson} from '../src/commands/admission/check.js'

let registry: TestRegistry
let kms: AwsKmsTestServer
let dir: string
let env: Record<string, string | undefined>
let deadPort: number
const client = new RegistryClient()

const policy = clusterImagePolicy
const pemKey = (file: string) => keyData(readFileSync(join(dir, file), 'utf8'))

async function image(repository: string, tag = 'v1'): Promise<{ref: string; digest: string}> {
  const {digest} = await pushRandomImage(client, {registry: registry.host, repository}, tag)
  return {ref: `${registry.host}/${repository}:${tag}`, digest}
}
async function sigilSign(ref: string, key = 'cosign.key', extra: string[] = []) {
  const s = await sigil(['sign', '--key', key, ...extra, ref], {cwd: dir, env})
  expect(s.code, s.stderr).toBe(0)
}

/** `sigil admission check --policy policies ARGS -o json`: the exit code and the parsed result. */
async function check(args: string[], input?: string): Promise<{code: number; json: CheckResultJson; stderr: string}> {
  const r = await sigil(['admission', 'check', '--policy', 'policies', '--deadline', '3s', '-o', 'json', ...args], {cwd: dir, env, input})
  let json: CheckResultJson
  try {
    json = JSON.parse(r.stdout)
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`)
  }
  expect(json.exitCode).toBe(r.code)
  return {code: r.code, json, stderr: r.stderr}
}
const decisions = (json: CheckResultJson) => json.objects.flatMap((o) => o.images.map((i) => [i.image, i.decision]))

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  kms = await startAwsKmsServer({region: 'eu-west-1'})
  dir = mkdtempSync(join(tmpdir(), 'sigil-admission-check-'))
  env = {...AWS_OFFLINE_ENV, AWS_ENDPOINT_URL_KMS: kms.endpoint, COSIGN_PASSWORD: 'pw', HOME: dir, SIGIL_DATA_DIR: join(dir, 'data'), DOCKER_CONFIG: join(dir, 'docker')}
  for (const name of ['cosign', 'other']) expect((await sigil(['generate-key-pair', '--output-key-prefix', name], {cwd: dir, env})).code).toBe(0)
  expect((await sigil(['generate-key-pair', '--kms', 'awskms:///alias/check', '--output-key-prefix', 'aws'], {cwd: dir, env})).code).toBe(0)

  const dead = createServer()
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r))
  deadPort = (dead.address() as AddressInfo).port
  await new Promise((r) => dead.close(r))

  mkdirSync(join(dir, 'policies'))
  writeFileSync(join(dir, 'policies', 'signed.yaml'), policy('signed', `${registry.host}/app/**`, pemKey('cosign.pub')))
  writeFileSync(join(dir, 'policies', 'kms.yaml'), policy('kms', `${registry.host}/kms/**`, '        kms: awskms:///alias/check'))
  writeFileSync(join(dir, 'policies', 'warn.yaml'), policy('warned', `${registry.host}/soft/**`, pemKey('cosign.pub'), '  mode: warn\n'))
  writeFileSync(join(dir, 'policies', 'down.yaml'), policy('down', `127.0.0.1:${deadPort}/**`, pemKey('cosign.pub')))
  writeFileSync(
    join(dir, 'policies', 'attested.yaml'),
    policy('attested', `${registry.host}/att/**`, pemKey('cosign.pub')).replace('    - name: key\n', '    - name: key\n      attestations:\n        - name: provenance\n          predicateType: slsaprovenance\n'),
  )
  writeFileSync(join(dir, 'slsa.json'), JSON.stringify({builder: {id: 'https://ci.example.com/b@v1'}, buildType: 'https://ci.example.com/build@v1', materials: []}))
})

afterAll(async () => {
  await kms?.close()
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

describe('sigil admission check', () => {
  test('--image: signed (either format) admitted with the pin /mutate would make; unsigned and another key denied, with why; exit 3', async () => {
    const legacy = await image('app/legacy')
    await sigilSign(legacy.ref)
    const bundle = await image('app/bundle')
    await sigilSign(bundle.ref, 'cosign.key', ['--new-bundle-format'])
    const ok = await check(['--image', legacy.ref, '--image', bundle.ref])
    expect(ok.code).toBe(0)
    expect(ok.json.admitted).toBe(true)
    expect(ok.json.objects[0]!.images).toEqual([
      {image: legacy.ref, container: 'containers/0', decision: 'admitted', policies: ['signed'], digest: legacy.digest, pinned: `${legacy.ref}@${legacy.digest}`},
      {image: bundle.ref, container: 'containers/1', decision: 'admitted', policies: ['signed'], digest: bundle.digest, pinned: `${bundle.ref}@${bundle.digest}`},
    ])

    const unsigned = await image('app/unsigned')
    const other = await image('app/other')
    await sigilSign(other.ref, 'other.key')
    const bad = await check(['--image', unsigned.ref, '--image', other.ref, '--image', legacy.ref])
    expect(bad.code).toBe(3)
    const [u, o, l] = bad.json.objects[0]!.images
    expect(u).toMatchObject({decision: 'denied', policies: ['signed'], reason: expect.stringMatching(/^no signature \(policy signed: /)})
    expect(o).toMatchObject({decision: 'denied', reason: expect.stringMatching(/^no matching signature \(policy signed: /)})
    expect(l).toMatchObject({decision: 'admitted', digest: legacy.digest})
    expect(l!.pinned).toBeUndefined() // the Pod is denied: /mutate patches nothing
    expect(bad.json.objects[0]!.message).toContain(`image "${unsigned.ref}" (containers/0): no signature`)

    // The text report says the same, one image per line.
    const t = await sigil(['admission', 'check', '--policy', 'policies', '--image', unsigned.ref, '--image', legacy.ref], {cwd: dir, env})
    expect(t.code).toBe(3)
    expect(t.stderr).toContain('sigil admission check: 5 ClusterImagePolicies (attested, down, kms, signed, warned)')
    expect(t.stdout).toContain('--image: denied\n')
    expect(t.stdout).toContain(`  denied   ${unsigned.ref} (containers/0; policies: signed)\n           no signature (policy signed: `)
    expect(t.stdout).toContain(`  admitted ${legacy.ref} (containers/1; policies: signed)\n           verified digest ${legacy.digest}`)
    expect(t.stdout).toMatch(/2 images: 1 admitted, 1 denied\n$/)
  })

  test('a KMS key authority: signed with the KMS key admitted, with a file key denied', async () => {
    const signed = await image('kms/app')
    await sigilSign(signed.ref, 'awskms:///alias/check')
    const wrong = await image('kms/wrong')
    await sigilSign(wrong.ref)
    const r = await check(['--image', signed.ref, '--image', wrong.ref])
    expect(r.code).toBe(3)
    expect(decisions(r.json)).toEqual([[signed.ref, 'admitted'], [wrong.ref, 'denied']])
  })

  test('a multi-document manifest (stdin and a file): every pod template, each object decided on its own, kinds without a pod spec admitted', async () => {
    const web = await image('app/web')
    await sigilSign(web.ref)
    const job = await image('app/job')
    const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - {name: web, image: "${web.ref}"}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: team}
spec: {ports: [{port: 80}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: team}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          initContainers: [{name: init, image: "${web.ref}"}]
          containers: [{name: job, image: "${job.ref}"}]
`
    writeFileSync(join(dir, 'deploy.yaml'), manifest)
    const fromFile = await check(['deploy.yaml'])
    expect(fromFile.code).toBe(3)
    const [deployment, service, cron] = fromFile.json.objects
    expect(deployment).toMatchObject({source: 'deploy.yaml:1', kind: 'Deployment', namespace: 'team', name: 'web', allowed: true})
    expect(deployment!.images).toEqual([expect.objectContaining({container: 'containers/web', decision: 'admitted', pinned: `${web.ref}@${web.digest}`})])
    expect(service).toMatchObject({source: 'deploy.yaml:12', kind: 'Service', allowed: true, images: []})
    expect(cron).toMatchObject({source: 'deploy.yaml:17', kind: 'CronJob', allowed: false})
    expect(cron!.images.map((i) => [i.container, i.decision])).toEqual([['initContainers/init', 'admitted'], ['containers/job', 'denied']])
    const fromStdin = await check(['-'], manifest)
    expect(fromStdin.json.objects.map((o) => [o.source, o.allowed])).toEqual([['(stdin):1', true], ['(stdin):12', true], ['(stdin):17', false]])
  })

  test('mode warn admits with a warning (exit 0); --no-match-policy deny, warn, allow without a registry request', async () => {
    const soft = await image('soft/app')
    const w = await check(['--image', soft.ref])
    expect(w.code).toBe(0)
    expect(w.json.objects[0]!.images[0]).toMatchObject({decision: 'warned', policies: ['warned'], reason: expect.stringMatching(/^no signature \(policy warned/)})
    expect(w.json.objects[0]!.warnings[0]).toMatch(/admitted with a warning: no signature/)

    // A registry nobody listens on: a request to it would be a fault, not the no-match answer.
    const nowhere = `localhost:${deadPort}/elsewhere/app:v1`
    const deny = await check(['--image', nowhere])
    expect(deny.code).toBe(3)
    expect(deny.json.objects[0]!.images[0]).toMatchObject({decision: 'denied', policies: [], reason: 'policy: no ClusterImagePolicy matches this image'})
    const warn = await check(['--image', nowhere, '--no-match-policy', 'warn'])
    expect(warn.code).toBe(0)
    expect(warn.json.objects[0]!.images[0]).toMatchObject({decision: 'warned'})
    const allow = await check(['--image', nowhere, '--no-match-policy', 'allow'])
    expect(allow.code).toBe(0)
    expect(allow.json.objects[0]!.images[0]).toEqual({image: nowhere, container: 'containers/0', decision: 'admitted', policies: []})
  })

  test('attestations required: attested admitted; signed only, denied naming the attestation', async () => {
    const attested = await image('att/yes')
    const a = await sigil(['attest', '--key', 'cosign.key', '--predicate', 'slsa.json', '--type', 'slsaprovenance', attested.ref], {cwd: dir, env})
    expect(a.code, a.stderr).toBe(0)
    const bare = await image('att/no')
    await sigilSign(bare.ref)
    const r = await check(['--image', attested.ref, '--image', bare.ref])
    expect(r.code).toBe(3)
    expect(decisions(r.json)).toEqual([[attested.ref, 'admitted'], [bare.ref, 'denied']])
    expect(r.json.objects[0]!.images[1]!.reason).toContain('no attestation (policy attested: authority key: no attestations found (required: provenance (slsaprovenance = https://slsa.dev/provenance/v0.2)))')
  })

  test('a registry that is down: the failure policy answers (deny → exit 4, warn → admitted with a warning), within the deadline', async () => {
    const down = `127.0.0.1:${deadPort}/app/x:v1`
    const started = Date.now()
    const d = await check(['--image', down])
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(d.code).toBe(4)
    expect(d.json.objects[0]!.images[0]).toMatchObject({decision: 'denied', fault: true, policies: ['down'], reason: expect.stringMatching(/^registry unreachable/)})
    const w = await check(['--image', down, '--failure-policy', 'warn'])
    expect(w.code).toBe(0)
    expect(w.json.objects[0]!.images[0]).toMatchObject({decision: 'warned', fault: true, reason: expect.stringMatching(/^registry unreachable/)})
    // A fault beside a real denial: the denial decides the exit status.
    const unsigned = await image('app/beside-down')
    expect((await check(['--image', down, '--image', unsigned.ref])).code).toBe(3)
  })

  test('--help: usage, the exit statuses, examples', async () => {
    for (const args of [['admission', 'check', '--help'], ['help', 'admission', 'check']]) {
      const r = await sigil(args, {cwd: dir, env})
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toMatch(/^USAGE\n  \$ sigil admission check \[FILE\.\.\.\] --policy <value>/m)
      expect(r.stdout).toMatch(/--failure-policy=<deny\|warn>/)
      expect(r.stdout).toMatch(/-o, --output=<text\|json>/)
      expect(r.stdout).toMatch(/3 when something\s+would\s+be\s+denied,\s+4\s+when\s+the\s+only\s+denials/)
      expect(r.stdout).toMatch(/^EXAMPLES\n  \$ sigil admission check --policy policies\/ --image /m)
      expect(r.stdout).not.toContain('<%=')
    }
  })

  test('errors: an invalid policy names its path and line (exit 1); a bad manifest too; usage errors exit 2', async () => {
    mkdirSync(join(dir, 'broken'))
    writeFileSync(join(dir, 'broken', 'p.yaml'), policy('broken', `${registry.host}/**`, pemKey('cosign.pub')).replace('    - name: key\n', '    - name: key\n      keyless: {url: https://fulcio.example}\n'))
    const p = await sigil(['admission', 'check', '--policy', 'broken', '--image', `${registry.host}/app/x:v1`], {cwd: dir, env})
    expect(p.code).toBe(1)
    expect(p.stderr).toMatch(/^Error: broken\/p\.yaml:10: spec\.authorities\[0\]\.keyless is not supported/m)

    writeFileSync(join(dir, 'bad.yaml'), 'kind: Pod\nspec: {containers: [{name: c}]}\n')
    const m = await sigil(['admission', 'check', '--policy', 'policies', 'bad.yaml'], {cwd: dir, env})
    expect(m.code).toBe(1)
    expect(m.stderr).toContain('Error: bad.yaml:1: Pod: spec.containers[0].image is not a string')

    for (const [args, pattern] of [
      [['admission', 'check', '--policy', 'policies'], /nothing to check/],
      [['admission', 'check', '--policy', 'nope.yaml', '--image', 'x/y:v1'], /--policy nope\.yaml: no such file/],
      [['admission', 'check', '--policy', 'policies', 'missing.yaml'], /missing\.yaml: no such file/],
      [['admission', 'check', '--policy', 'policies', '--image', 'x/y:v1', '--failure-policy', 'maybe'], /failure-policy/],
      [['admission', 'check', '--policy', 'policies', '--image', 'x/y:v1', '--deadline', 'soon'], /deadline/],
    ] as const) {
      const r = await sigil([...args], {cwd: dir, env})
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2)
      expect(r.stderr).toMatch(pattern)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
  })
})

describe('admission check and admission serve decide alike', () => {
  let server: ChildProcess | undefined
  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM')
      await new Promise((r) => server!.once('exit', r))
    }
  })

  test('the same images, one Pod each: the same admitted / warned / denied, the same reasons, the same pins', async () => {
    const signed = await image('app/same-signed')
    await sigilSign(signed.ref)
    const other = await image('app/same-other')
    await sigilSign(other.ref, 'other.key')
    const unsigned = await image('app/same-unsigned')
    const soft = await image('soft/same')
    const kmsSigned = await image('kms/same')
    await sigilSign(kmsSigned.ref, 'awskms:///alias/check')
    const attested = await image('att/same')
    expect((await sigil(['attest', '--key', 'cosign.key', '--predicate', 'slsa.json', '--type', 'slsaprovenance', attested.ref], {cwd: dir, env})).code).toBe(0)
    const images = [signed.ref, other.ref, unsigned.ref, soft.ref, kmsSigned.ref, attested.ref, `${registry.host}/att/same-bare:v1`, `localhost:${deadPort}/elsewhere/app:v1`, `127.0.0.1:${deadPort}/app/x:v1`, `${signed.ref.replace(':v1', '')}@${signed.digest}`]
    await image('att/same-bare')

    const c = await sigil(['admission', 'certs', '--service', 's', '--namespace', 'n', '--host', '127.0.0.1', '--output-dir', 'tls'], {cwd: dir, env})
    expect(c.code, c.stderr).toBe(0)
    const ca = readFileSync(join(dir, 'tls', 'ca.crt'), 'utf8')
    const flags = ['--no-match-policy', 'warn', '--failure-policy', 'deny', '--deadline', '3s']
    server = spawn(process.execPath, [BIN, 'admission', 'serve', '--policy', 'policies', '--tls-cert-file', 'tls/tls.crt', '--tls-private-key-file', 'tls/tls.key', '--listen', '127.0.0.1:0', ...flags], {cwd: dir, env: {...process.env, ...env}, stdio: ['ignore', 'ignore', 'pipe']})
    let log = ''
    server.stderr!.on('data', (d: Buffer) => (log += d.toString()))
    const started = Date.now()
    while (!/listening on (https:\S+)/.test(log)) {
      if (server.exitCode !== null || Date.now() - started > 20_000) throw new Error(`the server did not start: ${log}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    const url = new URL(/listening on (https:\S+)/.exec(log)![1]!)
    const mutate = (img: string): Promise<any> =>
      new Promise((resolve, reject) => {
        const review = {apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {uid: 'u', kind: {group: '', version: 'v1', kind: 'Pod'}, operation: 'CREATE', object: {spec: {containers: [{name: 'c', image: img}]}}}}
        const req = request(new URL('/mutate', url), {method: 'POST', ca, agent: false, headers: {'content-type': 'application/json'}}, (res) => {
          let body = ''
          res.on('data', (d: Buffer) => (body += d.toString()))
          res.on('end', () => resolve(JSON.parse(body).response))
        })
        req.on('error', reject)
        req.end(JSON.stringify(review))
      })

    const served = []
    for (const img of images) {
      const r = await mutate(img)
      const verdict = !r.allowed ? 'denied' : r.warnings?.length ? 'warned' : 'admitted'
      const why = !r.allowed ? r.status.message.replace(/^sigil admission denied: image "[^"]*" \(containers\/c\): /, '') : r.warnings?.[0]?.replace(/^sigil admission: image "[^"]*" admitted with a warning: /, '')
      const pinned = r.patch === undefined ? undefined : JSON.parse(Buffer.from(r.patch, 'base64').toString())[0].value
      served.push({image: img, verdict, why, pinned})
    }
    // One check run, one Pod per image (AdmissionReviews in a JSON stream): each is decided on its own, as each review was.
    const reviews = images.map((img) => JSON.stringify({apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {uid: 'u', kind: {kind: 'Pod'}, operation: 'CREATE', object: {spec: {containers: [{name: 'c', image: img}]}}}})).join('\n---\n')
    const checked = await check([...flags, '-'], reviews)
    expect(checked.code).toBe(3)
    const fromCheck = checked.json.objects.map((o) => {
      const i = o.images[0]!
      // The webhook's warning text is cut at 256 characters; compare the same.
      const why = i.reason === undefined ? undefined : i.decision === 'warned' ? i.reason.slice(0, 256 - `sigil admission: image ${JSON.stringify(i.image)} admitted with a warning: `.length) : i.reason
      return {image: i.image, verdict: i.decision, why, pinned: i.pinned}
    })
    expect(fromCheck).toEqual(served)
    expect(served.map((s) => s.verdict)).toEqual(['admitted', 'denied', 'denied', 'warned', 'admitted', 'admitted', 'denied', 'warned', 'denied', 'admitted'])
  })
})
