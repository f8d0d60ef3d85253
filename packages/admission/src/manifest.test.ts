import {describe, expect, test} from 'vitest'
import {ManifestError, manifestImages} from './manifest.js'

const images = (text: string) => manifestImages(text).map((i) => `${i.object} ${i.container} ${i.image} @${i.line}`)

function errorOf(text: string): ManifestError {
  try {
    manifestImages(text)
  } catch (err) {
    if (err instanceof ManifestError) return err
    throw err
  }
  throw new Error('no error')
}

describe('manifestImages', () => {
  test('pod specs where cosign reads them, in any kind; init, regular and ephemeral containers; duplicates kept', () => {
    const text = [
      'kind: Pod\nmetadata: {name: p}\nspec:\n  ephemeralContainers: [{name: dbg, image: busybox}]\n  containers: [{name: a, image: "nginx:1"}]\n  initContainers: [{name: i, image: alpine}]\n',
      'kind: Rollout\nmetadata: {name: r}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: nginx:1\n',
      'kind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: j\n              image: job@sha256:' + 'a'.repeat(64) + '\n',
      'kind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n',
      '',
    ].join('---\n')
    expect(images(text)).toEqual([
      'Pod/p initContainers/i alpine @6',
      'Pod/p containers/a nginx:1 @5',
      'Pod/p ephemeralContainers/dbg busybox @4',
      'Rollout/r containers/app nginx:1 @15',
      `CronJob/c containers/j job@sha256:${'a'.repeat(64)} @26`,
    ])
  })

  test('a kind: List is read item by item; JSON is YAML', () => {
    const list = JSON.stringify({apiVersion: 'v1', kind: 'List', items: [{kind: 'Deployment', metadata: {name: 'd'}, spec: {template: {spec: {containers: [{name: 'x', image: 'a:1'}]}}}}, {kind: 'ConfigMap', metadata: {name: 'c'}}]}, null, 2)
    expect(images(list)).toEqual([`Deployment/d containers/x a:1 @${list.split('\n').findIndex((l) => l.includes('"image"')) + 1}`])
  })

  test('no images, and empty files, are an empty list', () => {
    expect(manifestImages('kind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n')).toEqual([])
    expect(manifestImages('')).toEqual([])
    expect(manifestImages('---\n---\n')).toEqual([])
  })

  test('errors name the line: YAML syntax, a non-mapping document, a malformed container', () => {
    expect(errorOf('kind: Pod\nmetadata:\n  name: x\n  name: y\n').message).toBe('line 4: Map keys must be unique')
    expect(errorOf('kind: Pod\n---\n- 1\n- 2\n').message).toBe('line 3: a Kubernetes object must be a mapping')
    expect(errorOf('kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n').message).toBe('line 5: Pod/p: spec.containers[0].image is not a string')
    expect(errorOf('kind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      containers: {a: b}\n').message).toBe('line 6: Job/j: spec.template.spec.containers is not a list')
  })
})
