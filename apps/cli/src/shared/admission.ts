/**
 * What `admission serve` and `admission check` share: verification against registries for the
 * Decider, with registry calls that end before the decision deadline (so a hanging registry is
 * named, not just late) and credentials from the docker config and the registry plugins.
 */
import type {CommandIO} from '../command.js'
import {keyContext, keyProviderFor, registryAdapters} from './command-io.js'
import {createRegistryClient} from './registry.js'

/** `resolve`, `verify` and `verifyAttestations` of `@sigil/admission`, for this command's registries and key providers. */
export async function admissionVerification(io: CommandIO, options: {insecure: boolean; deadlineMs: number}) {
  // Loaded here, not at start-up: no other command pays for the controller or its YAML parser.
  const admission = await import('@sigil/admission')
  const {insecure, deadlineMs} = options
  const client = await createRegistryClient(io, {'allow-insecure-registry': insecure}, {operationTimeoutMs: Math.max(deadlineMs - 250, 100)})
  const adapters = await registryAdapters(io)
  const verification = admission.registryVerification({
    client,
    loadVerifier: async (ref) => (await keyProviderFor(io, ref)).verifier(ref, keyContext(io, {insecure})),
    resolveWithHead: (registry) => adapters.find((a) => a.matches(registry))?.capabilities.rateLimitedPulls === true,
  })
  return {admission, verification}
}
