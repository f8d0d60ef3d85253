/** Git commit signing: OpenSSH public keys (sigil-ssh-keygen, public-key --ssh, sigil git setup). */
export const sshKey = {
  outputFormat: 'pem: the PEM public key (cosign.pub); ssh: an OpenSSH public-key line whose comment is the key reference, for git\'s user.signingKey and sigil-ssh-keygen.',
  ssh: 'Same as --output-format ssh.',
  bothFormats: '--ssh and --output-format pem contradict each other',
  pinInReference:
    'the key reference carries a PIN (pin-value=…), and an OpenSSH public-key line is shared with others: name the key without it and give the PIN in COSIGN_PKCS11_PIN',
  spaceInReference: (ref: string) => `the key reference "${ref}" contains white space, which an OpenSSH public-key comment cannot hold`,
  privateKeyFile: (path: string) =>
    `${path} is a private key; sigil-ssh-keygen signs with the sigil key named in an OpenSSH public-key file: make one with sigil public-key --key REF --ssh --outfile FILE and point user.signingKey at it`,
  noReference: (path: string) =>
    `${path} names no sigil key: its comment must be the key reference, as in "ecdsa-sha2-nistp256 AAAA… awskms:///alias/git-signing"; make it with sigil public-key --key REF --ssh --outfile FILE`,
  keyMismatch: (path: string, ref: string) => `${path} holds another key than ${ref}: make it again with sigil public-key --key ${ref} --ssh --outfile ${path}`,
}
