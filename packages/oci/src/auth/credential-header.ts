/** The `Authorization` value a stored credential becomes when sent as is (Basic). */
import type {RegistryCredential} from '@sigil/core'

/** `Basic base64(user:pass)` for credentials that have a secret, else undefined. */
export function basicHeader(cred: RegistryCredential | undefined): string | undefined {
  if (cred === undefined) return undefined
  switch (cred.kind) {
    case 'basic':
      return `Basic ${Buffer.from(`${cred.username}:${cred.password}`, 'utf8').toString('base64')}`
    case 'identity-token':
      return `Basic ${Buffer.from(`${cred.username ?? '<token>'}:${cred.token}`, 'utf8').toString('base64')}`
    default:
      return undefined
  }
}
