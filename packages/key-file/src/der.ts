/**
 * Telling PKCS#8 from SEC1/PKCS#1 key bytes (cosign rejects the latter inside cosign.key).
 */
import {readDerElement, readDerUnsignedInteger} from '@sigil/core'

/** Private key encodings that may appear where PKCS#8 is required. */
export type PrivateKeyDerFormat = 'pkcs8' | 'sec1' | 'pkcs1' | 'unknown'

/**
 * Classify private key DER by shape: PKCS#8 is `SEQUENCE{INTEGER 0|1, SEQUENCE algorithm, OCTET STRING …}`,
 * SEC1 `SEQUENCE{INTEGER 1, OCTET STRING d, …}`, PKCS#1 `SEQUENCE{INTEGER 0, INTEGER n, INTEGER e, …}`.
 */
export function classifyPrivateKeyDer(der: Uint8Array): PrivateKeyDerFormat {
  const outer = readDerElement(der, 0)
  if (!outer || outer.tag !== 0x30) return 'unknown'
  const version = readDerUnsignedInteger(der, outer.start)
  if (!version) return 'unknown'
  const second = readDerElement(der, version.end)
  if (!second) return 'unknown'
  if (second.tag === 0x30) return 'pkcs8'
  if (second.tag === 0x04) return 'sec1'
  if (second.tag === 0x02) return 'pkcs1'
  return 'unknown'
}
