import {TLOG_NOTE} from './shared.js'

/** `sigil sign`. */
export const sign = {
  summary: 'Sign container images and push the signatures to their registry (cosign-compatible).',
  description:
    'For each image, resolves the tag to a digest, signs the simple-signing payload with the key and appends it as a layer of <repo>:sha256-<digest>.sig, exactly as cosign does. Signing the same payload again with the same key adds nothing.\n\n' +
    TLOG_NOTE,
  examples: [
    '<%= config.bin %> sign --key cosign.key registry.example.com/team/app:1.0.0',
    '<%= config.bin %> sign --key cosign.key -a git=abc123 -a env=prod registry.example.com/team/app@sha256:…',
    'COSIGN_PASSWORD=… <%= config.bin %> sign --key cosign.key -y img1 img2 img3',
  ],
  yes: 'Skip confirmation prompts (sigil has none for key-based signing; accepted for cosign compatibility).',
  tlogUpload: 'Upload to a transparency log. Not supported: only --tlog-upload=false is accepted.',
  upload: 'Push the signature to the registry (--upload=false prints the payload and signature instead).',
  identity: 'Use this value as docker-reference in the payload instead of the image\'s repository.',
  tagWarning: (ref: string) =>
    `WARNING: Image reference ${ref} uses a tag, not a digest, to identify the image to sign.\n` +
    '    This can lead you to sign a different image than the intended one. Please use a\n' +
    '    digest (example.com/ubuntu@sha256:abc123...) rather than tag\n' +
    '    (example.com/ubuntu:latest) for the input to sigil. Whatever the tag pointed to\n' +
    '    when it was resolved is what gets signed.',
  tlogUnsupported: 'sigil does not upload to a transparency log; use --tlog-upload=false (the default).',
  newBundleFormat:
    "Sign in cosign 3's format: a sigstore bundle pushed as an OCI 1.1 referrer of the image (listed in the sha256-<digest> index tag on registries without the referrers API). Default: the legacy .sig tag, unless SIGIL_NEW_BUNDLE_FORMAT=true or {\"signatureFormat\": \"bundle\"} in ~/.config/sigil/config.json.",
  referrersMode: 'How the registry indexes referrers (cosign 3): oci-1-1 (its referrers API) or legacy (the sha256-<digest> index tag). Default: what the registry says when the referrer is pushed.',
  signingConfig: 'Accepted for cosign 3 compatibility: key-based signing needs no signing config, transparency log or timestamp authority.',
  bundleNoUpload: '--upload=false is not supported with --new-bundle-format',
  recursive:
    'If the image is a multi-platform index (OCI image index or Docker manifest list), also sign every manifest it lists (nested indexes too), each under its own digest. The whole index is read before anything is signed; the index itself is signed last.',
  recursiveTargets: (count: number, index: string) => `Signing ${index} and the ${count} manifest${count === 1 ? '' : 's'} it lists`,
}
