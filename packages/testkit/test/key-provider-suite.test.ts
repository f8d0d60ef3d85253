import {createPublicKey, generateKeyPairSync, sign, verify} from 'node:crypto'
import type {KeyObject} from 'node:crypto'
import {SigilError} from '@sigil/core'
import type {KeyProvider, PublicKeyInfo} from '@sigil/core'
import {describe, test} from 'vitest'
import {keyProviderSuite} from '../src/index.js'

// The kit checks itself against an in-memory reference provider: `mem://NAME` keys.
function memoryProvider(): KeyProvider {
  const keys = new Map<string, KeyObject>()
  const info = (key: KeyObject): PublicKeyInfo => {
    const pub = createPublicKey(key)
    return {kind: 'ecdsa', curve: 'P-256', spki: pub.export({type: 'spki', format: 'der'}), pem: pub.export({type: 'spki', format: 'pem'}) as string}
  }
  const get = (ref: string) => {
    const key = keys.get(ref)
    if (!key) throw new SigilError('KEY_NOT_FOUND', `no such key ${ref}`)
    return key
  }
  return {
    name: 'memory',
    schemes: ['mem'],
    handles: (ref) => ref.startsWith('mem://'),
    async signer(ref) {
      const key = get(ref)
      return {algorithm: 'ecdsa-p256-sha256', publicKey: async () => info(key), sign: async (m) => sign('sha256', m, {key, dsaEncoding: 'der'})}
    },
    async verifier(ref) {
      const pub = createPublicKey(get(ref))
      return {
        publicKey: info(get(ref)),
        verify: (m, s) => {
          try {
            return verify('sha256', m, {key: pub, dsaEncoding: 'der'}, s)
          } catch {
            return false
          }
        },
      }
    },
    publicKey: async (ref) => info(get(ref)),
    async generate(ref) {
      if (!keys.has(ref)) keys.set(ref, generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey)
      return {publicKey: info(get(ref)), written: [{kind: 'remote-key', location: ref}]}
    },
  }
}

const shared = memoryProvider()
let n = 0
describe('keyProviderSuite on the in-memory reference provider', () => {
  keyProviderSuite(test, () => shared, {
    signingKey: async () => (await shared.generate!('mem://signing', {}), 'mem://signing'),
    otherKey: async () => (await shared.generate!('mem://other', {}), 'mem://other'),
    missingKey: 'mem://absent',
    algorithm: 'ecdsa-p256-sha256',
    newKey: async () => `mem://new-${++n}`,
  })
})
