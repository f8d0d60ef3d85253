/**
 * The shipped Kubernetes files and the docs' examples, checked for format: they parse, they
 * say what the controller needs, the policies in them load, and (when kubectl is here) the
 * kustomization builds with the CA in both webhook configurations.
 */
import {execFileSync} from 'node:child_process'
import {cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, test} from 'vitest'
import {parseAllDocuments} from 'yaml'
import {makeWebhookCertificates, serviceHosts} from './certs.js'
import {parsePolicies} from './policy.js'
import {REVIEWED_KINDS} from './review.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const KUBE = join(ROOT, 'deploy', 'kubernetes')

function docs(file: string): any[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
    expect(d.errors, file).toEqual([])
    return d.toJS()
  })
}
const all = readdirSync(KUBE)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) => docs(join(KUBE, f)))
const byKind = (kind: string) => all.filter((d) => d.kind === kind)

function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

describe('deploy/kubernetes', () => {
  test('the kustomization lists every file, and every kind the issue asks for is there', () => {
    const k = docs(join(KUBE, 'kustomization.yaml'))[0]
    expect(new Set(k.resources)).toEqual(new Set(readdirSync(KUBE).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')))
    for (const kind of ['Namespace', 'ServiceAccount', 'Deployment', 'PodDisruptionBudget', 'Service', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ConfigMap']) {
      expect(byKind(kind), kind).toHaveLength(1)
    }
    expect(k.secretGenerator[0].type).toBe('kubernetes.io/tls')
  })

  test('Deployment: 2 replicas, probes, requests, non-root, read-only root filesystem, the deadline below the webhook timeout', () => {
    const d = byKind('Deployment')[0]
    const pod = d.spec.template.spec
    const c = pod.containers[0]
    expect(d.spec.replicas).toBe(2)
    expect(c.readinessProbe.httpGet).toMatchObject({path: '/readyz', scheme: 'HTTPS'})
    expect(c.livenessProbe.httpGet).toMatchObject({path: '/healthz', scheme: 'HTTPS'})
    expect(c.resources.requests).toMatchObject({cpu: expect.any(String), memory: expect.any(String)})
    expect(pod.securityContext.runAsNonRoot).toBe(true)
    expect(c.securityContext).toMatchObject({readOnlyRootFilesystem: true, allowPrivilegeEscalation: false})
    expect(c.args.slice(0, 2)).toEqual(['admission', 'serve'])
    const deadline = Number(/--deadline=(\d+)s/.exec(c.args.join(' '))![1])
    for (const w of [...byKind('ValidatingWebhookConfiguration'), ...byKind('MutatingWebhookConfiguration')].flatMap((x) => x.webhooks)) {
      expect(w.timeoutSeconds).toBeGreaterThan(deadline)
    }
    expect(byKind('PodDisruptionBudget')[0].spec.minAvailable).toBe(1)
  })

  test('webhooks: opt-in label as policy-controller, no side effects, v1 reviews, the reviewed kinds, /validate and /mutate', () => {
    const paths = {ValidatingWebhookConfiguration: '/validate', MutatingWebhookConfiguration: '/mutate'} as const
    for (const [kind, path] of Object.entries(paths)) {
      const w = byKind(kind)[0].webhooks[0]
      expect(w.sideEffects).toBe('None')
      expect(w.admissionReviewVersions).toEqual(['v1'])
      expect(w.namespaceSelector.matchExpressions).toEqual([{key: 'policy.sigstore.dev/include', operator: 'In', values: ['true']}])
      expect(w.clientConfig.service).toMatchObject({name: 'sigil-admission', namespace: 'sigil-system', path})
      const resources = w.rules.flatMap((r: any) => r.resources)
      for (const kind of REVIEWED_KINDS) expect(resources).toContain(`${kind.toLowerCase()}s`)
    }
  })

  test('the example policies in the ConfigMap load', () => {
    const cm = byKind('ConfigMap')[0]
    for (const [file, text] of Object.entries(cm.data as Record<string, string>)) expect(parsePolicies(text, file).length).toBeGreaterThan(0)
  })

  test.skipIf(!hasKubectl())('kubectl kustomize builds it, with the CA certificate as both caBundles', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigil-kustomize-'))
    try {
      cpSync(KUBE, dir, {recursive: true})
      const certs = makeWebhookCertificates(serviceHosts('sigil-admission', 'sigil-system'))
      mkdirSync(join(dir, 'tls'), {recursive: true})
      writeFileSync(join(dir, 'tls', 'ca.crt'), certs.caCert)
      writeFileSync(join(dir, 'tls', 'tls.crt'), certs.cert)
      writeFileSync(join(dir, 'tls', 'tls.key'), certs.key)
      const built = parseAllDocuments(execFileSync('kubectl', ['kustomize', dir], {encoding: 'utf8'})).map((d) => d.toJS())
      const hooks = built.filter((d) => /WebhookConfiguration$/.test(d.kind)).flatMap((d) => d.webhooks)
      expect(hooks).toHaveLength(2)
      for (const h of hooks) expect(h.clientConfig.caBundle.replace(/\s/g, '')).toBe(certs.caBundle)
      expect(built.every((d) => d.kind === 'Namespace' || d.metadata.namespace === 'sigil-system' || /WebhookConfiguration$/.test(d.kind))).toBe(true)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('docs/admission examples for other engines', () => {
  test('the policy-controller ClusterImagePolicy loads (and is a key authority without a transparency log)', () => {
    const text = readFileSync(join(ROOT, 'docs', 'admission', 'policy-controller-clusterimagepolicy.yaml'), 'utf8')
    const [p] = parsePolicies(text, 'cip.yaml')
    expect(p!.authorities).toEqual([expect.objectContaining({kind: 'key', hash: 'sha256'})])
  })

  test('the Kyverno ClusterPolicy verifies images with a key, no tlog/SCT, pins digests', () => {
    const [k] = docs(join(ROOT, 'docs', 'admission', 'kyverno-clusterpolicy.yaml'))
    expect([k.apiVersion, k.kind]).toEqual(['kyverno.io/v1', 'ClusterPolicy'])
    const v = k.spec.rules[0].verifyImages[0]
    expect(v).toMatchObject({failureAction: 'Enforce', mutateDigest: true, verifyDigest: true, required: true})
    const keys = v.attestors[0].entries[0].keys
    expect(keys.publicKeys).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----$/)
    expect(keys.rekor.ignoreTlog).toBe(true)
    expect(keys.ctlog.ignoreSCT).toBe(true)
  })
})
