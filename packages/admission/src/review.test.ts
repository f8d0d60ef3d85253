import {describe, expect, test} from 'vitest'
import {BadReviewError, parseAdmissionReview} from './review.js'

function review(kind: string, object: unknown, extra: Record<string, unknown> = {}) {
  return {apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {uid: 'u1', kind: {group: '', version: 'v1', kind}, operation: 'CREATE', object, ...extra}}
}
const pod = {spec: {initContainers: [{name: 'init', image: 'a/init:1'}], containers: [{name: 'app', image: 'a/app:1'}], ephemeralContainers: [{name: 'dbg', image: 'a/dbg:1'}]}}

describe('AdmissionReview parsing', () => {
  test('a Pod: every container, initContainer and ephemeralContainer, with JSON pointers', () => {
    expect(parseAdmissionReview(review('Pod', pod)).images).toEqual([
      {image: 'a/init:1', pointer: '/spec/initContainers/0/image', container: 'initContainers/init'},
      {image: 'a/app:1', pointer: '/spec/containers/0/image', container: 'containers/app'},
      {image: 'a/dbg:1', pointer: '/spec/ephemeralContainers/0/image', container: 'ephemeralContainers/dbg'},
    ])
  })

  test.each([
    ['Deployment', {spec: {template: pod}}, '/spec/template/spec/containers/0/image'],
    ['ReplicaSet', {spec: {template: pod}}, '/spec/template/spec/containers/0/image'],
    ['StatefulSet', {spec: {template: pod}}, '/spec/template/spec/containers/0/image'],
    ['DaemonSet', {spec: {template: pod}}, '/spec/template/spec/containers/0/image'],
    ['Job', {spec: {template: pod}}, '/spec/template/spec/containers/0/image'],
    ['CronJob', {spec: {jobTemplate: {spec: {template: pod}}}}, '/spec/jobTemplate/spec/template/spec/containers/0/image'],
  ])('%s: the pod template', (kind, object, pointer) => {
    const r = parseAdmissionReview(review(kind, object))
    expect(r.images?.map((i) => i.pointer)).toContain(pointer)
    expect(r.images).toHaveLength(3)
  })

  test('dry run, namespace, name; DELETE carries no images; unknown kinds are not reviewed', () => {
    const r = parseAdmissionReview(review('Pod', pod, {dryRun: true, namespace: 'ns', name: 'p'}))
    expect([r.dryRun, r.namespace, r.name]).toEqual([true, 'ns', 'p'])
    expect(parseAdmissionReview(review('Pod', null, {operation: 'DELETE'})).images).toEqual([])
    expect(parseAdmissionReview(review('ConfigMap', {data: {}})).images).toBeUndefined()
  })

  test.each([
    ['not an object', []],
    ['wrong apiVersion', {apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: {}}],
    ['no request', {apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview'}],
    ['no uid', {apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {kind: {kind: 'Pod'}}}],
    ['no object', review('Pod', undefined)],
    ['containers not a list', review('Pod', {spec: {containers: {}}})],
    ['image not a string', review('Pod', {spec: {containers: [{name: 'x', image: 5}]}})],
  ])('malformed: %s', (_name, body) => {
    expect(() => parseAdmissionReview(body)).toThrow(BadReviewError)
  })
})
