/**
 * The format modules grouped by family, for `import {formats} from '@sigil/core'`.
 * Every member is also a top-level export.
 */
export * as attestation from './attestation-predicate.js'
export * as blobBundle from './blob-bundle.js'
export * as bundleClaims from './bundle-claims.js'
export * as digest from './digest.js'
export * as dsse from './dsse.js'
export * as goJson from './go-json.js'
export * as inToto from './in-toto.js'
export * as ociLayout from './oci-layout.js'
export * as reference from './reference.js'
export * as referrers from './referrers.js'
export * as signatureManifest from './signature-manifest.js'
export * as sigstoreBundle from './sigstore-bundle.js'
export * as simpleSigning from './simple-signing.js'
