import {TLOG_NOTE} from './shared.js'

/** `sigil verify-blob`. */
export const verifyBlob = {
  summary: 'Verify a file (or standard input) against a signature or a bundle with a public key (cosign-compatible).',
  description:
    'Reads the file once, in constant memory, and checks the signature over it with the key, as `cosign verify-blob --key` does. Prints "Verified OK" on standard error when it verifies. ' +
    '--signature is a file, an https:// URL, or the base64 signature itself; content that is not base64 is taken as the raw signature bytes. ' +
    '--bundle is either format sign-blob writes, told apart by content: a sigstore bundle (cosign 3; its SHA-256 of the file must match too) or cosign 2\'s {"base64Signature": …}.\n\n' +
    'Ed25519 keys verify the message itself (pure Ed25519 cannot be computed incrementally): the file must then fit in memory, up to 256 MiB.\n\n' +
    'Exit codes: 0 verified; 12 the signature does not verify (wrong key, changed file, a bundle for another file); 10 the signature is empty; 2 usage error; 1 anything else (a missing or unreadable file, a bundle that is not JSON or not a bundle, a key that cannot be loaded).\n\n' +
    TLOG_NOTE,
  examples: [
    '<%= config.bin %> verify-blob --key cosign.pub --signature release.tar.gz.sig release.tar.gz',
    '<%= config.bin %> verify-blob --key cosign.pub --bundle release.tar.gz.sigstore.json --insecure-ignore-tlog release.tar.gz',
    'cat release.tar.gz | <%= config.bin %> verify-blob --key awskms:///alias/release --signature "$(cat release.sig)" -',
  ],
  file: 'The file to verify, or - for standard input.',
  signature: 'The signature: a file, an https:// URL, or the base64 signature itself.',
  bundle: 'A bundle from sign-blob --bundle (cosign 3 sigstore bundle or cosign 2 legacy bundle).',
  ignoreTlog: 'Accepted for cosign compatibility: sigil never consults a transparency log.',
  accepted: 'Accepted for cosign compatibility; has no effect on key-based verification.',
  digestAlgorithm: 'Hash used to check the signature.',
  verifiedOk: 'Verified OK',
  timeout: 'Give up when the command has not finished within this time (Go duration: 30s, 3m, 1h), reading the file included: raise it for very large files or slow pipes.',
  needOne: 'give the signature to check: --signature SIG or --bundle FILE',
  notBoth: '--signature and --bundle are exclusive: give one of them',
  readFailed: (what: string, path: string, reason: string) => `cannot read the ${what} ${path}: ${reason}`,
  signatureNotFound: (value: string) => `--signature ${value.length > 80 ? `${value.slice(0, 80)}…` : value} is neither a file nor a base64 signature`,
}
