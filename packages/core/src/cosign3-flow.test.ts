// The call sequence the sign and verify workflows use, end to end with a fresh key, as a check
// that the pieces fit (each piece is tested byte for byte against cosign 3.1.1 in its own file).
import {generateKeyPairSync, sign, verify} from 'node:crypto'
import {expect, test} from 'vitest'
import {bundleStatement, checkImageSignatureStatement, cosignVerifyOutputEntry, isBundleForOtherKey} from './bundle-claims.js'
import {sha256Digest} from './digest.js'
import {IN_TOTO_PAYLOAD_TYPE, dssePae} from './dsse.js'
import {goMarshal} from './go-json.js'
import {COSIGN_SIGN_PREDICATE_TYPE, buildCosignSignStatement} from './in-toto.js'
import {
  OCI_EMPTY_DIGEST,
  OCI_EMPTY_JSON,
  addToReferrersIndex,
  buildBundleReferrerManifest,
  parseReferrerManifest,
  parseReferrersIndex,
  referrersIndexEntry,
  referrersTag,
  sigstoreBundleLayer,
} from './referrers.js'
import {OCI_MANIFEST_MEDIA_TYPE} from './signature-manifest.js'
import {buildDsseBundle, parseSigstoreBundle, publicKeyHint} from './sigstore-bundle.js'

test('sign (bundle format) then verify, through the fallback index', () => {
  const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  const hint = publicKeyHint(new Uint8Array(publicKey.export({format: 'der', type: 'spki'})))
  const image = new TextEncoder().encode('{"schemaVersion":2}')
  const subject = {mediaType: OCI_MANIFEST_MEDIA_TYPE, size: image.length, digest: sha256Digest(image)}

  // sign
  const statement = buildCosignSignStatement({digest: subject.digest, annotations: {env: 'prod'}})
  const sig = new Uint8Array(sign('sha256', dssePae(IN_TOTO_PAYLOAD_TYPE, statement), privateKey))
  const bundle = buildDsseBundle({envelope: {payloadType: IN_TOTO_PAYLOAD_TYPE, payload: statement, signatures: [{sig}]}, publicKeyHint: hint})
  const manifest = buildBundleReferrerManifest({
    subject,
    bundleDescriptor: {size: bundle.length, digest: sha256Digest(bundle)},
    predicateType: COSIGN_SIGN_PREDICATE_TYPE,
    created: new Date(),
  })
  expect(sha256Digest(new TextEncoder().encode(OCI_EMPTY_JSON))).toBe(OCI_EMPTY_DIGEST) // the config blob to upload
  const {bytes: index} = addToReferrersIndex(undefined, referrersIndexEntry(manifest)) // PUT under referrersTag(subject.digest)
  expect(referrersTag(subject.digest)).toBe(subject.digest.replace(':', '-'))

  // verify
  const listed = parseReferrersIndex(index).manifests
  expect(listed.map((d) => d.digest)).toEqual([sha256Digest(manifest)])
  const referrer = parseReferrerManifest(manifest)
  expect(referrer.subject?.digest).toBe(subject.digest)
  const layer = sigstoreBundleLayer(referrer)!
  expect(layer.digest).toBe(sha256Digest(bundle))
  const parsed = parseSigstoreBundle(bundle)
  expect(isBundleForOtherKey(parsed, hint)).toBe(false)
  const {envelope, pae, statement: claims} = bundleStatement(parsed)
  expect(verify('sha256', pae, publicKey, envelope.signatures[0]!.sig)).toBe(true)
  expect(checkImageSignatureStatement(claims, {digest: subject.digest, annotations: {env: 'prod'}})).toEqual({ok: true})
  expect(goMarshal(cosignVerifyOutputEntry(claims, {reference: `r@${subject.digest}`}))).toBe(
    `{"critical":{"identity":{"docker-reference":"r@${subject.digest}"},"image":{"docker-manifest-digest":"${subject.digest}"},"type":"${COSIGN_SIGN_PREDICATE_TYPE}"},"optional":{"env":"prod"}}`,
  )
})
