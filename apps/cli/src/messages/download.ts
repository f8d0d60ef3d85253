/** `sigil download signature|attestation|sbom`. */
export const download = {
  signatureSummary: "Print an image's signatures, one JSON object per line, as cosign download signature does.",
  attestationSummary: "Print an image's attestations, one JSON object per line, as cosign download attestation does.",
  sbomSummary: "Print the SBOMs attached to an image (the deprecated .sbom tag), as cosign download sbom does.",
  description:
    'Reads the legacy tags (<repo>:sha256-<digest>.sig/.att/.sbom, in COSIGN_REPOSITORY when set) and cosign 3\'s bundle referrers. Legacy signatures print as cosign\'s {"Base64Signature","Payload","Cert","Chain","Bundle","RFC3161Timestamp"}, attestations as their DSSE envelope {"payloadType","payload","signatures"}, bundles as stored. Unlike cosign 3, which prints every bundle for both kinds and hides the legacy tags when there are bundles, sigil prints each kind apart, from both formats.\n\n' +
    'Exit codes: 0 found, 10 none attached, 11 image or tag not found, 1 anything else.',
  examples: (kind: string) => [`<%= config.bin %> download ${kind} registry.example.com/team/app:1.0.0`, `<%= config.bin %> download ${kind} --json registry.example.com/team/app@sha256:…`],
  sbomFound: (mediaType: string) => `Found SBOM of media type: ${mediaType}`,
  none: (kind: string, image: string) => (kind === 'signature' ? `no signatures associated with ${image}` : `found no ${kind === 'sbom' ? 'SBOMs' : 'attestations'} for ${image}`),
}
