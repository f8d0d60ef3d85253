import {generateKeyPairSync} from 'node:crypto'
import {describe, expect, test} from 'vitest'
import {SigilError} from '@sigil/core'
import {checkTargets, imageTarget, parseManifests} from './check.js'
import {ManifestError} from './manifest.js'
import {parsePolicies} from './policy.js'

const DIGEST = `sha256:${'b'.repeat(64)}`
const key = generateKeyPairSync('ec', {namedCurve: 'P-256'}).publicKey.export({type: 'spki', format: 'pem'}).toString()
const policyText = `apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nmetadata:\n  name: p\nspec:\n  images:\n    - glob: "reg.example/**"\n  authorities:\n    - key:\n        data: |\n${key.trim().split('\n').map((l) => `          ${l}`).join('\n')}\n`

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team}
spec:
  template:
    spec:
      initContainers: [{name: init, image: reg.example/init:v1}]
      containers: [{name: web, image: reg.example/signed:v1}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
---
apiVersion: v1
kind: List
items:
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: nightly}
    spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: job, image: "reg.example/signed@${DIGEST}"}]}}}}}
---
`

describe('parseManifests', () => {
  test('every document, with its line; pod templates, Lists and kinds without a pod spec', () => {
    const targets = parseManifests(MANIFEST, 'm.yaml')
    expect(targets.map((t) => [t.source, t.review.kind, t.review.name, t.review.images?.map((s) => `${s.pointer}=${s.image}`)])).toEqual([
      ['m.yaml:1', 'Deployment', 'web', ['/spec/template/spec/initContainers/0/image=reg.example/init:v1', '/spec/template/spec/containers/0/image=reg.example/signed:v1']],
      ['m.yaml:10', 'Service', 'web', undefined],
      // A List's item is at its own line.
      ['m.yaml:17', 'CronJob', 'nightly', [`/spec/jobTemplate/spec/template/spec/containers/0/image=reg.example/signed@${DIGEST}`]],
    ])
  })

  test('an AdmissionReview (JSON) is parsed as the webhook parses it', () => {
    const review = {apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {uid: 'u1', kind: {kind: 'Pod'}, operation: 'CREATE', object: {spec: {containers: [{name: 'c', image: 'reg.example/a:v1'}]}}}}
    const [t] = parseManifests(JSON.stringify(review), 'r.json')
    expect(t!.review).toMatchObject({uid: 'u1', kind: 'Pod', images: [{image: 'reg.example/a:v1', pointer: '/spec/containers/0/image'}]})
  })

  test('malformed input names the file and line', () => {
    expect(() => parseManifests('kind: Pod\n---\nkind: a: b\nx: y\n', 'bad.yaml')).toThrow(ManifestError)
    expect(() => parseManifests('kind: Pod\n---\nkind: a: b\nx: y\n', 'bad.yaml')).toThrow(/^bad\.yaml:3: /)
    expect(() => parseManifests('kind: Pod\nspec: {containers: [{name: c}]}\n', 'p.yaml')).toThrow('p.yaml:1: Pod: spec.containers[0].image is not a string')
    expect(() => parseManifests('---\nfoo: bar\n', 'x.yaml')).toThrow('x.yaml:2: is not a Kubernetes object (no kind)')
  })
})

describe('checkTargets', () => {
  test("the Decider's answers per object: denial message, the pin /mutate would make, matching policies", async () => {
    const results = await checkTargets([...parseManifests(MANIFEST, 'm.yaml'), imageTarget(['reg.example/signed:v2', 'elsewhere.example/app:v1'])], {
      policies: parsePolicies(policyText, 'p.yaml'),
      resolve: async () => DIGEST,
      verify: async (image) => {
        if (!image.name.includes('/signed@')) throw new SigilError('NO_SIGNATURES_FOUND', 'no signatures found')
      },
      verifyAttestations: async () => [],
      noMatchPolicy: 'warn',
      failurePolicy: 'deny',
      deadlineMs: 1000,
    })
    const [deployment, service, cron, cli] = results
    expect(deployment).toMatchObject({source: 'm.yaml:1', allowed: false, message: expect.stringContaining('image "reg.example/init:v1" (initContainers/init): no signature (policy p')})
    expect(deployment!.images.map((i) => [i.container, i.allowed, i.policies, i.pinned])).toEqual([
      ['initContainers/init', false, ['p'], undefined],
      ['containers/web', true, ['p'], undefined], // the object is denied: /mutate patches nothing
    ])
    expect(service).toMatchObject({kind: 'Service', allowed: true, images: []})
    expect(cron!.images).toEqual([expect.objectContaining({allowed: true, digest: DIGEST})])
    expect(cron!.images[0]!.pinned).toBeUndefined() // a digest already
    expect(cli!.images.map((i) => [i.image, i.allowed, i.warned, i.policies, i.pinned])).toEqual([
      ['reg.example/signed:v2', true, undefined, ['p'], `reg.example/signed:v2@${DIGEST}`],
      ['elsewhere.example/app:v1', true, true, [], undefined],
    ])
    expect(cli!.warnings).toEqual(['sigil admission: image "elsewhere.example/app:v1" admitted with a warning: policy: no ClusterImagePolicy matches this image'])
  })
})
