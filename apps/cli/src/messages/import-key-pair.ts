/** `sigil import-key-pair`. */
export const importKeyPair = {
  summary: 'Import a PEM private key (PKCS#1 RSA, SEC1 EC or PKCS#8) into cosign\'s encrypted key format.',
  examples: ['<%= config.bin %> import-key-pair --key existing-ec.pem --output-key-prefix imported'],
  key: 'The unencrypted PEM private key to import.',
}
