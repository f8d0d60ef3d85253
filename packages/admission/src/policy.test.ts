import {generateKeyPairSync} from 'node:crypto'
import {describe, expect, test} from 'vitest'
import {PolicyError, mergePolicies, parsePolicies} from './policy.js'

const pem = generateKeyPairSync('ec', {namedCurve: 'P-256'}).publicKey.export({type: 'spki', format: 'pem'}) as string
const indented = pem.trim().split('\n').map((l) => `          ${l}`).join('\n')

const good = `apiVersion: policy.sigstore.dev/v1beta1
kind: ClusterImagePolicy
metadata:
  name: signed
spec:
  mode: warn
  images:
    - glob: "registry.example/team/**"
  authorities:
    - name: team-key
      key:
        hashAlgorithm: sha384
        data: |
${indented}
    - key:
        kms: awskms:///alias/team
    - static:
        action: fail
`

function errorOf(text: string): PolicyError {
  try {
    parsePolicies(text, 'p.yaml')
  } catch (err) {
    if (err instanceof PolicyError) return err
    throw err
  }
  throw new Error('no error')
}

describe('ClusterImagePolicy loading', () => {
  test('a policy-controller policy: globs, PEM and KMS keys, hash, static, mode', () => {
    const [p] = parsePolicies(good, 'p.yaml')
    expect(p).toMatchObject({name: 'signed', mode: 'warn', source: 'p.yaml:1'})
    expect(p!.globs.map((g) => g.glob)).toEqual(['registry.example/team/**'])
    expect(p!.authorities).toEqual([
      {name: 'team-key', kind: 'key', data: `${pem.trim()}\n`, hash: 'sha384'},
      {name: 'authority-1', kind: 'key', kms: 'awskms:///alias/team', hash: 'sha256'},
      {name: 'authority-2', kind: 'static', pass: false},
    ])
  })

  test('several documents in one file; mode defaults to enforce; an empty document is skipped', () => {
    const two = `${good}---\n${good.replace('name: signed', 'name: other').replace('  mode: warn\n', '')}---\n`
    const ps = parsePolicies(two, 'p.yaml')
    expect(ps.map((p) => [p.name, p.mode, p.source])).toEqual([
      ['signed', 'warn', 'p.yaml:1'],
      ['other', 'enforce', 'p.yaml:23'],
    ])
  })

  test.each([
    ['YAML syntax', good.replace('  images:', '  images: [oops'), 7, /./],
    ['wrong kind', good.replace('kind: ClusterImagePolicy', 'kind: ImagePolicy'), 2, /kind must be ClusterImagePolicy/],
    ['bad glob', good.replace('registry.example/team/**', 'registry.example/(a|b)'), 8, /invalid glob/],
    ['bad mode', good.replace('mode: warn', 'mode: audit'), 6, /spec.mode must be enforce or warn/],
    ['bad PEM', good.replace(/-----BEGIN PUBLIC KEY-----\n\s*\S+/, '-----BEGIN PUBLIC KEY-----\n          AAAA'), 13, /key\.data/],
    ['bad hash', good.replace('sha384', 'md5'), 12, /hashAlgorithm/],
    ['keyless', good.replace('    - static:\n        action: fail\n', '    - keyless:\n        url: https://fulcio.example\n'), 20, /keyless is not supported/],
    ['no authorities', good.replace(/  authorities:[\s\S]*$/, '  authorities: []\n'), 9, /at least one authority/],
    ['data and kms', good.replace('        kms: awskms:///alias/team', '        kms: awskms:///alias/team\n        data: x'), 18, /exactly one of data and kms/],
  ])('refused with path and line: %s', (_name, text, line, message) => {
    const err = errorOf(text)
    expect(err.line).toBe(line)
    expect(err.message).toMatch(new RegExp(`^p\\.yaml:${line}: `))
    expect(err.message).toMatch(message)
  })

  test('source[].oci: the signatures live in another repository; pull secrets are refused', () => {
    const withSource = good.replace('    - name: team-key\n', '    - name: team-key\n      source:\n        - oci: registry.example/signatures\n')
    expect(parsePolicies(withSource, 'p.yaml')[0]!.authorities[0]).toMatchObject({signatureRepository: {registry: 'registry.example', repository: 'signatures'}})
    const secrets = withSource.replace('        - oci: registry.example/signatures\n', '        - oci: registry.example/signatures\n          signaturePullSecrets:\n            - name: s\n')
    expect(errorOf(secrets).message).toMatch(/^p\.yaml:13: .*signaturePullSecrets is not supported/)
  })

  describe('attestations[]', () => {
    const withAttestations = (list: string) => good.replace('    - name: team-key\n', `    - name: team-key\n      attestations:\n${list}`)
    const sbom = '        - name: sbom\n          predicateType: spdxjson\n'

    test('shortcuts as policy-controller maps them (cosign --type), URIs as they are', () => {
      const text = withAttestations(`${sbom}        - name: build\n          predicateType: slsaprovenance\n        - name: vex\n          predicateType: https://openvex.dev/ns/v0.2.0\n`)
      const [p] = parsePolicies(text, 'p.yaml')
      expect(p!.authorities[0]).toMatchObject({kind: 'key', hash: 'sha384'})
      expect(p!.authorities[0]).toHaveProperty('attestations', [
        {name: 'sbom', type: 'spdxjson', predicateType: 'https://spdx.dev/Document'},
        {name: 'build', type: 'slsaprovenance', predicateType: 'https://slsa.dev/provenance/v0.2'},
        {name: 'vex', type: 'https://openvex.dev/ns/v0.2.0', predicateType: 'https://openvex.dev/ns/v0.2.0'},
      ])
      // Only the authority that lists them has them.
      expect(p!.authorities[1]).not.toHaveProperty('attestations')
      const custom = parsePolicies(withAttestations('        - name: c\n          predicateType: custom\n'), 'p.yaml')[0]!.authorities[0]
      expect(custom).toHaveProperty('attestations', [{name: 'c', type: 'custom', predicateType: 'https://cosign.sigstore.dev/attestation/v1'}])
    })

    test.each([
      ['a CUE policy', withAttestations(`${sbom}          policy:\n            type: cue\n            data: |\n              predicateType: "x"\n`), 14, /attestations\[0\]\.policy is not supported by sigil admission \(CUE\/Rego/],
      ['a Rego policy on the second', withAttestations(`${sbom}        - name: b\n          predicateType: vuln\n          policy:\n            type: rego\n`), 16, /authorities\[0\]\.attestations\[1\]\.policy is not supported/],
      ['no predicateType', withAttestations('        - name: sbom\n'), 12, /attestations\[0\]\.predicateType is required/],
      ['an unknown shortcut', withAttestations('        - name: sbom\n          predicateType: sbom\n'), 13, /predicateType "sbom" is neither a cosign type \(custom, slsaprovenance.*\) nor a URI/],
      ['no name', withAttestations('        - predicateType: vuln\n'), 12, /attestations\[0\]\.name is required/],
      ['a name twice', withAttestations(`${sbom}${sbom}`), 14, /name "sbom" is listed twice/],
      ['an empty list', good.replace('    - name: team-key\n', '    - name: team-key\n      attestations: []\n'), 11, /attestations must list at least one attestation/],
      ['on a static authority', good.replace('    - static:\n', `    - attestations:\n${sbom}      static:\n`), 20, /attestations need a key authority/],
    ])('refused with path and line: %s', (_name, text, line, message) => {
      const err = errorOf(text)
      expect(err.message).toMatch(message)
      expect(err.message).toMatch(new RegExp(`^p\\.yaml:${line}: `))
    })
  })

  test('a name defined twice across files is refused', () => {
    expect(() => mergePolicies([{file: 'a.yaml', text: good}, {file: 'b.yaml', text: good}])).toThrow(/^b\.yaml:1: policy signed is already defined at a\.yaml:1/)
  })
})
