/** `sigil generate-key-pair`. */
export const generateKeyPair = {
  summary: 'Create an ECDSA P-256 key pair: an encrypted private key (cosign.key, mode 0600) and cosign.pub.',
  description:
    'The private key uses cosign\'s encrypted format (scrypt + NaCl secretbox over PKCS#8). By default it is written with scrypt N=32768 and the "ENCRYPTED COSIGN PRIVATE KEY" label, which every cosign release and containers/image tools (skopeo, podman) read; --scrypt-n 65536 matches what cosign 2.2+ writes but cosign before 2.2 cannot read it.\n\n' +
    'An existing key is never overwritten without --force (or a "y" at the prompt on a terminal).',
  examples: [
    '<%= config.bin %> generate-key-pair',
    'COSIGN_PASSWORD=secret <%= config.bin %> generate-key-pair --output-key-prefix release',
  ],
  prefix: 'Write <prefix>.key and <prefix>.pub.',
  force: 'Overwrite existing key files without asking.',
  scryptN: 'scrypt cost for the private key encryption (32768 reads everywhere; 65536/131072 need cosign 2.2+).',
  kms: 'Create the key in a KMS (a URI handled by an installed plugin, e.g. awskms:///alias/release) and write only the public key.',
}
