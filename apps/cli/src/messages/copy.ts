/** `sigil copy`. */
export const copy = {
  summary: 'Copy an image and its signatures, attestations and SBOMs to another repository or registry (cosign 2 copy).',
  description:
    'Copies the image (an index with every platform and nested manifest, every config and layer blob) and what is attached to each of its digests, in both formats: ' +
    "the legacy sha256-<digest>.sig/.att/.sbom tags and cosign 3's bundle referrers. On a registry without the OCI 1.1 referrers API the sha256-<digest> index tag is rewritten " +
    'for the destination: it lists the referrers copied there, added to what it listed already. Attachments already at the destination are kept: layers are merged into its tags, never dropped.\n\n' +
    'Blobs the destination has are skipped; on one registry they are mounted from the source rather than sent again. Blobs go first, then manifests (children before their index), ' +
    'then attachments, then the destination tag: an interrupted copy never looks complete, and running it again finishes it (a second run writes nothing).\n\n' +
    'Exit codes: 0 copied, 11 source image (or --platform) not found, 2 usage error, 1 anything else (a registry fault, a destination tag naming another image without -f).',
  examples: [
    '<%= config.bin %> copy registry.example.com/team/app:1.0.0 mirror.example.com/team/app:1.0.0',
    '<%= config.bin %> copy --only sig,att registry.example.com/team/app:1.0.0 mirror.example.com/team/app',
    '<%= config.bin %> copy --platform linux/arm64 -f registry.example.com/team/app:1.0.0 registry.example.com/team/app-arm64:1.0.0',
    '<%= config.bin %> copy --json registry.example.com/team/app@sha256:… registry.example.com/archive/app:1.0.0',
  ],
  only: 'Copy only these attachments (comma-separated: sig, att, sbom) and leave the destination tag alone; the image is still copied by digest, as their subject (cosign 2.5).',
  sigOnly: 'Deprecated: same as --only sig.',
  sigOnlyDeprecated: '--sig-only is deprecated, use --only=sig instead',
  force: 'Point the destination tag at the copy even when it names another image (cosign -f); also replaces an unreadable destination .sig tag or referrers index. Attachments at the destination are merged, never dropped.',
  platform: 'Copy only this platform of a multi-platform image (os/arch[/variant], e.g. linux/amd64): the destination gets that manifest.',
  badOnly: (value: string) => `invalid value for --only: ${value}; use sig, att or sbom (comma-separated)`,
  progress: (done: number, total: number, bytes: number) => `Copying blobs: ${done}/${total}, ${(bytes / (1024 * 1024)).toFixed(1)} MiB sent`,
  writing: (location: string) => `Copying to ${location}...`,
  done: (source: string, destination: string, r: {manifests: number; written: number; blobs: {total: number; present: number; mounted: number; uploaded: number}; attachments: number; attachmentsWritten: number}) =>
    `Copied ${source} to ${destination}: ${r.written} of ${r.manifests} manifest${r.manifests === 1 ? '' : 's'} written, ` +
    `${r.blobs.total} blob${r.blobs.total === 1 ? '' : 's'} (${r.blobs.uploaded} uploaded, ${r.blobs.mounted} mounted, ${r.blobs.present} already there), ` +
    `${r.attachmentsWritten} of ${r.attachments} attachment location${r.attachments === 1 ? '' : 's'} written`,
}
