import {generateKeyPairSync, sign, verify} from 'node:crypto'
import type {PublicKeyInfo, Signer, Verifier} from '@sigil/core'

/** A throw-away ECDSA P-256 signer and its verifier (node:crypto), signing as cosign keys do. */
export function ephemeralKeys(): {signer: Signer; verifier: Verifier} {
  const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  const info: PublicKeyInfo = {
    kind: 'ecdsa',
    curve: 'P-256',
    spki: new Uint8Array(publicKey.export({type: 'spki', format: 'der'})),
    pem: publicKey.export({type: 'spki', format: 'pem'}).toString(),
  }
  return {
    signer: {algorithm: 'ecdsa-p256-sha256', publicKey: async () => info, sign: async (m) => new Uint8Array(sign('sha256', m, privateKey))},
    verifier: {
      publicKey: info,
      verify: (m, s) => {
        try {
          return verify('sha256', m, publicKey, s)
        } catch {
          return false
        }
      },
    },
  }
}
