/**
 * @sigil/admission: sigil as a Kubernetes admission controller — AdmissionReview parsing,
 * sigstore policy-controller's ClusterImagePolicy, decisions with a verification cache, the
 * HTTPS webhook server and its certificates. Verification is `@sigil/signing`'s, both formats.
 */
export {compileGlob, globMatches} from './glob.js'
export {BadReviewError, REVIEWED_KINDS, parseAdmissionReview, podImages} from './review.js'
export type {ImageSite, ReviewRequest} from './review.js'
export {PolicyError, mergePolicies, parsePolicies} from './policy.js'
export type {AttestationRequirement, Authority, ImagePolicy} from './policy.js'
export {FlightCache} from './cache.js'
export {AdmissionMetrics} from './metrics.js'
export {Decider} from './decide.js'
export type {DeciderOptions, FailureCategory, ImageDecision, KeyAuthority, PatchOperation, PolicySet, ReviewDecision} from './decide.js'
export {registryVerification} from './verify.js'
export type {RegistryVerificationOptions} from './verify.js'
export {filesOf, readAll, watchFiles} from './files.js'
export type {FileText} from './files.js'
export {reviewResponse, startAdmissionServer} from './server.js'
export type {AdmissionServer, AdmissionServerOptions} from './server.js'
export {makeWebhookCertificates, serviceHosts} from './certs.js'
export type {WebhookCertificates} from './certs.js'
