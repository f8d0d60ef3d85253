/** `sigil tree`. */
export const tree = {
  summary: "Show an image's supply-chain artifacts: its signatures, attestations and SBOMs (cosign tree).",
  description: "Reads the .sig, .att and .sbom tags of the image digest (in COSIGN_REPOSITORY when set) and cosign 3's bundle referrers, and lists each stored signature, attestation or SBOM. A registry fault is an error, never \"nothing attached\".",
  examples: ['<%= config.bin %> tree registry.example.com/team/app:1.0.0', '<%= config.bin %> tree --json registry.example.com/team/app@sha256:…'],
  /**
   * What `cosign tree` prints: legacy tags under their kind, each referrer as cosign 3 shows it
   * (its predicate type, else its media type), one line per layer (`├──`, the last `└──`).
   * `image` is the reference as given (cosign prints that), `pinned` the same by digest.
   */
  render: (image: string, pinned: string, tree: {branches: ReadonlyArray<{kind: string; location: string; predicateType?: string; layers: ReadonlyArray<{digest: string; mediaType: string}>}>}): string => {
    if (tree.branches.length === 0) return `No supply chain security related artifacts found for ${pinned}; sign it with: sigil sign --key cosign.key ${pinned}\n`
    const title = {signature: '🔐 Signatures', attestation: '💾 Attestations', sbom: '📦 SBOMs'} as Record<string, string>
    const lines = [`📦 Supply Chain Security Related artifacts for an image: ${image}`]
    for (const b of tree.branches) {
      if (b.location.includes('@')) lines.push(`└── 🔗 ${b.predicateType ?? b.layers[0]?.mediaType ?? b.kind} artifacts via OCI referrer: ${b.location}`)
      else lines.push(`└── ${title[b.kind]} for an image tag: ${b.location}`)
      b.layers.forEach((l, i) => lines.push(`   ${i === b.layers.length - 1 ? '└──' : '├──'} 🍒 ${l.digest}`))
    }
    return `${lines.join('\n')}\n`
  },
}
