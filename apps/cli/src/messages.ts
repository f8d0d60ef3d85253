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

export const admission = {
  serve: {
    summary: 'Run the Kubernetes admission webhook: admit only images whose signatures verify under ClusterImagePolicy files.',
    description:
      'An HTTPS server (TLS 1.2+) for the API server: POST /validate and POST /mutate take admission.k8s.io/v1 AdmissionReviews for Pods and the pod templates of Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs (containers, initContainers, ephemeralContainers); /mutate also pins each admitted image to the digest that was verified. GET /healthz, /readyz and /metrics (Prometheus) are served on the same port.\n\n' +
      'Policies are sigstore policy-controller ClusterImagePolicy YAML (policy.sigstore.dev/v1beta1) from files or directories (a mounted ConfigMap): every policy whose glob matches an image must be satisfied; within one, any authority (key.data PEM, key.kms any sigil key reference) suffices. Both signature formats verify: cosign 3 bundles (OCI 1.1 referrers) and the legacy .sig tag. Policies and the TLS files are re-read when they change; a file that does not load is reported with its path and line and the previous version stays in force.\n\n' +
      'Every answer comes within --deadline: a registry that does not answer in time denies the image (or admits it with a warning, --failure-policy warn). Registry credentials come from the docker config (DOCKER_CONFIG) and the registry plugins, as for every sigil command.',
    examples: [
      '<%= config.bin %> admission serve --policy /etc/sigil/policies --tls-cert-file /etc/sigil/tls/tls.crt --tls-private-key-file /etc/sigil/tls/tls.key',
      '<%= config.bin %> admission serve --policy policy.yaml --tls-cert-file tls.crt --tls-private-key-file tls.key --listen 127.0.0.1:8443 --no-match-policy warn',
    ],
    policy: 'A ClusterImagePolicy YAML file, or a directory of them (its visible .yaml, .yml and .json files); repeatable.',
    cert: 'PEM certificate (chain) the server presents; re-read when it changes.',
    key: 'PEM private key of the certificate; re-read when it changes.',
    listen: 'Address and port to listen on (host:port; [::]:8443 for IPv6).',
    noMatch: 'What happens to an image no policy matches: deny, warn (admit with a warning) or allow. No registry is contacted for it.',
    failurePolicy: 'What happens when a registry cannot be asked in time (down, hanging, erroring) or a KMS key cannot be loaded: deny, or warn (admit with a warning).',
    deadline: 'Longest time one AdmissionReview may take (Go duration); keep it below the webhook timeoutSeconds (default 10s).',
    cacheTtl: 'How long a verified (image digest, policies) result is reused.',
    failureCacheTtl: 'How long a denial (no signature, no matching signature) is reused; registry faults are never cached.',
    resolveTtl: 'How long a tag → digest resolution is reused.',
    maxBody: 'Largest request body, in bytes; larger ones are answered 413.',
    reloadInterval: 'How often the policy and TLS files are checked for changes (Go duration).',
    missing: (flag: string, path: string) => `${flag} ${path}: no such file or directory`,
    badListen: (value: string) => `--listen ${JSON.stringify(value)} is not host:port (e.g. 0.0.0.0:8443)`,
    listening: (url: string, policies: number) => `sigil admission: listening on ${url} with ${policies} ClusterImagePolic${policies === 1 ? 'y' : 'ies'}`,
    stopping: 'sigil admission: stopping (answering requests in flight)',
  },
  certs: {
    summary: 'Make a CA and a serving certificate for the admission webhook, and print the caBundle.',
    description:
      'Writes ca.crt, tls.crt and tls.key (ECDSA P-256) for the Service names the API server uses (NAME, NAME.NS, NAME.NS.svc, NAME.NS.svc.cluster.local, plus any --host) into --output-dir, each file whole or not at all, and prints the CA certificate as base64 for the webhook configurations\' caBundle. The CA key is not kept: make new certificates to rotate. Existing files are kept unless --force is given.',
    examples: [
      '<%= config.bin %> admission certs --service sigil-admission --namespace sigil-system --output-dir tls',
      'kubectl -n sigil-system create secret tls sigil-admission-tls --cert tls/tls.crt --key tls/tls.key',
    ],
    service: 'Name of the webhook\'s Service.',
    namespace: 'Namespace of the Service.',
    outputDir: 'Directory to write ca.crt, tls.crt and tls.key into (created if missing).',
    host: 'Another DNS name or IPv4 address for the certificate; repeatable.',
    days: 'Days the certificates are valid.',
    force: 'Replace existing files.',
    exists: (path: string) => `${path} exists; pass --force to replace it`,
    wrote: (dir: string) => `Wrote ca.crt, tls.crt and tls.key to ${dir}. caBundle (base64 of ca.crt):`,
  },
}
