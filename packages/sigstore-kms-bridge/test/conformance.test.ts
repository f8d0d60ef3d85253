import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {keyProviderSuite} from '@sigil/testkit'
import {describe, test} from 'vitest'
import {sigstoreKmsProvider} from '../src/index.js'

// The executable-plugin provider, driving a real sigstore-kms-* program (Python + openssl).
const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'sigil-sigstore-kms-conformance-'))
const provider = sigstoreKmsProvider({path: FIXTURES})
const made = new Map<string, Promise<string>>()
const key = (name: string) => {
  let p = made.get(name)
  if (!p) {
    const ref = `pyfile://${join(dir, `${name}.pem`)}`
    p = provider.generate!(ref, {}).then(() => ref)
    made.set(name, p)
  }
  return p
}
let n = 0

describe('executable KMS plugins pass the key-provider conformance suite', () => {
  keyProviderSuite(test, () => provider, {
    signingKey: () => key('signing'),
    otherKey: () => key('other'),
    missingKey: `pyfile://${join(dir, 'absent.pem')}`,
    missingKeyCode: 'KMS_ERROR',
    newKey: async () => `pyfile://${join(dir, `new-${++n}.pem`)}`,
  })
})
