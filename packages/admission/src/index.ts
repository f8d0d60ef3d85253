/**
 * @sigil/admission: sigil as a Kubernetes admission controller — AdmissionReview parsing,
 * sigstore policy-controller's ClusterImagePolicy, decisions with a verification cache, the
 * HTTPS webhook server and its certificates. Verification is `@sigil/signing`'s, both formats.
 * This entry point is what `sigil admission serve` and `sigil admission check` use; the webhook
 * certificates are `@sigil/admission/certs` (no policy, YAML or verification code behind them);
 * the images of a manifest file (`sigil manifest verify`) are `@sigil/admission/manifest` (the
 * pod-spec reading and YAML, nothing of the server).
 */
export {registryVerification} from './verify.js'
export type {RegistryVerificationOptions} from './verify.js'
export {startAdmissionServer} from './server.js'
export type {AdmissionServer, AdmissionServerOptions} from './server.js'
export type {DeciderOptions, ImageDecision, KeyAuthority} from './decide.js'
export {PolicyError} from './policy.js'
export {checkTargets, imageTarget, loadPolicies, parseManifests} from './check.js'
export {ManifestError} from './manifest.js'
export type {CheckOptions, CheckTarget, CheckedImage, CheckedTarget} from './check.js'
