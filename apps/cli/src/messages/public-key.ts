/** `sigil public-key`. */
export const publicKey = {
  summary: 'Print the public key of a private key (cosign.key) or a KMS key, as PEM.',
  examples: ['<%= config.bin %> public-key --key cosign.key', '<%= config.bin %> public-key --key cosign.key --outfile cosign.pub'],
  outfile: 'Write the PEM to this file instead of stdout.',
  sshExamples: ['<%= config.bin %> public-key --key awskms:///alias/git-signing --ssh --outfile git-signing.pub   # for git (sigil-ssh-keygen)'],
}
