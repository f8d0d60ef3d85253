/**
 * All user-facing help text, in one place (one section per command), so wording is reviewed
 * together and commands stay thin.
 */

const TLOG_NOTE =
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

export const verify = {
  summary: 'Verify the signatures of container images against a public key (cosign-compatible).',
  description:
    'Fetches <repo>:sha256-<digest>.sig, checks every signature over its payload with the key and that the payload names the image\'s digest (and the -a annotations). Prints the verified payloads as JSON on stdout.\n\n' +
    'Exit codes: 0 verified, 10 no signatures found, 11 image or tag not found, 12 no matching signature, 2 usage error, 1 anything else.\n\n' +
    TLOG_NOTE,
  examples: [
    '<%= config.bin %> verify --key cosign.pub registry.example.com/team/app:1.0.0 | jq',
    '<%= config.bin %> verify --key cosign.pub -a env=prod --insecure-ignore-tlog registry.example.com/team/app:1.0.0',
  ],
  checkClaims: 'Check that the payload names the image digest and carries the -a annotations.',
  output: 'Output format: json (the payloads as one JSON array, as cosign prints them) or text (each raw payload on a line).',
  ignoreTlog: 'Accepted for cosign compatibility: sigil never consults a transparency log.',
  offline: 'Accepted for cosign compatibility: sigil never goes online except to the registry.',
  digestAlgorithm: 'Hash used to check signatures.',
  maxWorkers: 'How many signature layers to check at once.',
  header: (name: string, annotations: boolean, claims: boolean) =>
    [
      '',
      `Verification for ${name} --`,
      'The following checks were performed on each of these signatures:',
      ...(annotations && claims ? ['  - The specified annotations were verified.'] : []),
      ...(claims ? ['  - The cosign claims were validated'] : []),
      '  - The signatures were verified against the specified public key',
    ].join('\n'),
}

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

export const importKeyPair = {
  summary: 'Import a PEM private key (PKCS#1 RSA, SEC1 EC or PKCS#8) into cosign\'s encrypted key format.',
  examples: ['<%= config.bin %> import-key-pair --key existing-ec.pem --output-key-prefix imported'],
  key: 'The unencrypted PEM private key to import.',
}

export const publicKey = {
  summary: 'Print the public key of a private key (cosign.key) or a KMS key, as PEM.',
  examples: ['<%= config.bin %> public-key --key cosign.key', '<%= config.bin %> public-key --key cosign.key --outfile cosign.pub'],
  outfile: 'Write the PEM to this file instead of stdout.',
  sshExamples: ['<%= config.bin %> public-key --key awskms:///alias/git-signing --ssh --outfile git-signing.pub   # for git (sigil-ssh-keygen)'],
}

export const triangulate = {
  summary: 'Print the tag where an image\'s signatures (or attestations, SBOMs) are stored.',
  examples: ['<%= config.bin %> triangulate registry.example.com/team/app:1.0.0'],
  type: 'Which attachment to locate.',
}

export const tree = {
  summary: "Show an image's supply-chain artifacts: its signatures, attestations and SBOMs (cosign tree).",
  description: "Reads the .sig, .att and .sbom tags of the image digest (in COSIGN_REPOSITORY when set) and cosign 3's bundle referrers, and lists each stored signature, attestation or SBOM. A registry fault is an error, never \"nothing attached\".",
  examples: ['<%= config.bin %> tree registry.example.com/team/app:1.0.0', '<%= config.bin %> tree --json registry.example.com/team/app@sha256:…'],
  render: (image: string, tree: {branches: ReadonlyArray<{kind: string; location: string; layers: ReadonlyArray<{digest: string}>}>}): string => {
    if (tree.branches.length === 0) return `No supply chain security related artifacts found for ${image}; sign it with: sigil sign --key cosign.key ${image}\n`
    const title = {signature: '🔐 Signatures', attestation: '💾 Attestations', sbom: '📦 SBOMs'} as Record<string, string>
    const lines = [`📦 Supply Chain Security Related artifacts for an image: ${image}`]
    for (const b of tree.branches) {
      lines.push(`└── ${title[b.kind]} for an image ${b.location.includes('@') ? 'referrer' : 'tag'}: ${b.location}`)
      for (const l of b.layers) lines.push(`   └── 🍒 ${l.digest}`)
    }
    return `${lines.join('\n')}\n`
  },
}

export const providers = {
  summary: 'List the key providers and registry adapters that installed plugins contribute.',
  description:
    'Every key backend and registry adapter, built-in ones included, comes from a plugin answering the sigil:plugin hook. ' +
    'Two plugins claiming the same key scheme or registry host is an error; a user-installed plugin may replace a built-in one only when named in SIGIL_PLUGIN_OVERRIDE.',
  examples: ['<%= config.bin %> providers', '<%= config.bin %> providers --json'],
}

/** Registry credentials: the explicit flags, `sigil login` and `sigil logout`. */
export const credentials = {
  username: 'Registry username for this run (with --registry-password or SIGIL_REGISTRY_PASSWORD); overrides the docker config for every registry contacted.',
  password: 'Registry password for this run. Visible to other users in the process list: prefer SIGIL_REGISTRY_PASSWORD.',
  token: 'Registry bearer token for this run (sent as is); overrides every other credential source.',
  precedence:
    'Registry credentials, first match wins: --registry-token; --registry-username with --registry-password (or SIGIL_REGISTRY_PASSWORD); ' +
    'a registry adapter plugin; the docker config ($DOCKER_CONFIG/config.json or ~/.docker/config.json: credHelpers, credsStore, auths — full repository first, then host), ' +
    'else $REGISTRY_AUTH_FILE or containers auth.json; else anonymous. --verbose names the source used for each registry, never the secret.',
  usernameWithoutPassword: '--registry-username needs a password: pass --registry-password or set SIGIL_REGISTRY_PASSWORD',
  passwordWithoutUsername: '--registry-password (or SIGIL_REGISTRY_PASSWORD) needs --registry-username',
  tokenAndUsername: '--registry-token cannot be combined with --registry-username/--registry-password',
  login: {
    summary: 'Log in to a registry: check the credentials against it, then save them in the docker config like docker login.',
    description:
      'The credentials are checked first (GET /v2/ and its Basic or token challenge); wrong ones write nothing. They are then stored like docker login does: ' +
      'through the credential helper when credHelpers or credsStore names one, else as auths in $DOCKER_CONFIG/config.json (or ~/.docker/config.json), ' +
      'written atomically with mode 0600, keeping every other entry. docker.io, index.docker.io and registry-1.docker.io are all stored as https://index.docker.io/v1/.',
    examples: [
      'echo "$TOKEN" | <%= config.bin %> login ghcr.io -u my-user --password-stdin',
      '<%= config.bin %> login registry.example.com:5000 -u ci-bot --password-stdin < password.txt',
      '<%= config.bin %> login registry.example.com   # on a terminal: asks for the user name and (hidden) password',
    ],
    registry: 'Registry host (registry.example.com, 127.0.0.1:5000, docker.io).',
    username: 'Username.',
    password: 'Password (insecure: visible in the process list; prefer --password-stdin).',
    passwordStdin: 'Read the password from standard input (one trailing newline is removed).',
    passwordWarning: 'WARNING! Using --password via the CLI is insecure. Use --password-stdin.',
    needUsername: 'a username is required: sigil login REGISTRY -u USER --password-stdin (or run it on a terminal to be asked)',
    needPassword: 'a password is required: pass --password-stdin (or -p), or run it on a terminal to be asked',
    usernamePrompt: 'Username: ',
    passwordPrompt: 'Password: ',
    bothPasswords: '--password and --password-stdin are mutually exclusive',
    emptyPassword: 'the password read from standard input is empty',
    succeeded: (key: string, where: string) => `Login Succeeded (${key}, stored ${where})`,
  },
  logout: {
    summary: 'Log out of a registry: remove its credentials from the docker config (and its credential helper).',
    examples: ['<%= config.bin %> logout ghcr.io'],
    registry: 'Registry host to forget.',
    removed: (key: string) => `Removing login credentials for ${key}`,
    notLoggedIn: (key: string) => `Not logged in to ${key}`,
  },
}

// ---- git commit signing (sigil-ssh-keygen, public-key --ssh, sigil git setup) ----

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
