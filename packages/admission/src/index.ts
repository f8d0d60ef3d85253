/**
 * @sigil/admission: sigil as a Kubernetes admission controller — AdmissionReview parsing,
 * sigstore policy-controller's ClusterImagePolicy, decisions with a verification cache, the
 * HTTPS webhook server and its certificates. Verification is `@sigil/signing`'s, both formats.
 * This entry point is what `sigil admission serve` uses; the webhook certificates are
 * `@sigil/admission/certs` (no policy, YAML or verification code behind them); the images of a
 * manifest file (`sigil manifest verify`) are `@sigil/admission/manifest` (the pod-spec reading
 * and YAML, nothing of the server).
 */
export {registryVerification} from './verify.js'
export type {RegistryVerificationOptions} from './verify.js'
export {startAdmissionServer} from './server.js'
export type {AdmissionServer, AdmissionServerOptions} from './server.js'
export type {DeciderOptions, KeyAuthority} from './decide.js'
