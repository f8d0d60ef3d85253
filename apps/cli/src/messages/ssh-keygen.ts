/** `sigil-ssh-keygen`. */
export const sshKeygen = {
  help: `sigil-ssh-keygen: git's SSH signing program, signing with any sigil key (file, AWS KMS, GCP KMS, PKCS#11, plugins).

Usage (as git calls it):
  sigil-ssh-keygen -Y sign -n NAMESPACE -f KEYFILE [-U] [-q] [-O hashalg=sha256|sha512] [FILE ...]
  sigil-ssh-keygen -Y verify | find-principals | check-novalidate | …   (any other call)

-Y sign writes FILE.sig, an armored OpenSSH signature (SSHSIG), or signs standard input to
standard output when no FILE is given. KEYFILE is an OpenSSH public-key line whose comment is the
sigil key reference, as sigil public-key --key REF --ssh prints it:
  ecdsa-sha2-nistp256 AAAA… awskms:///alias/git-signing
-U (git's user.signingKey = key::…) is accepted: the key reference comes from the same line.
File keys (cosign.key) take their password from SIGIL_PASSWORD or COSIGN_PASSWORD, else from a
prompt on the terminal (/dev/tty). The key backend gets 1m to answer (SIGIL_SSH_KEYGEN_TIMEOUT,
a Go duration, changes that); a failure is one line on stderr and leaves no FILE.sig.

Every other call (-Y verify, -Y find-principals, -Y check-novalidate, -l, …) is handed unchanged
to the system's ssh-keygen (or to $SIGIL_SSH_KEYGEN), so one git setting serves signing and
verifying:
  git config gpg.format ssh
  git config gpg.ssh.program sigil-ssh-keygen
  git config user.signingKey ~/.config/sigil/git-signing.pub
sigil git setup --key REF does all of this.

Examples:
  sigil public-key --key awskms:///alias/git-signing --ssh --outfile ~/.ssh/git-signing.pub
  sigil-ssh-keygen -Y sign -n git -f ~/.ssh/git-signing.pub release.tar.gz
  ssh-keygen -Y verify -f allowed_signers -I dev@example.com -n git -s release.tar.gz.sig < release.tar.gz
`,
  signingFile: (file: string) => `Signing file ${file}\n`,
  signingStdin: 'Signing data on standard input\n',
  wrote: (file: string) => `Write signature to ${file}\n`,
  missingNamespace: 'missing namespace: -Y sign needs -n NAMESPACE (git passes -n git)',
  missingKeyFile: 'missing key: -Y sign needs -f KEYFILE, an OpenSSH public-key file naming a sigil key (sigil public-key --key REF --ssh)',
  unsupportedOption: (opt: string) => `-Y sign does not take ${opt} here (sigil-ssh-keygen --help lists what it takes)`,
  unsupportedSignOption: (opt: string) => `unsupported signing option -O ${opt} (only hashalg=sha256 or hashalg=sha512)`,
  missingValue: (opt: string) => `option -${opt} needs a value`,
  cannotRead: (what: string, why: string) => `cannot read ${what}: ${why}`,
  sigExists: (file: string) => `${file} already exists; remove it first`,
  noPassword: 'no password for the private key: set COSIGN_PASSWORD (or SIGIL_PASSWORD), or sign on a terminal to be asked',
  timedOut: (limit: string) => `signing did not finish within ${limit}: the key backend is not answering (SIGIL_SSH_KEYGEN_TIMEOUT sets the limit)`,
  delegateFailed: (program: string, why: string) => `cannot run ${program}: ${why}`,
}
