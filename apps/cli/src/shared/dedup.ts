import {createLocalVerifier, signatureHash} from '@sigil/core'
import type {Signer, SignatureAlgorithm, Verifier, VerificationScheme} from '@sigil/core'

/** How signatures of `algorithm` are checked: the padding and hash the signer fixes. */
export function verificationSchemeOf(algorithm: SignatureAlgorithm): VerificationScheme {
  const hash = signatureHash(algorithm)
  return {
    ...(algorithm.startsWith('rsa-pss-') ? {padding: 'pss' as const} : algorithm.startsWith('rsa-') ? {padding: 'pkcs1v15' as const} : {}),
    ...(hash ? {hash} : {}),
  }
}

/**
 * The verifier that tells whether a signature already on the image was made by this signer's key
 * with its scheme (RSA-PSS included), so signing twice appends nothing. Undefined when the key
 * cannot be checked locally: then the signature is appended.
 */
export function dedupVerifier(signer: Promise<Signer>): Promise<Verifier | undefined> {
  return signer.then(async (s) => createLocalVerifier(await s.publicKey(), verificationSchemeOf(s.algorithm))).catch(() => undefined)
}
