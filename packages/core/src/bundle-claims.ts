/**
 * The pure checks of verifying a cosign 3 image signature bundle (spec §2.7, §6), and the entry
 * `cosign verify` prints for one. Signature verification itself (PAE + key) is the caller's.
 */
import {encodeStdBase64} from './base64.js'
import {parseDigest} from './digest.js'
import {dssePae, IN_TOTO_PAYLOAD_TYPE} from './dsse.js'
import type {DsseEnvelope} from './dsse.js'
import {sortedKeys} from './go-json.js'
import {COSIGN_SIGN_PREDICATE_TYPE, parseInTotoStatement} from './in-toto.js'
import type {InTotoStatement, ParseStatementOptions} from './in-toto.js'
import {SigilError} from './errors.js'
import type {ClaimCheckResult, SimpleSigningPayload} from './simple-signing.js'
import type {SigstoreBundle} from './sigstore-bundle.js'

/**
 * True when `bundle` names a different signing key: it carries a non-empty `publicKey.hint`
 * other than `keyHint` (`publicKeyHint(spki)` of the verifying key). Such a bundle can be
 * skipped without verifying anything. False for no hint, an empty one, or a certificate: then
 * only the signature decides.
 */
export function isBundleForOtherKey(bundle: SigstoreBundle, keyHint: string): boolean {
  const hint = bundle.verificationMaterial.publicKeyHint
  return hint !== undefined && hint !== '' && hint !== keyHint
}

/** Input of `checkImageSignatureStatement`. */
export interface ImageSignatureCheckOptions {
  /** The image being verified, `sha256:<hex>`. */
  readonly digest: string
  /** `verify -a k=v`: each must be in the matching subject's annotations with exactly this string value. */
  readonly annotations?: Readonly<Record<string, string>>
}

/**
 * Whether a (signature-verified) statement is a cosign image signature for `digest`:
 * predicateType must be `https://sigstore.dev/cosign/sign/v1` (an attestation made with the same
 * key is not a signature), some subject's `digest.sha256` must equal the image digest
 * (`no matching subject digest found`, cosign's `IntotoSubjectClaimVerifier`), and that subject
 * must carry every wanted annotation (`missing or incorrect annotation`).
 * Throws `INVALID_REFERENCE` for a malformed `digest`.
 */
export function checkImageSignatureStatement(statement: InTotoStatement, options: ImageSignatureCheckOptions): ClaimCheckResult {
  const {algorithm, hex} = parseDigest(options.digest)
  if (statement.predicateType !== COSIGN_SIGN_PREDICATE_TYPE) {
    return {ok: false, reason: `predicate type ${statement.predicateType} is not an image signature (${COSIGN_SIGN_PREDICATE_TYPE})`}
  }
  const subject = statement.subject.find((s) => Object.hasOwn(s.digest, algorithm) && s.digest[algorithm] === hex)
  if (subject === undefined) return {ok: false, reason: 'no matching subject digest found'}
  const have = subject.annotations ?? {}
  for (const [key, value] of Object.entries(options.annotations ?? {})) {
    if (!Object.hasOwn(have, key) || have[key] !== value) return {ok: false, reason: 'missing or incorrect annotation'}
  }
  return {ok: true}
}

/**
 * Whether a (signature-verified) statement attests `digest` (cosign's `IntotoSubjectClaimVerifier`
 * for `verify-attestation`): some subject's digest must equal it (`no matching subject digest
 * found`), and it must not be an image signature (predicateType
 * `https://sigstore.dev/cosign/sign/v1` is a signature, never an attestation).
 * Throws `INVALID_REFERENCE` for a malformed `digest`.
 */
export function checkAttestationStatement(statement: InTotoStatement, options: {readonly digest: string}): ClaimCheckResult {
  const {algorithm, hex} = parseDigest(options.digest)
  if (statement.predicateType === COSIGN_SIGN_PREDICATE_TYPE) return {ok: false, reason: `predicate type ${COSIGN_SIGN_PREDICATE_TYPE} is an image signature, not an attestation`}
  const found = statement.subject.some((s) => Object.hasOwn(s.digest, algorithm) && s.digest[algorithm] === hex)
  return found ? {ok: true} : {ok: false, reason: 'no matching subject digest found'}
}

/** What `bundleStatement` gives: the envelope, the bytes to verify, and the statement. */
export interface BundleStatement {
  readonly envelope: DsseEnvelope
  /** `dssePae(payloadType, payload)`: what each envelope signature signs. */
  readonly pae: Uint8Array
  readonly statement: InTotoStatement
}

/**
 * The in-toto statement of a DSSE bundle, with the PAE bytes to check the signature over.
 * Throws `INVALID_PAYLOAD` for a bundle without a DSSE envelope (`details.reason` `not-dsse`),
 * another payloadType (`not-in-toto`), or a bad statement (see `parseInTotoStatement`).
 * Verify the signature over `pae` before trusting `statement`.
 */
export function bundleStatement(bundle: SigstoreBundle, options: ParseStatementOptions = {}): BundleStatement {
  const envelope = bundle.dsseEnvelope
  if (envelope === undefined) {
    throw new SigilError('INVALID_PAYLOAD', 'sigstore bundle holds a message signature, not a DSSE envelope', {details: {format: 'sigstore-bundle', reason: 'not-dsse'}})
  }
  return envelopeStatement(envelope, options)
}

/**
 * The in-toto statement of a DSSE envelope (a legacy `.att` layer, a bundle's envelope), with the
 * PAE bytes to check the signature over. Throws `INVALID_PAYLOAD` for another payloadType
 * (`not-in-toto`: cosign's `invalid payloadType … on envelope`) or a bad statement.
 * Verify the signature over `pae` before trusting `statement`.
 */
export function envelopeStatement(envelope: DsseEnvelope, options: ParseStatementOptions = {}): BundleStatement {
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new SigilError('INVALID_PAYLOAD', `invalid payloadType ${envelope.payloadType} on envelope. Expected ${IN_TOTO_PAYLOAD_TYPE}`, {
      details: {format: 'dsse-envelope', reason: 'not-in-toto'},
    })
  }
  return {envelope, pae: dssePae(envelope.payloadType, envelope.payload), statement: parseInTotoStatement(envelope.payload, options)}
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep)
  if (value !== null && typeof value === 'object') {
    const out = sortedKeys(value as Record<string, unknown>)
    for (const key of Object.keys(out)) out[key] = sortDeep(out[key])
    return out
  }
  return value
}

/** Input of `cosignVerifyOutputEntry`. */
export interface CosignVerifyOutputOptions {
  /** The reference as cosign names it (`ref.Name()`: the normalised input, tag or digest included). */
  readonly reference: string
}

/**
 * The entry `cosign verify` (3.x) prints for a verified bundle, synthesised from its statement
 * as cosign's `transformOutput` does: identity `docker-reference` = `reference`, image digest =
 * the first subject's digest (`sha256` if it lists several), `type` = the predicateType,
 * `optional` = that subject's annotations (`{}` when none, never `null`). Shaped as a
 * simple-signing payload; `goMarshal` of it gives cosign's bytes (maps key-sorted at every depth).
 */
export function cosignVerifyOutputEntry(statement: InTotoStatement, options: CosignVerifyOutputOptions): SimpleSigningPayload {
  const subject = statement.subject[0]
  let digest = ''
  if (subject !== undefined) {
    const algorithm = Object.hasOwn(subject.digest, 'sha256') ? 'sha256' : Object.keys(subject.digest).at(-1)
    if (algorithm !== undefined) digest = `${algorithm}:${subject.digest[algorithm]}`
  }
  return {
    critical: {
      identity: {'docker-reference': options.reference},
      image: {'docker-manifest-digest': digest},
      type: statement.predicateType,
    },
    optional: sortDeep({...subject?.annotations}) as Record<string, unknown>,
  }
}

/** protobuf-specs `HashAlgorithm` names of message digests → OCI digest algorithms. */
export const MESSAGE_DIGEST_ALGORITHMS: Readonly<Record<string, 'sha256' | 'sha384' | 'sha512'>> = Object.freeze({
  SHA2_256: 'sha256',
  SHA2_384: 'sha384',
  SHA2_512: 'sha512',
})

/**
 * The blob check of a `messageSignature` bundle besides the signature (sigstore-go's
 * `verifyMessageSignatureContent`): the bundle must name a digest of the artifact
 * (`message is missing artifact digest`) with an algorithm of `MESSAGE_DIGEST_ALGORITHMS`, and
 * it must equal `artifactDigest` (`<algorithm>:<hex>` of the file: `artifact digest does not
 * match message digest`). The digest is an unauthenticated hint: verify the signature over the
 * artifact bytes as well. Throws `INVALID_REFERENCE` for a malformed `artifactDigest`.
 */
export function checkMessageSignatureDigest(bundle: SigstoreBundle, artifactDigest: string): ClaimCheckResult {
  const {algorithm, hex} = parseDigest(artifactDigest)
  const message = bundle.messageSignature
  if (message === undefined) return {ok: false, reason: 'bundle holds a DSSE envelope, not a message signature'}
  const md = message.messageDigest
  if (md === undefined || md.digest.length === 0) return {ok: false, reason: 'message is missing artifact digest'}
  const named = Object.hasOwn(MESSAGE_DIGEST_ALGORITHMS, md.algorithm) ? MESSAGE_DIGEST_ALGORITHMS[md.algorithm] : undefined
  if (named === undefined) return {ok: false, reason: `unsupported message digest algorithm ${md.algorithm}`}
  const want = new Uint8Array(hex.match(/../g)!.map((b) => parseInt(b, 16)))
  if (named !== algorithm || encodeStdBase64(want) !== encodeStdBase64(md.digest)) {
    return {ok: false, reason: 'artifact digest does not match message digest'}
  }
  return {ok: true}
}
