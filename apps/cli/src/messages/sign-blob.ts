import {TLOG_NOTE} from './shared.js'

/** `sigil sign-blob`. */
export const signBlob = {
  summary: 'Sign a file (or standard input) with a key: a detached signature and an optional bundle (cosign-compatible).',
  description:
    'Reads the file once, in constant memory, and signs its SHA-256 digest as `cosign sign-blob --key` does: the base64 signature goes to standard output (with a newline, as cosign prints it) or to --output-signature (no newline). ' +
    'With --bundle, also writes a bundle: by default cosign 3.1.1\'s format (a sigstore bundle v0.3 with a messageSignature: the key hint, the SHA-256 of the file and the signature; cosign 3 defaults --new-bundle-format to true), or with --new-bundle-format=false cosign 2\'s {"base64Signature": …}. ' +
    'Output files are replaced if they exist, as cosign does, but never left half-written (a temporary file is renamed into place).\n\n' +
    'Any size streams with file keys (ECDSA, RSA), KMS keys and other keys that sign digests. Ed25519 keys and executable plugins sign the message itself (pure Ed25519 cannot be computed incrementally), so the file must then fit in memory: up to 256 MiB.\n\n' +
    'A progress bar is shown on a terminal for files over 100 MB (not with --json).\n\n' +
    TLOG_NOTE,
  examples: [
    '<%= config.bin %> sign-blob --key cosign.key release.tar.gz > release.tar.gz.sig',
    '<%= config.bin %> sign-blob --key cosign.key --bundle release.tar.gz.sigstore.json release.tar.gz',
    '<%= config.bin %> sign-blob --key awskms:///alias/release --output-signature release.sig --tlog-upload=false -y release.tar.gz',
    'tar c dist | <%= config.bin %> sign-blob --key cosign.key --new-bundle-format=false --bundle dist.bundle -',
  ],
  file: 'The file to sign, or - for standard input.',
  outputSignature: 'Write the base64 signature to this file (no trailing newline, as cosign) instead of standard output.',
  output: 'Same as --output-signature (cosign\'s deprecated spelling).',
  outputCertificate: 'Accepted for cosign compatibility: a key has no certificate, so nothing is written.',
  bundle: 'Also write a bundle with everything needed to verify the file (format: see --new-bundle-format).',
  newBundleFormat:
    'Bundle format: true (default, as cosign 3.1.1) writes a sigstore bundle v0.3 (application/vnd.dev.sigstore.bundle.v0.3+json); false writes cosign 2\'s {"base64Signature": …}.',
  b64: 'Base64-encode the signature (default). --b64=false writes the raw signature bytes.',
  yes: 'Skip confirmation prompts (sigil has none for key-based signing; accepted for cosign compatibility).',
  tlogUpload: 'Upload to a transparency log. Not supported: only --tlog-upload=false is accepted.',
  tlogUnsupported: 'sigil does not upload to a transparency log; use --tlog-upload=false (the default).',
  signingConfig: 'Accepted for cosign 3 compatibility: key-based signing needs no signing config.',
  wroteBundle: (path: string) => `Wrote bundle to file ${path}`,
  wroteSignature: (path: string) => `Wrote signature to file ${path}`,
  usingPayload: (path: string) => `Using payload from: ${path}`,
  timeout: 'Give up when the command has not finished within this time (Go duration: 30s, 3m, 1h), reading the file included: raise it for very large files or slow pipes.',
  stdinPassword: 'the key needs a password and standard input is the file to sign: set COSIGN_PASSWORD (or SIGIL_PASSWORD)',
}
