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
  /**
   * What `cosign tree` prints: legacy tags under their kind, each referrer as cosign 3 shows it
   * (its predicate type, else its media type), one line per layer (`├──`, the last `└──`).
   * `image` is the reference as given (cosign prints that), `pinned` the same by digest.
   */
  render: (image: string, pinned: string, tree: {branches: ReadonlyArray<{kind: string; location: string; predicateType?: string; layers: ReadonlyArray<{digest: string; mediaType: string}>}>}): string => {
    if (tree.branches.length === 0) return `No supply chain security related artifacts found for ${pinned}; sign it with: sigil sign --key cosign.key ${pinned}\n`
    const title = {signature: '🔐 Signatures', attestation: '💾 Attestations', sbom: '📦 SBOMs'} as Record<string, string>
    const lines = [`📦 Supply Chain Security Related artifacts for an image: ${image}`]
    for (const b of tree.branches) {
      if (b.location.includes('@')) lines.push(`└── 🔗 ${b.predicateType ?? b.layers[0]?.mediaType ?? b.kind} artifacts via OCI referrer: ${b.location}`)
      else lines.push(`└── ${title[b.kind]} for an image tag: ${b.location}`)
      b.layers.forEach((l, i) => lines.push(`   ${i === b.layers.length - 1 ? '└──' : '├──'} 🍒 ${l.digest}`))
    }
    return `${lines.join('\n')}\n`
  },
}

/** `sigil copy`. */
export const copy = {
  summary: 'Copy an image and its signatures, attestations and SBOMs to another repository or registry (cosign 2 copy).',
  description:
    'Copies the image (an index with every platform and nested manifest, every config and layer blob) and what is attached to each of its digests, in both formats: ' +
    "the legacy sha256-<digest>.sig/.att/.sbom tags and cosign 3's bundle referrers. On a registry without the OCI 1.1 referrers API the sha256-<digest> index tag is rewritten " +
    'for the destination: it lists the referrers copied there, added to what it listed already. Attachments already at the destination are kept: layers are merged into its tags, never dropped.\n\n' +
    'Blobs the destination has are skipped; on one registry they are mounted from the source rather than sent again. Blobs go first, then manifests (children before their index), ' +
    'then attachments, then the destination tag: an interrupted copy never looks complete, and running it again finishes it (a second run writes nothing).\n\n' +
    'Exit codes: 0 copied, 11 source image (or --platform) not found, 2 usage error, 1 anything else (a registry fault, a destination tag naming another image without -f).',
  examples: [
    '<%= config.bin %> copy registry.example.com/team/app:1.0.0 mirror.example.com/team/app:1.0.0',
    '<%= config.bin %> copy --only sig,att registry.example.com/team/app:1.0.0 mirror.example.com/team/app',
    '<%= config.bin %> copy --platform linux/arm64 -f registry.example.com/team/app:1.0.0 registry.example.com/team/app-arm64:1.0.0',
    '<%= config.bin %> copy --json registry.example.com/team/app@sha256:… registry.example.com/archive/app:1.0.0',
  ],
  only: 'Copy only these attachments (comma-separated: sig, att, sbom) and leave the destination tag alone; the image is still copied by digest, as their subject (cosign 2.5).',
  sigOnly: 'Deprecated: same as --only sig.',
  sigOnlyDeprecated: '--sig-only is deprecated, use --only=sig instead',
  force: 'Point the destination tag at the copy even when it names another image (cosign -f); also replaces an unreadable destination .sig tag or referrers index. Attachments at the destination are merged, never dropped.',
  platform: 'Copy only this platform of a multi-platform image (os/arch[/variant], e.g. linux/amd64): the destination gets that manifest.',
  badOnly: (value: string) => `invalid value for --only: ${value}; use sig, att or sbom (comma-separated)`,
  progress: (done: number, total: number, bytes: number) => `Copying blobs: ${done}/${total}, ${(bytes / (1024 * 1024)).toFixed(1)} MiB sent`,
  writing: (location: string) => `Copying to ${location}...`,
  done: (source: string, destination: string, r: {manifests: number; written: number; blobs: {total: number; present: number; mounted: number; uploaded: number}; attachments: number; attachmentsWritten: number}) =>
    `Copied ${source} to ${destination}: ${r.written} of ${r.manifests} manifest${r.manifests === 1 ? '' : 's'} written, ` +
    `${r.blobs.total} blob${r.blobs.total === 1 ? '' : 's'} (${r.blobs.uploaded} uploaded, ${r.blobs.mounted} mounted, ${r.blobs.present} already there), ` +
    `${r.attachmentsWritten} of ${r.attachments} attachment location${r.attachments === 1 ? '' : 's'} written`,
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

const TYPE_SHORTCUTS = 'custom (default), slsaprovenance, slsaprovenance02, slsaprovenance1, spdx, spdxjson, cyclonedx, link, vuln, openvex'

/** `attest`, `verify-attestation`, `attest-blob`, `verify-blob-attestation`. */
export const attestation = {
  type: `Predicate type: a shortcut (${TYPE_SHORTCUTS}) or a URI used as is.`,
  predicate: 'The predicate file (JSON for every type but custom and spdx). At most 8 MiB.',
  tlogUpload: 'Upload to a transparency log. Not supported: only --tlog-upload=false is accepted.',
  tlogUnsupported: 'sigil does not upload to a transparency log; use --tlog-upload=false (the default).',
  yes: 'Skip confirmation prompts (sigil has none for key-based attestations; accepted for cosign compatibility).',
  verifyType: `Only attestations of this predicate type count: a shortcut (${TYPE_SHORTCUTS}) or a URI. Default: all.`,
  checkClaims: 'Check that a subject of the statement names the image digest (the file digest for blobs).',
  attest: {
    summary: 'Attest container images: sign an in-toto statement about each and push it to its registry (cosign-compatible).',
    description:
      'For each image, resolves the tag to a digest, builds an in-toto v0.1 statement (subject: the repository and digest; predicate from --predicate, shaped by --type as cosign does) ' +
      'and signs it into a DSSE envelope with the key. It is appended to <repo>:sha256-<digest>.att, as cosign 2 does, or with --new-bundle-format pushed as a sigstore bundle referrer, as cosign 3 does ' +
      '(default from SIGIL_NEW_BUNDLE_FORMAT or {"signatureFormat": "bundle"} in ~/.config/sigil/config.json, as for sign).\n\n' +
      TLOG_NOTE,
    examples: [
      '<%= config.bin %> attest --key cosign.key --type slsaprovenance --predicate provenance.json registry.example.com/team/app@sha256:…',
      '<%= config.bin %> attest --key cosign.key --type cyclonedx --predicate sbom.cdx.json --replace registry.example.com/team/app:1.0.0',
      '<%= config.bin %> attest --key awskms:///alias/release --type https://example.com/test-report/v1 --predicate report.json --new-bundle-format IMAGE',
    ],
    replace: 'Remove earlier attestations of the same predicate type from the image (the .att tag; with --new-bundle-format, the earlier referrers).',
    noUpload: 'Do not push: print the signed envelope on stdout (legacy format only).',
    bundleNoUpload: '--no-upload is not supported with --new-bundle-format',
    pushing: (where: string) => `Pushing attestation to: ${where}`,
    duplicate: (where: string) => `Attestation already present in ${where}; nothing to add`,
    replaced: (count: number) => `Replaced ${count} earlier attestation${count === 1 ? '' : 's'} of the same predicate type`,
  },
  verify: {
    summary: 'Verify the attestations of container images against a public key (cosign-compatible).',
    description:
      "Looks in both places cosign keeps attestations (cosign 3's bundle referrers, then the .att tag), checks each DSSE signature against the key, the payload type (in-toto) and that the statement's subject names the image digest, " +
      'then keeps those of --type. Prints each verified envelope as one JSON line on stdout. An image signature is never counted as an attestation. Exit codes: 10 no attestations, 11 no such image, 12 none verified or none of the type.',
    examples: [
      '<%= config.bin %> verify-attestation --key cosign.pub --type slsaprovenance registry.example.com/team/app:1.0.0',
      '<%= config.bin %> verify-attestation --key cosign.pub --json registry.example.com/team/app@sha256:…',
    ],
    header: (name: string, claims: boolean) =>
      [
        '',
        `Verification for ${name} --`,
        'The following checks were performed on each of these signatures:',
        ...(claims ? ['  - The cosign claims were validated'] : []),
        '  - The signatures were verified against the specified public key',
      ].join('\n'),
  },
  attestBlob: {
    summary: 'Attest a file: sign an in-toto statement about it (subject: its name and SHA-256), offline.',
    description:
      'Hashes the file as a stream, builds the in-toto v0.1 statement cosign attest-blob builds (subject name: the file\'s base name) and signs it into a DSSE envelope. ' +
      "Writes the envelope to stdout, or to --output-signature; --bundle writes cosign 3's sigstore bundle (v0.3, DSSE envelope) instead. Files are written atomically and never overwritten without --force.",
    examples: [
      '<%= config.bin %> attest-blob --key cosign.key --type slsaprovenance --predicate provenance.json --bundle app.tar.gz.sigstore.json app.tar.gz',
      '<%= config.bin %> attest-blob --key cosign.key --predicate notes.txt --output-signature app.tar.gz.att.json app.tar.gz',
    ],
    bundle: "Write cosign 3's sigstore bundle (v0.3, holding the DSSE envelope) to this file.",
    outputSignature: 'Write the DSSE envelope to this file instead of stdout.',
    force: 'Overwrite --bundle / --output-signature files that exist.',
    hashing: (file: string) => `Using payload from: ${file}`,
    wrote: (what: string, file: string) => `${what} written to ${file}`,
  },
  verifyBlob: {
    summary: 'Verify an attestation of a file (a DSSE envelope or a sigstore bundle) against a public key.',
    description:
      'Checks the DSSE signature with the key, the payload type (in-toto), that a subject of the statement has the file\'s SHA-256 (hashed as a stream), and --type. Prints "Verified OK" on stderr.',
    examples: [
      '<%= config.bin %> verify-blob-attestation --key cosign.pub --bundle app.tar.gz.sigstore.json --type slsaprovenance app.tar.gz',
      '<%= config.bin %> verify-blob-attestation --key cosign.pub --signature app.tar.gz.att.json app.tar.gz',
    ],
    signature: 'The DSSE envelope file (what attest-blob writes with --output-signature or on stdout).',
    bundle: "A bundle file: cosign 3's sigstore bundle holding a DSSE envelope, or cosign 2's attest-blob --bundle file.",
    oneOf: 'pass exactly one of --signature and --bundle',
    verified: 'Verified OK',
  },
}

/** Two-step signing and the commands around attachments: sign --output-*, generate, attach, download, clean. */
export const twoStep = {
  outputSignature: 'Also write the base64 signature to this file (as cosign; with --recursive one file per digest, suffixed -sha256-<hex>). With --upload=false nothing is printed.',
  outputPayload: 'Also write the signed payload to this file (as cosign; with --recursive one file per digest, suffixed -sha256-<hex>). With --upload=false nothing is printed.',
  force: 'Overwrite existing --output-signature / --output-payload files.',
  outputsOneImage: '--output-signature / --output-payload take one image (or --recursive, which writes one file per digest)',
  outputsNoBundle: '--output-signature / --output-payload write the legacy format\'s payload and signature; they do not apply with --new-bundle-format',
  fileExists: (path: string) => `${path} already exists; pass --force to overwrite it`,
  cannotWrite: (path: string, reason: string) => `cannot write ${path}: ${reason}`,
  cannotRead: (what: string, path: string, reason: string) => `cannot read the ${what} file ${path}: ${reason}`,
  tooLarge: (what: string, path: string, limit: number) => `the ${what} file ${path} is over the ${limit}-byte limit`,
}

export const generate = {
  summary: 'Print the simple-signing payload of an image, to be signed elsewhere (cosign generate).',
  description:
    'Resolves the image to its digest and prints the exact bytes `sigil sign` (and cosign) would sign for it, without a trailing newline. ' +
    'Sign them on another machine (an HSM, an offline key), then push the signature with `sigil attach signature`.',
  examples: [
    '<%= config.bin %> generate registry.example.com/team/app:1.0.0 > payload.json',
    '<%= config.bin %> generate -a git=abc123 registry.example.com/team/app@sha256:… > payload.json',
  ],
}

export const attachSignature = {
  summary: 'Attach a signature made elsewhere to an image, exactly as sign stores it (cosign attach signature).',
  description:
    'Appends the payload and its base64 signature as a layer of <repo>:sha256-<digest>.sig (in COSIGN_REPOSITORY when set), keeping every other signature; attaching the same signature again adds nothing. No key is needed and the signature is not verified (as cosign): check it afterwards with `sigil verify`. ' +
    'The payload must be a simple-signing payload naming the image\'s digest (from `sigil generate` or `sign --upload=false --output-payload`), else nothing is pushed.',
  examples: [
    '<%= config.bin %> generate registry.example.com/team/app:1.0.0 > payload.json',
    '# … sign payload.json elsewhere, writing the base64 signature to payload.sig …',
    '<%= config.bin %> attach signature --payload payload.json --signature payload.sig registry.example.com/team/app:1.0.0',
    '<%= config.bin %> attach signature --payload payload.json --signature MEUCIQ… registry.example.com/team/app@sha256:…',
  ],
  payload: 'The signed payload file (a simple-signing payload for this image\'s digest).',
  signature: 'The signature: a file holding its base64, the base64 itself, or - for standard input.',
  stdinTooLarge: (limit: number) => `--signature -: standard input is over ${limit} bytes, not a signature`,
  notBase64: (value: string) => `--signature ${value.length > 40 ? `${value.slice(0, 40)}…` : value}: no such file, and not base64 either`,
}

export const download = {
  signatureSummary: "Print an image's signatures, one JSON object per line, as cosign download signature does.",
  attestationSummary: "Print an image's attestations, one JSON object per line, as cosign download attestation does.",
  sbomSummary: "Print the SBOMs attached to an image (the deprecated .sbom tag), as cosign download sbom does.",
  description:
    'Reads the legacy tags (<repo>:sha256-<digest>.sig/.att/.sbom, in COSIGN_REPOSITORY when set) and cosign 3\'s bundle referrers. Legacy signatures print as cosign\'s {"Base64Signature","Payload","Cert","Chain","Bundle","RFC3161Timestamp"}, attestations as their DSSE envelope {"payloadType","payload","signatures"}, bundles as stored. Unlike cosign 3, which prints every bundle for both kinds and hides the legacy tags when there are bundles, sigil prints each kind apart, from both formats.\n\n' +
    'Exit codes: 0 found, 10 none attached, 11 image or tag not found, 1 anything else.',
  examples: (kind: string) => [`<%= config.bin %> download ${kind} registry.example.com/team/app:1.0.0`, `<%= config.bin %> download ${kind} --json registry.example.com/team/app@sha256:…`],
  sbomFound: (mediaType: string) => `Found SBOM of media type: ${mediaType}`,
  none: (kind: string, image: string) => (kind === 'signature' ? `no signatures associated with ${image}` : `found no ${kind === 'sbom' ? 'SBOMs' : 'attestations'} for ${image}`),
}

export const clean = {
  summary: 'Remove the signatures, attestations and SBOMs attached to an image (cosign clean).',
  description:
    'Deletes the image\'s legacy tags (<repo>:sha256-<digest>.sig/.att/.sbom, by digest as cosign does) and cosign 3\'s bundle referrers (each referrer manifest, and its entry in the sha256-<digest> index tag). ' +
    'Asks first on a terminal; without one it refuses unless -f is given. The registry must allow deletes (distribution: storage.delete.enabled).',
  examples: ['<%= config.bin %> clean registry.example.com/team/app:1.0.0', '<%= config.bin %> clean --type signature -f registry.example.com/team/app@sha256:…'],
  type: 'What to remove.',
  force: 'Do not ask for confirmation.',
  warning: (type: string) =>
    `WARNING: this will remove all ${type === 'signature' ? 'signatures' : type === 'attestation' ? 'attestations' : type === 'sbom' ? 'SBOMs' : 'signatures, SBOMs and attestations'} from the image`,
  question: 'Are you sure you would like to continue?',
  noTerminal: 'clean removes attachments for good: confirm on a terminal, or pass -f/--force',
  declined: 'Cancelled; nothing was removed.',
  removed: (location: string, image: string) => `Removed ${location} from ${image}`,
  nothing: (image: string) => `Nothing to remove from ${image}`,
}

/** Air-gapped sites: `sigil save`, `sigil load` and `verify --local-image`. */
export const offline = {
  save: {
    summary: 'Save an image and its signatures, attestations and SBOMs to an OCI image layout on disk (cosign save).',
    description:
      "Writes an OCI image layout (oci-layout, index.json, blobs/sha256/…) holding the image (an index with all its platforms, or one manifest) and what is attached to it in both formats: the .sig/.att/.sbom images and cosign 3's bundle referrers, also those of an index's children. The index.json entries carry cosign's kind annotations (dev.cosignproject.cosign/image|imageIndex|sigs|atts|sboms), so cosign load and cosign verify --local-image read it too.\n\n" +
      'Every blob is checked against its digest. The layout is built beside DIR and renamed into place when complete: DIR never holds a half-written layout. DIR must be new or empty; an existing layout is replaced only with --force.',
    examples: [
      '<%= config.bin %> save --dir ./app-layout registry.example.com/team/app:1.0.0',
      '<%= config.bin %> save --dir ./app-layout --force --json registry.example.com/team/app@sha256:…',
    ],
    dir: 'Directory to write the OCI image layout to (new or empty).',
    force: 'Replace an existing OCI image layout at --dir.',
    done: (dir: string, digest: string, n: {manifests: number; blobs: number; attachments: number}) =>
      `Saved ${digest} with ${n.attachments} attachment(s) to ${dir} (${n.manifests} manifests, ${n.blobs} blobs)`,
  },
  load: {
    summary: 'Push an image and its attachments from an OCI image layout (sigil save or cosign save) to a registry (cosign load).',
    description:
      'Reads the layout at --dir, checks every blob against its digest before the first request (a missing or corrupt blob pushes nothing), then pushes blobs, manifests children first, the .sig/.att/.sbom images under their tags (merged with what the destination has: no signature is dropped), the bundle referrers (listed in the sha256-<hex> fallback index when the registry has no referrers API), and finally the image under IMAGE\'s tag.',
    examples: [
      '<%= config.bin %> load --dir ./app-layout registry.internal/team/app:1.0.0',
      'COSIGN_REPOSITORY=registry.internal/signatures <%= config.bin %> load --dir ./app-layout registry.internal/team/app:1.0.0',
    ],
    dir: 'Directory holding the OCI image layout to push.',
    attachment: (location: string) => `Pushed ${location}`,
    done: (image: string, digest: string) => `Loaded ${image}@${digest}`,
  },
  localImage: 'Verify the image in this OCI image layout (from sigil save or cosign save) instead of a registry: the argument is the layout directory. No network at all; the key must be a file or env:// key.',
  localImageKey: (key: string) =>
    `--local-image verifies with no network at all, so the key must be local (a public key file or env://VAR), not ${key}; export it first: sigil public-key --key ${key} > key.pub`,
  localImageOne: '--local-image takes exactly one layout directory',
}

export const signBlob = {
  summary: 'Sign a file (or standard input) with a key: a detached signature and an optional bundle (cosign-compatible).',
  description:
    'Reads the file once, in constant memory, and signs its SHA-256 digest as `cosign sign-blob --key` does: the base64 signature goes to standard output (with a newline, as cosign prints it) or to --output-signature (no newline). ' +
    'With --bundle, also writes a bundle: by default cosign 3.1.1\'s format (a sigstore bundle v0.3 with a messageSignature: the key hint, the SHA-256 of the file and the signature; cosign 3 defaults --new-bundle-format to true), or with --new-bundle-format=false cosign 2\'s {"base64Signature": …}. ' +
    'Output files are replaced if they exist, as cosign does, but never left half-written (a temporary file is renamed into place).\n\n' +
    'Any size streams with file keys (ECDSA, RSA), KMS keys and other keys that sign digests. Ed25519 keys and executable plugins sign the message itself (pure Ed25519 cannot be computed incrementally), so the file must then fit in memory: up to 256 MiB.\n\n' +
    'A progress bar is shown on a terminal for files over 100 MB (not with --json).\n\n' +
    TLOG_NOTE,
  examples: [
    '<%= config.bin %> sign-blob --key cosign.key release.tar.gz > release.tar.gz.sig',
    '<%= config.bin %> sign-blob --key cosign.key --bundle release.tar.gz.sigstore.json release.tar.gz',
    '<%= config.bin %> sign-blob --key awskms:///alias/release --output-signature release.sig --tlog-upload=false -y release.tar.gz',
    'tar c dist | <%= config.bin %> sign-blob --key cosign.key --new-bundle-format=false --bundle dist.bundle -',
  ],
  file: 'The file to sign, or - for standard input.',
  outputSignature: 'Write the base64 signature to this file (no trailing newline, as cosign) instead of standard output.',
  output: 'Same as --output-signature (cosign\'s deprecated spelling).',
  outputCertificate: 'Accepted for cosign compatibility: a key has no certificate, so nothing is written.',
  bundle: 'Also write a bundle with everything needed to verify the file (format: see --new-bundle-format).',
  newBundleFormat:
    'Bundle format: true (default, as cosign 3.1.1) writes a sigstore bundle v0.3 (application/vnd.dev.sigstore.bundle.v0.3+json); false writes cosign 2\'s {"base64Signature": …}.',
  b64: 'Base64-encode the signature (default). --b64=false writes the raw signature bytes.',
  yes: 'Skip confirmation prompts (sigil has none for key-based signing; accepted for cosign compatibility).',
  tlogUpload: 'Upload to a transparency log. Not supported: only --tlog-upload=false is accepted.',
  tlogUnsupported: 'sigil does not upload to a transparency log; use --tlog-upload=false (the default).',
  signingConfig: 'Accepted for cosign 3 compatibility: key-based signing needs no signing config.',
  wroteBundle: (path: string) => `Wrote bundle to file ${path}`,
  wroteSignature: (path: string) => `Wrote signature to file ${path}`,
  usingPayload: (path: string) => `Using payload from: ${path}`,
  timeout: 'Give up when the command has not finished within this time (Go duration: 30s, 3m, 1h), reading the file included: raise it for very large files or slow pipes.',
  stdinPassword: 'the key needs a password and standard input is the file to sign: set COSIGN_PASSWORD (or SIGIL_PASSWORD)',
}

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

/** Streamed blob transfers (save, load): progress labels. */
export const streaming = {
  saving: (dir: string) => `Saving blobs to ${dir}`,
  loading: (dir: string) => `Pushing blobs from ${dir}`,
}

/** sigil-ssh-keygen with a KMS key cached between commits (alias or key name). */
export const gitKeyCache = {
  keyMoved: (ref: string, file: string) =>
    `the key behind ${ref} is no longer the key in ${file}; run sigil git setup --key ${ref} --force again`,
}
