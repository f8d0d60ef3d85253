/** What the verify workflows (signatures, attestations) share: the order errors are reported in, listing every store, checking a DSSE envelope. */
import {bundleStatement, envelopeStatement, isBundleForOtherKey, parseDsseEnvelope, parseSigstoreBundle, publicKeyHint} from '@sigil/core'
import type {AttachmentKind, AttachmentStore, AttachmentSubject, BundleStatement, HashAlgorithm, StoredAttachment, Verifier} from '@sigil/core'

/**
 * Run `work` while the key is still loading (its registry requests overlap the key's unlock or
 * KMS round trip). When `work` fails, a failure of the key is thrown instead: a missing key or a
 * wrong password is reported before a registry fault that happened meanwhile.
 */
export async function keyErrorsFirst<T>(verifier: Verifier | PromiseLike<Verifier>, work: (verifier: Promise<Verifier>) => Promise<T>): Promise<T> {
  const loading = Promise.resolve(verifier)
  loading.catch(() => undefined) // awaited below, on every path
  try {
    return await work(loading)
  } catch (err) {
    await loading
    throw err
  }
}

/** Every store's attachments of `kind`, listed at once, each with the store that holds it. */
export async function listEveryStore(stores: readonly AttachmentStore[], subject: AttachmentSubject, kind: AttachmentKind): Promise<Array<{store: AttachmentStore; attachment: StoredAttachment}>> {
  const lists = await Promise.all(stores.map(async (store) => (await store.list(subject, kind)).map((attachment) => ({store, attachment}))))
  return lists.flat()
}

/**
 * A DSSE envelope (in a Sigstore bundle, or bare) checked against `key`: parsed, a bundle whose
 * key hint names another key passed over without any cryptography, the envelope's signature
 * verified. A failure is a reason starting with `where`.
 */
export function checkDsseBundle(
  bytes: Uint8Array,
  format: 'bundle' | 'envelope',
  where: string,
  key: Verifier,
  hash: HashAlgorithm | undefined,
): {ok: true; parsed: BundleStatement} | {ok: false; reason: string} {
  let parsed: BundleStatement
  try {
    if (format === 'bundle') {
      const bundle = parseSigstoreBundle(bytes)
      if (isBundleForOtherKey(bundle, publicKeyHint(key.publicKey.spki))) {
        return {ok: false, reason: `${where} was made with another key (key hint ${bundle.verificationMaterial.publicKeyHint})`}
      }
      parsed = bundleStatement(bundle)
    } else {
      parsed = envelopeStatement(parseDsseEnvelope(bytes))
    }
  } catch (err) {
    return {ok: false, reason: `${where}: ${(err as Error).message}`}
  }
  if (!parsed.envelope.signatures.some((s) => s.sig.length > 0 && key.verify(parsed.pae, s.sig, {hash}))) {
    return {ok: false, reason: `${where}: invalid signature when validating the DSSE envelope`}
  }
  return {ok: true, parsed}
}
