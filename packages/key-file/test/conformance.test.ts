import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {keyProviderSuite} from '@sigil/testkit'
import {describe, test} from 'vitest'
import {fileKeyProvider} from '../src/index.js'

const dir = mkdtempSync(join(tmpdir(), 'sigil-file-conformance-'))
const ctx = {getPassword: async () => new TextEncoder().encode('conformance'), confirm: async () => false}
const provider = fileKeyProvider()
const made = new Map<string, Promise<string>>()
// A cosign.key pair per name, created once; the signing reference is the private key file.
const key = (name: string) => {
  let p = made.get(name)
  if (!p) {
    p = provider.generate(join(dir, name), ctx).then(() => join(dir, `${name}.key`))
    made.set(name, p)
  }
  return p
}

describe('the file key provider passes the key-provider conformance suite', () => {
  // Verification takes the .pub, signing the .key: map one to the other for the kit.
  const wrapped = {
    ...provider,
    verifier: (ref: string, c: typeof ctx) => provider.verifier(ref.replace(/\.key$/, '.pub'), c),
  }
  keyProviderSuite(test, () => wrapped, {
    signingKey: () => key('signing'),
    otherKey: () => key('other'),
    missingKey: join(dir, 'absent.key'),
    ctx,
    algorithm: 'ecdsa-p256-sha256',
  })
})
