/**
 * The format modules grouped by family, for `import {formats} from '@sigil/core'`.
 * Every member is also a top-level export.
 */
export * as digest from './digest.js'
export * as goJson from './go-json.js'
export * as reference from './reference.js'
export * as signatureManifest from './signature-manifest.js'
export * as simpleSigning from './simple-signing.js'
