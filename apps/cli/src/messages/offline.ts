/** Air-gapped sites: `sigil save`, `sigil load` and `verify --local-image`. */
export const offline = {
  save: {
    summary: 'Save an image and its signatures, attestations and SBOMs to an OCI image layout on disk (cosign save).',
    description:
      "Writes an OCI image layout (oci-layout, index.json, blobs/sha256/…) holding the image (an index with all its platforms, or one manifest) and what is attached to it in both formats: the .sig/.att/.sbom images and cosign 3's bundle referrers, also those of an index's children. The index.json entries carry cosign's kind annotations (dev.cosignproject.cosign/image|imageIndex|sigs|atts|sboms), so cosign load and cosign verify --local-image read it too.\n\n" +
      'Every blob is checked against its digest. The layout is built beside DIR and renamed into place when complete: DIR never holds a half-written layout. DIR must be new or empty; an existing layout is replaced only with --force.',
    examples: [
      '<%= config.bin %> save --dir ./app-layout registry.example.com/team/app:1.0.0',
      '<%= config.bin %> save --dir ./app-layout --force --json registry.example.com/team/app@sha256:…',
    ],
    dir: 'Directory to write the OCI image layout to (new or empty).',
    force: 'Replace an existing OCI image layout at --dir.',
    done: (dir: string, digest: string, n: {manifests: number; blobs: number; attachments: number}) =>
      `Saved ${digest} with ${n.attachments} attachment(s) to ${dir} (${n.manifests} manifests, ${n.blobs} blobs)`,
  },
  load: {
    summary: 'Push an image and its attachments from an OCI image layout (sigil save or cosign save) to a registry (cosign load).',
    description:
      'Reads the layout at --dir, checks every blob against its digest before the first request (a missing or corrupt blob pushes nothing), then pushes blobs, manifests children first, the .sig/.att/.sbom images under their tags (merged with what the destination has: no signature is dropped), the bundle referrers (listed in the sha256-<hex> fallback index when the registry has no referrers API), and finally the image under IMAGE\'s tag.',
    examples: [
      '<%= config.bin %> load --dir ./app-layout registry.internal/team/app:1.0.0',
      'COSIGN_REPOSITORY=registry.internal/signatures <%= config.bin %> load --dir ./app-layout registry.internal/team/app:1.0.0',
    ],
    dir: 'Directory holding the OCI image layout to push.',
    attachment: (location: string) => `Pushed ${location}`,
    done: (image: string, digest: string) => `Loaded ${image}@${digest}`,
  },
  localImage: 'Verify the image in this OCI image layout (from sigil save or cosign save) instead of a registry: the argument is the layout directory. No network at all; the key must be a file or env:// key.',
  localImageKey: (key: string) =>
    `--local-image verifies with no network at all, so the key must be local (a public key file or env://VAR), not ${key}; export it first: sigil public-key --key ${key} > key.pub`,
  localImageOne: '--local-image takes exactly one layout directory',
}
