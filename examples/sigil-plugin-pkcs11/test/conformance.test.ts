import {keyProviderSuite} from '@sigil/testkit'
import {afterAll, describe, test} from 'vitest'
import {pkcs11Provider} from '../src/index.js'
import {createTestToken, softHsmAvailable} from './softhsm.js'
import type {TestToken} from './softhsm.js'

// The same suite every in-repo provider passes, against a real SoftHSM2 token.
const available = softHsmAvailable()
let token: TestToken | undefined
const tokenOnce = () => (token ??= createTestToken())
afterAll(() => token?.cleanup())

const provider = pkcs11Provider()
const made = new Map<string, Promise<string>>()
const key = (label: string) => {
  let p = made.get(label)
  if (!p) {
    const ref = tokenOnce().uri(`object=${label}`)
    p = provider.generate!(ref, {}).then(() => ref)
    made.set(label, p)
  }
  return p
}
let n = 0

describe.skipIf(!available)('the pkcs11 provider passes the key-provider conformance suite (SoftHSM2)', () => {
  keyProviderSuite(test, () => provider, {
    signingKey: () => key('kit-signing'),
    otherKey: () => key('kit-other'),
    missingKey: 'pkcs11:token=sigil-test;object=kit-absent?pin-value=1234&module-path=/usr/lib/softhsm/libsofthsm2.so',
    algorithm: 'ecdsa-p256-sha256',
    newKey: async () => tokenOnce().uri(`object=kit-new-${++n}`),
  })
})

describe.skipIf(!available)('conformance with a key made by pkcs11-tool', () => {
  const toolKey = (label: string, id: string) => {
    let p = made.get(label)
    if (!p) {
      tokenOnce().toolKeygen('EC:prime256v1', label, id)
      p = Promise.resolve(tokenOnce().uri(`object=${label}`))
      made.set(label, p)
    }
    return p
  }
  keyProviderSuite(test, () => provider, {
    signingKey: () => toolKey('kit-tool-signing', 'c001'),
    otherKey: () => toolKey('kit-tool-other', 'c002'),
    algorithm: 'ecdsa-p256-sha256',
  })
})
