/**
 * `sigil manifest verify` through the built binary against the real test registry: multi-document
 * Kubernetes manifests whose images are signed by sigil (both formats) and by cosign 2.5, unsigned,
 * signed with another key, behind a fault proxy, or on a registry that is down; and, where cosign
 * 2.5 is present, `cosign manifest verify` on the same files for the exit codes.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {pushRandomImage, requireCosign, requireRegistry, runCosign, startFaultProxy, startRegistry} from '@sigil/test-servers'
import type {FaultProxy, TestRegistry} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

const cosign = requireCosign()
const client = new RegistryClient()
const env = {COSIGN_PASSWORD: 'pw'}
let registry: TestRegistry
let proxy: FaultProxy
let dir: string
let deadPort: number

async function image(repository: string, tag = 'v1', host = registry.host): Promise<{ref: string; digest: string}> {
  const {digest} = await pushRandomImage(client, {registry: registry.host, repository}, tag)
  return {ref: `${host}/${repository}:${tag}`, digest}
}

async function sign(ref: string, key = 'cosign.key', extra: string[] = []): Promise<void> {
  const s = await sigil(['sign', '--key', key, ...extra, ref], {cwd: dir, env})
  expect(s.code, s.stderr).toBe(0)
}

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text)
  return name
}

const deployment = (name: string, ...images: string[]) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
${images.map((im, i) => `        - name: c${i}\n          image: ${im}\n`).join('')}`

const cronJob = (name: string, im: string) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: job
              image: ${im}
`

const pod = (name: string, init: string, main: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  initContainers:
    - name: setup
      image: ${init}
  containers:
    - name: main
      image: ${main}
`

const service = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - port: 80
`

/** The "Verification for NAME --" headers on stderr, in order. */
const verified = (stderr: string) => [...stderr.matchAll(/^Verification for (\S+) --$/gm)].map((m) => m[1])

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  proxy = await startFaultProxy(registry.host)
  dir = mkdtempSync(join(tmpdir(), 'sigil-manifest-'))
  for (const name of ['cosign', 'other']) expect((await sigil(['generate-key-pair', '--output-key-prefix', name], {cwd: dir, env})).code).toBe(0)
  const dead = createServer()
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r))
  deadPort = (dead.address() as AddressInfo).port
  await new Promise((r) => dead.close(r))
}, 60_000)

afterAll(async () => {
  await proxy?.close()
  await registry?.stop()
})

describe('sigil manifest verify', () => {
  let web: {ref: string; digest: string}
  let sidecar: {ref: string; digest: string}
  let job: {ref: string; digest: string}
  let init: {ref: string; digest: string}
  let main: {ref: string; digest: string}
  let signedFile: string

  beforeAll(async () => {
    ;[web, sidecar, job, init, main] = await Promise.all(['mf/web', 'mf/sidecar', 'mf/job', 'mf/init', 'mf/main'].map((r) => image(r)))
    // Both formats: the legacy .sig tag and a cosign 3 bundle referrer.
    for (const i of [web, job, init, main]) await sign(i.ref)
    await sign(sidecar.ref, 'cosign.key', ['--new-bundle-format'])
    // The sidecar by digest, the web image twice (once in another Deployment), a Service with no images.
    signedFile = write(
      'signed.yaml',
      [deployment('web', web.ref, `${registry.host}/mf/sidecar@${sidecar.digest}`), service, cronJob('nightly', job.ref), pod('tools', init.ref, main.ref), deployment('web2', web.ref)].join('---\n') + '---\n',
    )
  }, 120_000)

  test('every image of a Deployment, a CronJob and a Pod with initContainers, all signed: exit 0, each image verified and reported once', async () => {
    const r = await sigil(['manifest', 'verify', '--key', 'cosign.pub', signedFile], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(0)
    const sidecarByDigest = `${registry.host}/mf/sidecar@${sidecar.digest}`
    expect(r.stderr).toContain(`Extracted image(s): ${web.ref}, ${sidecarByDigest}, ${job.ref}, ${init.ref}, ${main.ref}\n`)
    expect(verified(r.stderr)).toEqual([web.ref, sidecarByDigest, job.ref, init.ref, main.ref])
    // Each image's payloads, as `sigil verify` prints them: one JSON array per image on stdout.
    const arrays = r.stdout.split('\n').filter((l) => l.startsWith('['))
    expect(arrays).toHaveLength(5)
    for (const [i, {digest}] of [web, sidecar, job, init, main].entries()) expect(JSON.parse(arrays[i]!)[0].critical.image['docker-manifest-digest']).toBe(digest)
  })

  test('--json: each image with its digest and where the manifest uses it; standard input (-) reads the same', async () => {
    const r = await sigil(['manifest', 'verify', '--key', 'cosign.pub', '--json', '-'], {cwd: dir, env, input: readFileSync(join(dir, signedFile), 'utf8')})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toBe('')
    const out = JSON.parse(r.stdout)
    expect(out.manifest).toBe('(standard input)')
    expect(out.images.map((i: {image: string; verified: boolean; digest: string}) => [i.image, i.verified, i.digest])).toEqual([
      [web.ref, true, web.digest],
      [`${registry.host}/mf/sidecar@${sidecar.digest}`, true, sidecar.digest],
      [job.ref, true, job.digest],
      [init.ref, true, init.digest],
      [main.ref, true, main.digest],
    ])
    // Each location's line is the line of its `image:` field.
    const lines = readFileSync(join(dir, signedFile), 'utf8').split('\n')
    const lineOf = (ref: string, nth = 0) => lines.flatMap((l, i) => (l.trim() === `image: ${ref}` ? [i + 1] : []))[nth]
    expect(out.images[0].locations).toEqual([
      {line: lineOf(web.ref), object: 'Deployment/web', container: 'containers/c0'},
      {line: lineOf(web.ref, 1), object: 'Deployment/web2', container: 'containers/c0'},
    ])
    expect(lineOf(web.ref, 1)).toBeGreaterThan(lineOf(web.ref)!)
    expect(out.images[1].locations).toEqual([{line: lineOf(`${registry.host}/mf/sidecar@${sidecar.digest}`), object: 'Deployment/web', container: 'containers/c1'}])
    expect(out.images[2].locations).toEqual([{line: lineOf(job.ref), object: 'CronJob/nightly', container: 'containers/job'}])
    expect(out.images[3].locations).toEqual([{line: lineOf(init.ref), object: 'Pod/tools', container: 'initContainers/setup'}])
    expect(out.images[4].locations).toEqual([{line: lineOf(main.ref), object: 'Pod/tools', container: 'containers/main'}])
  })

  test('one image unsigned: exit 10 naming it; the other images are still verified and reported', async () => {
    const bare = await image('mf/bare')
    const file = write('unsigned.yaml', [deployment('web', web.ref), pod('tools', init.ref, bare.ref), cronJob('nightly', job.ref)].join('---\n'))
    const r = await sigil(['manifest', 'verify', '--key', 'cosign.pub', file], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(10)
    expect(r.stderr).toMatch(new RegExp(`^Error: ${bare.ref}: .*no signatures found`, 'm'))
    expect(verified(r.stderr)).toEqual([web.ref, init.ref, job.ref])
    const json = JSON.parse((await sigil(['manifest', 'verify', '--key', 'cosign.pub', '--json', file], {cwd: dir, env})).stdout)
    expect(json.images.map((i: {verified: boolean}) => i.verified)).toEqual([true, true, false, true])
    expect(json.images[2].error.code).toBe('NO_SIGNATURES_FOUND')
  })

  test('one image signed with another key: exit 12 naming it', async () => {
    const foreign = await image('mf/foreign')
    await sign(foreign.ref, 'other.key')
    const file = write('foreign.yaml', [deployment('web', web.ref, foreign.ref)].join('---\n'))
    const r = await sigil(['manifest', 'verify', '--key', 'cosign.pub', file], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(12)
    expect(r.stderr).toMatch(new RegExp(`^Error: ${foreign.ref}: `, 'm'))
    expect(verified(r.stderr)).toEqual([web.ref])
    // control: with that key, the image verifies and the other does not
    const o = await sigil(['manifest', 'verify', '--key', 'other.pub', '--json', file], {cwd: dir, env})
    expect(o.code).toBe(12)
    expect(JSON.parse(o.stdout).images.map((i: {verified: boolean}) => i.verified)).toEqual([false, true])
  })

  test('a manifest with a single image that fails: the error names the image', async () => {
    const bare = await image('mf/lonely')
    const r = await sigil(['manifest', 'verify', '--key', 'cosign.pub', write('lonely.yaml', pod('lonely', web.ref, bare.ref).replace(/  initContainers:\n.*\n.*\n/, ''))], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(10)
    expect(r.stderr).toContain(`Error: ${bare.ref}: no signatures found`)
  })

  test.skipIf(!cosign)('an image signed by cosign 2.5 verifies; `cosign manifest verify` agrees on the same files (exit 0, and 10 for an unsigned image)', async () => {
    const theirs = await image('mf/cosigned')
    const s = await runCosign(['sign', '--key', 'cosign.key', '--tlog-upload=false', '--yes', '--allow-http-registry', theirs.ref], {cwd: dir, env})
    expect(s.code, s.stderr).toBe(0)
    const file = write('cosigned.yaml', [deployment('web', web.ref), cronJob('nightly', theirs.ref)].join('---\n'))
    const r = await sigil(['manifest', 'verify', '--key', 'cosign.pub', file], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(0)
    expect(verified(r.stderr)).toEqual([web.ref, theirs.ref])
    const c = await runCosign(['manifest', 'verify', '--key', 'cosign.pub', '--insecure-ignore-tlog=true', '--allow-http-registry', file], {cwd: dir, env})
    expect(c.code, c.stderr).toBe(0)
    expect(c.stderr).toContain(`Extracted image(s): ${web.ref}, ${theirs.ref}`)

    const bare = await image('mf/cosign-bare')
    const unsigned = write('cosign-unsigned.yaml', [deployment('web', web.ref, bare.ref)].join('---\n'))
    const cu = await runCosign(['manifest', 'verify', '--key', 'cosign.pub', '--insecure-ignore-tlog=true', '--allow-http-registry', unsigned], {cwd: dir, env})
    const su = await sigil(['manifest', 'verify', '--key', 'cosign.pub', unsigned], {cwd: dir, env})
    expect(cu.code).toBe(10)
    expect(su.code).toBe(10)
  })

  test('invalid YAML: exit 2, naming the file and the line', async () => {
    // The second document repeats a key: line (deployment) + 1 (---) + 5.
    const first = deployment('web', web.ref)
    const dupLine = first.split('\n').length + 5
    const file = write('broken.yaml', `${first}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  name: y\n`)
    expect(readFileSync(join(dir, file), 'utf8').split('\n')[dupLine - 1]).toBe('  name: y')
    const r = await sigil(['manifest', 'verify', '--key', 'cosign.pub', file], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toMatch(new RegExp(`^Error: cannot read manifest broken\\.yaml: line ${dupLine}: Map keys must be unique`, 'm'))
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    const tabs = write('tabs.yaml', 'kind: Pod\nspec:\n\tcontainers: []\n')
    const t = await sigil(['manifest', 'verify', '--key', 'cosign.pub', tabs], {cwd: dir, env})
    expect(t.code, t.stderr).toBe(2)
    expect(t.stderr).toContain('cannot read manifest tabs.yaml: line 3: Tabs are not allowed as indentation')
    // A container with no image, a malformed image reference: usage errors with the line.
    const noImage = write('no-image.yaml', 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n')
    const n = await sigil(['manifest', 'verify', '--key', 'cosign.pub', noImage], {cwd: dir, env})
    expect(n.code, n.stderr).toBe(2)
    expect(n.stderr).toContain('line 5: Pod/p: spec.containers[0].image is not a string')
    const badRef = write('bad-ref.yaml', pod('p', web.ref, 'Not A Reference'))
    const b = await sigil(['manifest', 'verify', '--key', 'cosign.pub', badRef], {cwd: dir, env})
    expect(b.code, b.stderr).toBe(2)
    expect(b.stderr).toContain('bad-ref.yaml:11: Pod/p containers/main: ')
  })

  test('no images (a Service and a ConfigMap): an error, as cosign gives (exit 2 here, 1 in cosign)', async () => {
    const file = write('none.yaml', `${service}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n`)
    const r = await sigil(['manifest', 'verify', '--key', 'cosign.pub', file], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toMatch(/^Error: no images found in manifest none\.yaml/m)
    expect(r.stdout).toBe('')
    if (cosign) {
      const c = await runCosign(['manifest', 'verify', '--key', 'cosign.pub', '--insecure-ignore-tlog=true', file], {cwd: dir, env})
      expect(c.code).toBe(1)
      expect(c.stderr).toContain('no images found in manifest')
    }
    const missing = await sigil(['manifest', 'verify', '--key', 'cosign.pub', 'nope.yaml'], {cwd: dir, env})
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('cannot read manifest nope.yaml: no such file')
  })

  test('a registry that is down, or that fails, is a fault (exit 1), never "no signatures"; one that hangs ends at --timeout', async () => {
    const down = write('down.yaml', deployment('web', web.ref, `127.0.0.1:${deadPort}/mf/gone:v1`))
    const r = await sigil(['manifest', 'verify', '--key', 'cosign.pub', down], {cwd: dir, env})
    expect(r.code, r.stderr).toBe(1)
    expect(r.stderr).toMatch(new RegExp(`^Error: 127\\.0\\.0\\.1:${deadPort}/mf/gone:v1: `, 'm'))
    expect(r.stderr).not.toMatch(/no signatures|unsigned/i)
    expect(verified(r.stderr)).toEqual([web.ref])
    if (cosign) {
      const c = await runCosign(['manifest', 'verify', '--key', 'cosign.pub', '--insecure-ignore-tlog=true', '--allow-http-registry', down], {cwd: dir, env})
      expect(c.code, c.stderr).toBe(1)
    }

    // The image resolves through the proxy; every signature lookup gets a 503.
    const flaky = await image('mf/flaky', 'v1', proxy.host)
    await sign(`${registry.host}/mf/flaky:v1`)
    proxy.setRule((_m, path) => (path.includes('/mf/flaky/') && !path.endsWith('/manifests/v1') ? {kind: 'respond', status: 503, body: '{"errors":[{"code":"UNAVAILABLE","message":"down for maintenance"}]}'} : {kind: 'pass'}))
    try {
      const f = await sigil(['manifest', 'verify', '--key', 'cosign.pub', write('flaky.yaml', deployment('web', flaky.ref))], {cwd: dir, env})
      expect(f.code, f.stderr).toBe(1)
      expect(f.stderr).not.toMatch(/no signatures|unsigned/i)
      proxy.setRule((_m, path) => (path.includes('/mf/flaky/') ? {kind: 'hang'} : {kind: 'pass'}))
      const started = Date.now()
      const h = await sigil(['manifest', 'verify', '--key', 'cosign.pub', '--timeout', '2s', 'flaky.yaml'], {cwd: dir, env})
      const took = Date.now() - started
      expect(h.code, h.stderr).toBe(1)
      // The per-request deadline (within --timeout) or --timeout itself, whichever is first.
      expect(h.stderr).toMatch(/did not (answer|finish)\b.* within /)
      expect(h.stderr).not.toMatch(/no signatures|unsigned/i)
      expect(took).toBeLessThan(10_000)
    } finally {
      proxy.setRule(() => ({kind: 'pass'}))
    }
    // control: the same image through the proxy verifies when it passes
    const ok = await sigil(['manifest', 'verify', '--key', 'cosign.pub', 'flaky.yaml'], {cwd: dir, env})
    expect(ok.code, ok.stderr).toBe(0)
  })
})
