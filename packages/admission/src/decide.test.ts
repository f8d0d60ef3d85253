/**
 * Decision semantics (policy-controller's), with the registry replaced by a table: which
 * authority's key signed which digest. The real registry path is in apps/cli/test/admission.test.ts.
 */
import {generateKeyPairSync} from 'node:crypto'
import {describe, expect, test} from 'vitest'
import {SigilError} from '@sigil/core'
import {Decider} from './decide.js'
import type {DeciderOptions, KeyAuthority} from './decide.js'
import {AdmissionMetrics} from './metrics.js'
import {parsePolicies} from './policy.js'
import {parseAdmissionReview} from './review.js'

const pem = () => (generateKeyPairSync('ec', {namedCurve: 'P-256'}).publicKey.export({type: 'spki', format: 'pem'}) as string).trim().split('\n').map((l) => `          ${l}`).join('\n')
const [keyA, keyB] = [pem(), pem()]
const DIGEST = `sha256:${'a'.repeat(64)}`

function cip(name: string, glob: string, keys: string[], mode = 'enforce'): string {
  return `apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nmetadata:\n  name: ${name}\nspec:\n  mode: ${mode}\n  images:\n    - glob: "${glob}"\n  authorities:\n${keys.map((k) => `    - key:\n        data: |\n${k}\n`).join('')}`
}

function decider(policyText: string, signedBy: string[], extra: Partial<DeciderOptions> = {}) {
  const calls = {resolve: 0, verify: 0}
  const policies = parsePolicies(policyText, 'p.yaml')
  const d = new Decider({
    policies: () => ({generation: 1, policies}),
    resolve: async () => {
      calls.resolve++
      return DIGEST
    },
    verify: async (_image, a: KeyAuthority) => {
      calls.verify++
      if (!signedBy.some((k) => a.data!.includes(k.trim().split('\n')[1]!.trim()))) throw new SigilError('NO_MATCHING_SIGNATURES', 'no matching signatures: invalid signature')
    },
    noMatchPolicy: 'deny',
    failurePolicy: 'deny',
    deadlineMs: 1000,
    metrics: new AdmissionMetrics(),
    ...extra,
  })
  return {d, calls}
}

describe('decisions', () => {
  test('every matching policy must pass; within one, any authority suffices', async () => {
    const text = `${cip('one', 'reg.example/**', [keyA, keyB])}---\n${cip('two', 'reg.example/app*', [keyB])}`
    expect((await decider(text, [keyA]).d.decideImage('reg.example/app:v1')).allowed).toBe(false) // two fails
    expect((await decider(text, [keyA]).d.decideImage('reg.example/other:v1')).allowed).toBe(true) // only one matches
    expect((await decider(text, [keyB]).d.decideImage('reg.example/app:v1'))).toMatchObject({allowed: true, digest: DIGEST})
  })

  test('no matching policy: deny, warn or allow, without resolving or verifying', async () => {
    for (const [how, allowed, warned] of [['deny', false, undefined], ['warn', true, true], ['allow', true, undefined]] as const) {
      const {d, calls} = decider(cip('p', 'reg.example/**', [keyA]), [keyA], {noMatchPolicy: how})
      expect(await d.decideImage('elsewhere.example/app:v1')).toMatchObject({allowed, ...(warned ? {warned} : {})})
      expect(calls).toEqual({resolve: 0, verify: 0})
    }
  })

  test('mode warn admits with a warning; the review carries it', async () => {
    const {d} = decider(cip('soft', 'reg.example/**', [keyA], 'warn'), [])
    const review = parseAdmissionReview({apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {uid: 'u', kind: {kind: 'Pod'}, operation: 'CREATE', object: {spec: {containers: [{name: 'c', image: 'reg.example/app:v1'}]}}}})
    const r = await d.decideReview(review)
    expect(r.allowed).toBe(true)
    expect(r.warnings[0]).toContain('no matching signature (policy soft')
  })

  test('a registry fault denies (failure policy deny) or warns, is never cached, and is never "unsigned"', async () => {
    let fail = true
    const opts = {
      resolve: async () => DIGEST,
      verify: async () => {
        if (fail) throw new SigilError('REGISTRY_UNREACHABLE', 'connect ECONNREFUSED 127.0.0.1:1')
      },
    }
    const deny = decider(cip('p', 'reg.example/**', [keyA]), [keyA], opts).d
    const r = await deny.decideImage('reg.example/app:v1')
    expect(r).toMatchObject({allowed: false})
    expect(r.reason).toMatch(/^registry unreachable/)
    fail = false
    expect((await deny.decideImage('reg.example/app:v1')).allowed).toBe(true) // not cached
    fail = true
    const warn = decider(cip('p', 'reg.example/**', [keyA]), [keyA], {...opts, failurePolicy: 'warn'}).d
    expect(await warn.decideImage('reg.example/app:v2')).toMatchObject({allowed: true, warned: true})
  })

  test('a key that cannot be loaded (KMS down) is a fault of its own, not "unsigned"', async () => {
    const {d} = decider(cip('p', 'reg.example/**', [keyA]), [keyA], {
      verify: async () => {
        throw new SigilError('KMS_ERROR', 'awskms: connect ECONNREFUSED 127.0.0.1:9')
      },
    })
    const r = await d.decideImage('reg.example/app:v1')
    expect(r.allowed).toBe(false)
    expect(r.reason).toMatch(/^key unavailable \(policy p: awskms: connect ECONNREFUSED/)
  })

  test('the deadline: a verification that does not end is a fault, answered in time', async () => {
    const {d} = decider(cip('p', 'reg.example/**', [keyA]), [keyA], {deadlineMs: 100, verify: () => new Promise(() => undefined)})
    const t0 = performance.now()
    const r = await d.decideImage('reg.example/app:v1')
    expect(performance.now() - t0).toBeLessThan(500)
    expect(r.reason).toMatch(/registry unreachable: reg.example did not answer within 0.1 s/)
  })

  test('results are cached per digest and policies; a denial too (briefly)', async () => {
    const {d, calls} = decider(cip('p', 'reg.example/**', [keyA]), [])
    await d.decideImage('reg.example/app:v1')
    await d.decideImage('reg.example/app:v1')
    await d.decideImage(`reg.example/app@${DIGEST}`)
    expect(calls).toEqual({resolve: 1, verify: 1})
  })
})
