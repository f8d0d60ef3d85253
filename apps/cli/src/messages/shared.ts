/**
 * User-facing help text and messages, one module per command (or group of commands) in this
 * directory, so a command loads only its own text. This one: what several commands share (key and
 * registry flags, the transparency-log note, --timeout).
 */

export const TLOG_NOTE =
  'sigil has no transparency log: it never uploads to Rekor and verifies key-based signatures without one. ' +
  'cosign flags such as --tlog-upload=false and --insecure-ignore-tlog are accepted so existing command lines work unchanged.'

export const shared = {
  key: 'Path to a private key (cosign.key), an env://VAR holding PEM text, or a KMS URI from an installed plugin.',
  pubKey: 'Path to a public key (cosign.pub), an https:// URL serving one, an env://VAR holding PEM text, or a KMS URI from an installed plugin.',
  annotations: 'Extra key=value pairs for the payload\'s "optional" section; repeatable, and each value may hold several pairs separated by commas.',
  allowInsecure: 'Allow plain HTTP to registries that are not on loopback (loopback always uses HTTP). TLS certificates are always verified; for a private CA set NODE_EXTRA_CA_CERTS.',
  allowHttp: 'Same as --allow-insecure-registry (cosign 3 spelling).',
  attachmentTagPrefix: 'Prefix for the signature tag (cosign\'s --attachment-tag-prefix).',
  timeout: 'Give up when the command has not finished within this time (Go duration: 30s, 3m, 1m30s), whatever it is waiting for: a registry, a KMS, a plugin.',
  timedOut: (command: string, limit: string) =>
    `sigil ${command} did not finish within ${limit} (--timeout): a registry or key backend is not answering; check it, or allow more time with --timeout`,
  tlogNote: TLOG_NOTE,
  env: 'Passwords come from SIGIL_PASSWORD or COSIGN_PASSWORD (used verbatim when set, even empty), else a hidden prompt on a terminal, else all of standard input (a trailing newline is part of the password, as with cosign). COSIGN_REPOSITORY / SIGIL_REPOSITORY store signatures in another repository.',
}
