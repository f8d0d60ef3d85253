/**
 * Verification against registries for the decider: sigil's own `verifyImage` and
 * `verifyAttestations` over both formats (cosign 3's sigstore bundles as referrers, and the legacy `.sig` tag), one registry
 * client for every request (keep-alive per registry), keys loaded once per reference.
 */
import {createLocalVerifier, parsePublicKeyPem} from '@sigil/core'
import type {ImageReference, Verifier} from '@sigil/core'
import type {RegistryClient} from '@sigil/oci'
import {legacyTagStore, referrersStore, resolveForVerification, verifyAttestations, verifyImage} from '@sigil/signing'
import type {ReferrersApiMemory} from '@sigil/signing'
import {FlightCache} from './cache.js'
import type {KeyAuthority} from './decide.js'

/** Options of {@link registryVerification}. */
export interface RegistryVerificationOptions {
  readonly client: RegistryClient
  /** The verifier of a `key.kms` reference (any sigil key reference: KMS, plugin, file). */
  readonly loadVerifier: (keyRef: string) => Promise<Verifier>
  /** Registries whose manifest GETs count as pulls: resolve tags with HEAD. */
  readonly resolveWithHead?: (registry: string) => boolean
}

/** An in-memory record of which registries serve the referrers API. */
function memoryOfReferrersApi(): ReferrersApiMemory {
  const known = new Map<string, boolean>()
  return {get: (registry) => known.get(registry), set: (registry, supported) => void known.set(registry, supported)}
}

/** `resolve`, `verify` and `verifyAttestations` for a {@link Decider}. */
export function registryVerification(options: RegistryVerificationOptions): {
  resolve: (image: ImageReference) => Promise<string>
  verify: (image: ImageReference, authority: KeyAuthority) => Promise<void>
  verifyAttestations: (image: ImageReference, authority: KeyAuthority) => Promise<readonly string[]>
} {
  const {client} = options
  const memory = memoryOfReferrersApi()
  // Kept for good, shared while loading; a key that failed to load (a KMS outage) is asked again next time.
  const verifiers = new FlightCache<Verifier>(Infinity, () => Infinity)
  const verifierOf = (authority: KeyAuthority): Promise<Verifier> => {
    const id = authority.data !== undefined ? `data:${authority.data}` : `kms:${authority.kms}`
    return verifiers.get(id, () => (authority.data !== undefined ? Promise.resolve().then(() => createLocalVerifier(parsePublicKeyPem(authority.data!))) : options.loadVerifier(authority.kms!))).value
  }
  // What both checks share: the key, its hash, and where attachments are (referrers, then legacy tags).
  const checksOf = (authority: KeyAuthority) => {
    const signatureRepository = authority.signatureRepository
    return {
      client,
      verifier: verifierOf(authority),
      hash: authority.hash,
      signatureRepository,
      stores: [referrersStore({client, memory, signatureRepository}), legacyTagStore({client, signatureRepository})],
    }
  }
  return {
    resolve: (image) => resolveForVerification(client, image, {head: options.resolveWithHead?.(image.registry) === true}),
    verify: async (image, authority) => {
      await verifyImage(image, checksOf(authority))
    },
    // Every attestation the key verifies, once, whatever the types wanted: the decider compares.
    verifyAttestations: async (image, authority) => {
      const {attestations} = await verifyAttestations(image, checksOf(authority))
      return [...new Set(attestations.map((a) => a.statement.predicateType))]
    },
  }
}
