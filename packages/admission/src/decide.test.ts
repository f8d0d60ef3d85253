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
    verifyAttestations: async () => {
      throw new SigilError('NO_SIGNATURES_FOUND', 'no attestations found')
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
    // Which policies an image answers to, as the decision above matched them.
    const {d} = decider(text, [])
    expect(d.matchingPolicies('reg.example/app:v1')).toEqual(['one', 'two'])
    expect(d.matchingPolicies('reg.example/other:v1')).toEqual(['one'])
    expect(d.matchingPolicies('elsewhere.example/app:v1')).toEqual([])
    expect(d.matchingPolicies('Not A Reference')).toEqual([])
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

  test('a registry that answers with an error or garbage is a "registry error": a fault like an unreachable one, counted as a registry error', async () => {
    for (const code of ['REGISTRY_PROTOCOL', 'REGISTRY_ERROR', 'REGISTRY_AUTH_FAILED']) {
      const metrics = new AdmissionMetrics()
      const {d} = decider(cip('p', 'reg.example/**', [keyA]), [keyA], {
        metrics,
        resolve: async () => {
          throw new SigilError(code, 'the registry answered reg.example/app:v1 with something that is not an image manifest (not JSON)')
        },
      })
      const r = await d.decideImage('reg.example/app:v1')
      expect(r, code).toMatchObject({allowed: false, fault: true})
      expect(r.reason).toMatch(/^registry error: /)
      expect(metrics.text()).toMatch(/sigil_admission_registry_errors_total\{kind="resolve"\} 1/)
    }
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
    expect(r).toMatchObject({allowed: false, fault: true})
    expect(r.reason).toMatch(/^registry unreachable/)
    fail = false
    const later = await deny.decideImage('reg.example/app:v1')
    expect(later.allowed).toBe(true) // not cached
    expect(later.fault).toBeUndefined()
    fail = true
    const warn = decider(cip('p', 'reg.example/**', [keyA]), [keyA], {...opts, failurePolicy: 'warn'}).d
    expect(await warn.decideImage('reg.example/app:v2')).toMatchObject({allowed: true, warned: true, fault: true})
  })

  test('a key that cannot be loaded (KMS down) is a fault of its own, not "unsigned"', async () => {
    const {d} = decider(cip('p', 'reg.example/**', [keyA]), [keyA], {
      verify: async () => {
        throw new SigilError('KMS_ERROR', 'awskms: connect ECONNREFUSED 127.0.0.1:9')
      },
    })
    const r = await d.decideImage('reg.example/app:v1')
    expect(r).toMatchObject({allowed: false, fault: true})
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

  test('a review answered from the cache decides as the first one did: order, duplicates, denial, patch, metrics', async () => {
    const metrics = new AdmissionMetrics()
    const {d, calls} = decider(`${cip('p', 'reg.example/**', [keyA])}---\n${cip('q', 'reg.example/bad*', [keyB])}`, [keyA], {metrics})
    const review = (...images: string[]) =>
      parseAdmissionReview({apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {uid: 'u', kind: {kind: 'Pod'}, operation: 'CREATE', object: {spec: {containers: images.map((image, i) => ({name: `c${i}`, image}))}}}})
    const r = review('reg.example/app:v1', 'reg.example/bad:v1', 'reg.example/app:v1', 'nowhere.example/xy:v1')
    const cold = await d.decideReview(r)
    const warm = await d.decideReview(r)
    expect(warm).toEqual(cold)
    expect(cold.allowed).toBe(false)
    expect(cold.images.map((i) => [i.image, i.allowed])).toEqual([['reg.example/app:v1', true], ['reg.example/bad:v1', false], ['nowhere.example/xy:v1', false]])
    expect(cold.message).toMatch(/^sigil admission denied: image "reg.example\/bad:v1" \(containers\/c1\): no matching signature \(policy q: .*; image "nowhere.example\/xy:v1" \(containers\/c3\): policy: no ClusterImagePolicy matches this image$/)
    expect(calls).toEqual({resolve: 2, verify: 3}) // app: p; bad: p and q — once each
    const ok = await d.decideReview(review('reg.example/app:v1'))
    expect(ok.patch).toEqual([{op: 'replace', path: '/spec/containers/0/image', value: `reg.example/app:v1@${DIGEST}`}])
    const text = metrics.text()
    expect(text).toContain('sigil_admission_decisions_total{decision="allowed"} 3')
    expect(text).toContain('sigil_admission_decisions_total{decision="denied"} 4')
    expect(text).toContain('sigil_admission_cache_hits_total 3')
  })

  describe('attestations[] (policy-controller: the authority is satisfied by its attestations, no signature needed)', () => {
    const SLSA = 'https://slsa.dev/provenance/v0.2'
    const SPDX = 'https://spdx.dev/Document'
    const attesting = (wanted: string[], name = 'p') =>
      cip(name, 'reg.example/**', [keyA]).replace('    - key:\n', `    - name: builder\n      attestations:\n${wanted.map((t, i) => `        - name: a${i}\n          predicateType: ${t}\n`).join('')}      key:\n`)

    test('every listed type must be among the verified ones; the signature check is not asked', async () => {
      let asked = 0
      const found = [SLSA, 'https://cyclonedx.org/bom']
      const verifyAttestations = async () => {
        asked++
        return found
      }
      const ok = decider(attesting(['slsaprovenance']), [], {verifyAttestations})
      expect(await ok.d.decideImage('reg.example/app:v1')).toMatchObject({allowed: true, digest: DIGEST})
      expect(ok.calls.verify).toBe(0)
      const both = decider(attesting(['slsaprovenance', 'spdxjson']), [keyA], {verifyAttestations})
      const r = await both.d.decideImage('reg.example/app:v1')
      expect(r.allowed).toBe(false)
      expect(r.reason).toBe(`no attestation (policy p: authority builder: no attestation a1 (spdxjson = ${SPDX}) verified with its key (verified: ${SLSA}, https://cyclonedx.org/bom))`)
      expect(asked).toBe(2) // once per authority and digest, whatever the number of types
    })

    test('none stored, none by the key: named as attestations, with what was required; a fault stays a fault', async () => {
      const none = await decider(attesting(['vuln']), [keyA]).d.decideImage('reg.example/app:v1')
      expect(none.reason).toBe('no attestation (policy p: authority builder: no attestations found (required: a0 (vuln = https://cosign.sigstore.dev/attestation/vuln/v1)))')
      const other = await decider(attesting([SLSA]), [keyA], {
        verifyAttestations: async () => {
          throw new SigilError('NO_MATCHING_SIGNATURES', 'no matching attestations: invalid signature when validating the DSSE envelope')
        },
      }).d.decideImage('reg.example/app:v1')
      expect(other.reason).toBe(`no matching attestation (policy p: authority builder: no matching attestations: invalid signature when validating the DSSE envelope (required: a0 (${SLSA})))`)
      let down = true
      const {d} = decider(attesting([SLSA]), [keyA], {
        verifyAttestations: async () => {
          if (down) throw new SigilError('REGISTRY_UNREACHABLE', 'connect ECONNREFUSED 127.0.0.1:1')
          return [SLSA]
        },
      })
      expect((await d.decideImage('reg.example/app:v1')).reason).toMatch(/^registry unreachable \(policy p: connect ECONNREFUSED/)
      down = false
      expect((await d.decideImage('reg.example/app:v1')).allowed).toBe(true) // the fault was not cached
    })

    test('cached and single-flight per digest and policy generation: a changed requirement is checked anew', async () => {
      let asked = 0
      let policies = parsePolicies(attesting(['slsaprovenance']), 'p.yaml')
      let generation = 1
      const {d} = decider(attesting(['slsaprovenance']), [], {
        policies: () => ({generation, policies}),
        verifyAttestations: async () => {
          asked++
          await new Promise((r) => setTimeout(r, 20))
          return [SLSA]
        },
      })
      const answers = await Promise.all(Array.from({length: 50}, () => d.decideImage('reg.example/app:v1')))
      expect(answers.every((a) => a.allowed)).toBe(true)
      expect(asked).toBe(1)
      expect((await d.decideImage('reg.example/app:v1')).allowed).toBe(true)
      expect(asked).toBe(1)
      policies = parsePolicies(attesting(['slsaprovenance', 'spdxjson']), 'p.yaml')
      generation = 2
      const r = await d.decideImage('reg.example/app:v1')
      expect(asked).toBe(2)
      expect(r.allowed).toBe(false)
      expect(r.reason).toContain('no attestation a1 (spdxjson')
    })
  })
})
