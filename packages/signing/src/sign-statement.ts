import {IN_TOTO_PAYLOAD_TYPE, dssePae, isSigilError} from '@sigil/core'
import type {DsseEnvelope, Signer} from '@sigil/core'
import {SigningError} from './error.js'

/**
 * An in-toto statement signed into a DSSE envelope with the key's `Signer.sign` over the PAE
 * (any backend: file, KMS, plugin). A provider failure that is not a SigilError becomes
 * `SIGNING_FAILED`.
 */
export async function signStatement(signer: Signer | PromiseLike<Signer>, statement: Uint8Array): Promise<DsseEnvelope> {
  try {
    const sig = await (await signer).sign(dssePae(IN_TOTO_PAYLOAD_TYPE, statement))
    return {payloadType: IN_TOTO_PAYLOAD_TYPE, payload: statement, signatures: [{sig}]}
  } catch (err) {
    if (isSigilError(err)) throw err
    throw new SigningError('SIGNING_FAILED', `signing failed: ${(err as Error).message}`, {cause: err})
  }
}
