/** `sigil git setup`. */
export const gitSetup = {
  summary: 'Set up git to sign commits and tags with a sigil key (SSH signatures any git and OpenSSH verify).',
  description:
    'Writes the key\'s OpenSSH public-key line (its comment is the key reference) and sets gpg.format ssh, gpg.ssh.program (sigil-ssh-keygen), user.signingKey, commit.gpgSign and tag.gpgSign in this repository, or with --global for every repository. ' +
    'Prints the allowed_signers line (EMAIL namespaces="git" KEY) for the team\'s allowed_signers file; upload the same public key to GitHub or GitLab as an SSH signing key to have commits shown as verified.\n\n' +
    'With --verify-only --allowed-signers FILE (a CI or deploy machine) only gpg.format ssh and gpg.ssh.allowedSignersFile are set: verification needs git and OpenSSH, no key.',
  examples: [
    '<%= config.bin %> git setup --key awskms:///alias/git-signing',
    '<%= config.bin %> git setup --key gcpkms://projects/p/locations/global/keyRings/r/cryptoKeys/git --global',
    '<%= config.bin %> git setup --key cosign.key --email dev@example.com',
    '<%= config.bin %> git setup --verify-only --allowed-signers .github/allowed_signers',
  ],
  key: 'The signing key: a cosign.key file, or a KMS or plugin URI (awskms://…, gcpkms://…, pkcs11:…).',
  global: 'Set git\'s global configuration (~/.gitconfig) instead of this repository\'s.',
  verifyOnly: 'Set up verification only (no key): needs --allowed-signers.',
  allowedSigners: 'The allowed_signers file git checks signatures against (gpg.ssh.allowedSignersFile).',
  revocationFile: 'A file of revoked keys (gpg.ssh.revocationFile).',
  outfile: 'Where to write the public-key file (default: SIGIL_CONFIG_DIR/git/<key>.pub).',
  email: 'The signer\'s email for the allowed_signers line (default: git config user.email).',
  program: 'The signing program git runs (default: the sigil-ssh-keygen installed beside sigil).',
  force: 'Replace a different public-key file at the output path.',
  needKey: 'git setup needs --key REF (or --verify-only --allowed-signers FILE)',
  needAllowedSigners: '--verify-only needs --allowed-signers FILE',
  keyWithVerifyOnly: '--verify-only takes no --key: a verifying machine needs no signing key',
  noEmail: 'no email for the allowed_signers line: pass --email or set git config user.email',
  notARepository: (cwd: string) => `${cwd} is not in a git repository: run this inside one, or pass --global`,
  gitFailed: (args: string, why: string) => `git ${args} failed: ${why}`,
  noGit: 'git is not installed (or not on PATH)',
  noAllowedSigners: (path: string, why: string) => `cannot read the allowed_signers file ${path}: ${why}`,
  pubExists: (path: string) => `${path} already exists and holds another key; use --force to replace it, or --outfile`,
  wrotePublicKey: (path: string) => `Public key written to ${path}`,
  configured: (scope: string) => `git (${scope}) now signs commits and tags with this key; add this line to the team's allowed_signers file:`,
  configuredVerify: (scope: string, file: string) => `git (${scope}) now verifies SSH signatures against ${file}`,
}
