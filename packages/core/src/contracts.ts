/**
 * The contracts every key backend and registry adapter implements. No I/O here.
 */

/** Hash functions cosign lets a verifier choose (`--signature-digest-algorithm`). */
export type HashAlgorithm = 'sha224' | 'sha256' | 'sha384' | 'sha512'

/** Signature schemes sigil can produce or check. */
export type SignatureAlgorithm =
  | 'ecdsa-p256-sha256'
  | 'ecdsa-p384-sha384'
  /** P-384 over SHA-256: what cosign ≤ 2.5 does with a P-384 cosign.key. */
  | 'ecdsa-p384-sha256'
  | 'ecdsa-p521-sha512'
  /** P-521 over SHA-256: what cosign ≤ 2.5 does with a P-521 cosign.key. */
  | 'ecdsa-p521-sha256'
  | 'ecdsa-secp256k1-sha256'
  | 'rsa-pkcs1v15-sha256'
  | 'rsa-pkcs1v15-sha384'
  | 'rsa-pkcs1v15-sha512'
  | 'rsa-pss-sha256'
  | 'rsa-pss-sha384'
  | 'rsa-pss-sha512'
  | 'ed25519'

/** A public key, as cosign.pub holds it. */
export interface PublicKeyInfo {
  /** Key family. */
  readonly kind: 'ecdsa' | 'rsa' | 'ed25519'
  /** Curve for ECDSA keys. */
  readonly curve?: 'P-256' | 'P-384' | 'P-521' | 'secp256k1'
  /** Modulus size for RSA keys. */
  readonly bits?: number
  /** PKIX SubjectPublicKeyInfo DER. */
  readonly spki: Uint8Array
  /** PEM `PUBLIC KEY`, 64-char lines, trailing newline (what Go writes). */
  readonly pem: string
}

/** Produces signatures over message bytes. The private key may live elsewhere (KMS, HSM). */
export interface Signer {
  /** The scheme `sign` uses (hash included). */
  readonly algorithm: SignatureAlgorithm
  /** The public half, for `.pub` export and deduplication. */
  publicKey(): Promise<PublicKeyInfo>
  /**
   * Sign `message` (the signer hashes it as `algorithm` says). ECDSA results are ASN.1 DER,
   * as cosign stores them.
   */
  sign(message: Uint8Array): Promise<Uint8Array>
  /**
   * Optional capability, for streaming (`sign-blob` of a file of any size): sign a digest the
   * caller computed. `hash` must be `signatureHash(algorithm)`; the result is the signature
   * `sign` would make over a message with that digest (same encoding). KMS and HSM backends sign
   * digests natively; absent for pure Ed25519, which needs the whole message. An ECDSA signer
   * may also take a digest of another hash (ECDSA does not bind the hash into the signature; file
   * keys do): OpenSSH's P-384 and P-521 signatures need SHA-384 and SHA-512 where cosign's key
   * files sign over SHA-256.
   * @throws SigilError INVALID_ARGUMENT when `hash` is not a hash the signer takes or `digest` has the wrong length
   */
  signDigest?(digest: Uint8Array, hash: HashAlgorithm): Promise<Uint8Array>
}

/** Options for one verification. */
export interface VerifyOptions {
  /** Hash to use; default `sha256` as cosign (ignored for Ed25519 and for schemes that fix it). */
  readonly hash?: HashAlgorithm
}

/** Checks signatures locally. Synchronous: inputs are already loaded. */
export interface Verifier {
  /** The key signatures are checked against. */
  readonly publicKey: PublicKeyInfo
  /** True iff `signature` is valid over `message`. Never throws for a bad signature. */
  verify(message: Uint8Array, signature: Uint8Array, options?: VerifyOptions): boolean
  /**
   * Optional capability, for streaming (`verify-blob` of a file of any size): a verification
   * fed the message in chunks, with the same result as `verify` over their concatenation.
   * Absent for pure Ed25519 (it needs the whole message).
   */
  createVerification?(options?: VerifyOptions): MessageVerification
}

/** One streaming verification (see {@link Verifier.createVerification}); use it once. */
export interface MessageVerification {
  /** The next chunk of the message. */
  update(chunk: Uint8Array): void
  /** True iff `signature` is valid over everything given to `update`. Never throws for a bad signature. */
  verify(signature: Uint8Array): boolean
}

/** What a key provider may need from the host (the CLI): passwords, prompts, logging. */
export interface KeyContext {
  /**
   * Ask for the password of a private key. `confirm` is true when creating a key
   * (the host asks twice). The returned bytes are used verbatim.
   */
  getPassword?(request: {purpose: 'decrypt' | 'encrypt'; keyRef: string; confirm: boolean}): Promise<Uint8Array>
  /** Ask a yes/no question (e.g. overwrite). Absent or false = no. */
  confirm?(question: string): Promise<boolean>
  /** Diagnostic lines (never secrets). */
  log?(level: 'debug' | 'info' | 'warn', message: string): void
  /**
   * Fetch a public document (a public key) by `https://` URL with the host's network rules: TLS
   * verified, plain HTTP only for loopback, no credentials, size-limited, within the command's
   * time limit. Absent: the host offers no network access to providers.
   */
  fetchUrl?(url: string, what: string): Promise<Uint8Array>
  /**
   * A small store that outlives the process, for public facts (the public key of a KMS key named
   * by its key id); never for secrets. What a name can be re-pointed away from (an alias, a key's
   * newest version) only with verification of every signature ({@link reuseCachedSigningKey}),
   * never for verifying. Absent: nothing is kept between runs.
   */
  readonly cache?: KeyCache
  /**
   * The host signs one message per process, many processes in a row (git's signing program): a
   * provider may take a signing key's public key and scheme from {@link cache} instead of looking
   * the key up on every run: a key id, and also an alias (with the key it resolved to) but only
   * with verification of every signature: the key KMS says it signed with and the signature
   * against the cached public key. On a mismatch (the alias was moved) the provider drops the
   * entry, looks the key up again, signs again and keeps the new answer; the signer's
   * `publicKey()` then names the new key, so a host that holds the old one must compare after
   * signing. Absent or false: look the key up.
   */
  readonly reuseCachedSigningKey?: boolean
}

/** See {@link KeyContext.cache}. Values are short strings (JSON); a miss is undefined. */
export interface KeyCache {
  get(key: string): string | undefined
  set(key: string, value: string): void
}

/** Result of creating a key pair. */
export interface GeneratedKey {
  readonly publicKey: PublicKeyInfo
  /** Files or resources written, for "… written to …" messages. */
  readonly written: ReadonlyArray<{kind: 'private-key' | 'public-key' | 'remote-key'; location: string}>
}

/** Options of `KeyProvider.generate`. */
export interface GenerateKeyOptions {
  /** Overwrite existing files without asking. Default false. */
  readonly force?: boolean
  /** Where the public key goes (file providers: `<prefix>.pub`). Default `cosign`. */
  readonly outputPrefix?: string
  /**
   * scrypt cost for providers that write an encrypted key file (the file provider). Default
   * 32768, which every cosign release reads; 65536 and 131072 need cosign 2.2+.
   */
  readonly scryptN?: 32768 | 65536 | 131072
}

/**
 * A key backend, chosen by key reference: a file path, or a `scheme://` URI
 * (`awskms://…`, `gcpkms://…`, `pkcs11:…`).
 */
export interface KeyProvider {
  /** Short name for messages (`file`, `awskms`). */
  readonly name: string
  /**
   * URI schemes this provider owns (`['awskms']`, `['pkcs11']`), for `sigil plugins` listings
   * and conflict detection. Empty or absent for the file provider (plain paths).
   */
  readonly schemes?: readonly string[]
  /** True if this provider owns `keyRef`. */
  handles(keyRef: string): boolean
  /** A signer for the private key at `keyRef`. */
  signer(keyRef: string, ctx: KeyContext): Promise<Signer>
  /** A verifier for the public key at `keyRef` (for files: a public key PEM). */
  verifier(keyRef: string, ctx: KeyContext): Promise<Verifier>
  /** The public key of `keyRef` (a private key file is decrypted to derive it). */
  publicKey(keyRef: string, ctx: KeyContext): Promise<PublicKeyInfo>
  /** Create a key at `keyRef` (optional capability). */
  generate?(keyRef: string, ctx: KeyContext, options?: GenerateKeyOptions): Promise<GeneratedKey>
  /**
   * Wrap an existing unencrypted PEM private key (`pemRef`: a path or `env://VAR`) into this
   * provider's key format at `prefix` (optional capability; `cosign import-key-pair`).
   */
  importKeyPair?(pemRef: string, prefix: string, ctx: KeyContext, options?: GenerateKeyOptions): Promise<GeneratedKey>
}

/** Credentials for one registry request. */
export type RegistryCredential =
  | {readonly kind: 'anonymous'}
  | {readonly kind: 'basic'; readonly username: string; readonly password: string}
  /** A bearer token used as-is (`registrytoken`, `--registry-token`). */
  | {readonly kind: 'bearer'; readonly token: string}
  /** An OAuth2 refresh token exchanged at the token endpoint (`identitytoken`). */
  | {readonly kind: 'identity-token'; readonly username?: string; readonly token: string}

/** What a registry supports or does differently, declared rather than sniffed. */
export interface RegistryCapabilities {
  /** Serves `GET /v2/<name>/referrers/<digest>`. Default false. */
  readonly referrersApi?: boolean
  /** Tags can be overwritten (ECR immutable repos: false). Default true. */
  readonly mutableTags?: boolean
  /** Accepts OCI manifests (else Docker schema 2 only). Default true. */
  readonly ociManifests?: boolean
  /**
   * Manifest GETs count against a pull rate limit but HEADs do not (Docker Hub): tags are then
   * resolved with HEAD, trusting the registry's `Docker-Content-Digest`, even when verifying.
   * Default false (verification computes the digest from the manifest bytes).
   */
  readonly rateLimitedPulls?: boolean
}

/** Where to send traffic for a registry host. */
export interface RegistryEndpoint {
  /** Base URL, e.g. `https://ghcr.io` or `http://127.0.0.1:5000`. */
  readonly url: string
}

/** What an attachment is to the artifact it is attached to. */
export type AttachmentKind = 'signature' | 'attestation' | 'sbom'

/** The artifact attachments belong to: a manifest in a repository, by digest. */
export interface AttachmentSubject {
  readonly registry: string
  readonly repository: string
  /** `sha256:<hex>` of the subject manifest. */
  readonly digest: string
  /** The subject manifest's media type and size, when known (a referrer's `subject` descriptor needs them). */
  readonly mediaType?: string
  readonly size?: number
}

/**
 * A new attachment, as a signer produces it, for {@link AttachmentStore.add}. The signature (or
 * the bundle holding it) may still be on its way: a store starts what does not need it (uploading
 * the payload) while the key signs.
 */
export type NewAttachment =
  /** A legacy signature: the simple-signing payload and the standard-base64 signature over it. */
  | {readonly kind: 'signature'; readonly format: 'simple-signing'; readonly payload: Uint8Array; readonly signature: string | PromiseLike<string>}
  /** A sigstore bundle (cosign 3) of the given predicate type. */
  | {readonly kind: AttachmentKind; readonly format: 'sigstore-bundle'; readonly bundle: Uint8Array | PromiseLike<Uint8Array>; readonly predicateType: string}
  /** A legacy attestation (`cosign attest`'s `.att` layer): the DSSE envelope JSON and its statement's predicate type. */
  | {readonly kind: 'attestation'; readonly format: 'dsse-envelope'; readonly envelope: Uint8Array | PromiseLike<Uint8Array>; readonly predicateType: string}

/** Options of {@link AttachmentStore.add}. */
export interface AddAttachmentOptions {
  /**
   * Checks a signature already stored over the same payload with the signer's key (cosign's
   * dedup rule: such a signature makes the new one a duplicate). Default: nothing is a duplicate.
   */
  readonly verifyExisting?: (payload: Uint8Array, signature: Uint8Array) => boolean
  /** Told where the store writes, once, before its first write (progress output). */
  readonly onWrite?: (location: string) => void
  /**
   * `attest --replace`: stored attachments of the same kind this returns true for are dropped in
   * the same write (stores that keep several in one listing, like the `.att` tag). Default none.
   */
  readonly replace?: (existing: {readonly mediaType: string; readonly digest: string; readonly annotations?: Readonly<Record<string, string>>}) => boolean
}

/** What {@link AttachmentStore.add} did. */
export interface AddAttachmentResult {
  /** False when an equivalent attachment was already stored (nothing written). */
  readonly added: boolean
  /** Where it is: `registry/repo:sha256-<hex>.sig`, `registry/repo@sha256:<referrer>`. */
  readonly location: string
  /** The index tag listing it, for stores that keep one (`registry/repo:sha256-<hex>`). */
  readonly index?: string
  /** Digest of the manifest written or found (the `.sig` manifest, the referrer). */
  readonly manifestDigest?: string
}

/**
 * One attachment as a store lists it, before its content is read. `format` says how to read
 * the content: a simple-signing payload with its signature beside it (cosign's legacy `.sig`
 * layers), a DSSE envelope (legacy `.att` layers), or a sigstore bundle (cosign 3 referrers).
 */
export interface StoredAttachment {
  readonly kind: AttachmentKind
  readonly format: 'simple-signing' | 'dsse-envelope' | 'sigstore-bundle'
  /** Where it is, for messages: `registry/repo:sha256-<hex>.sig`, `registry/repo@sha256:…`. */
  readonly location: string
  /** What `read` returns: the layer blob (legacy) or the bundle blob (bundles); `location` names the manifest it is in. */
  readonly digest: string
  readonly mediaType: string
  readonly size: number
  readonly annotations?: Readonly<Record<string, string>>
  /** The predicate type, when the store records it without reading the content (bundle referrers). */
  readonly predicateType?: string
}

/**
 * Where an artifact's signatures and attestations are kept: cosign's legacy tags
 * (`sha256-<hex>.sig`/`.att`/`.sbom`), OCI 1.1 referrers (with the tag-schema fallback), … The
 * verify workflows are written once over this contract.
 */
export interface AttachmentStore {
  /** Short name for messages (`legacy-tags`, `referrers`). */
  readonly name: string
  /**
   * The attachments of `subject` of `kind`; empty when none are stored. A registry fault, or a
   * listing that cannot be read, is an error, never an empty list.
   */
  list(subject: AttachmentSubject, kind: AttachmentKind): Promise<readonly StoredAttachment[]>
  /**
   * What {@link list} gives for each of `kinds`, in that order, from one read of the store
   * (optional capability, for a store that keeps every kind in one place, such as a referrers
   * index; `tree` falls back to a `list` of each kind).
   */
  listKinds?(subject: AttachmentSubject, kinds: readonly AttachmentKind[]): Promise<ReadonlyArray<readonly StoredAttachment[]>>
  /** The content of a listed attachment (the payload, the envelope or the bundle), size-limited. */
  read(subject: AttachmentSubject, attachment: StoredAttachment): Promise<Uint8Array>
  /**
   * Store a new attachment (optional capability: read-only stores leave it out). Lossless under
   * concurrent writers: what another writer stored at the same time is kept, and so is this one.
   * A store that cannot take `attachment`'s format throws `INVALID_ARGUMENT`.
   */
  add?(subject: AttachmentSubject, attachment: NewAttachment, options?: AddAttachmentOptions): Promise<AddAttachmentResult>
  /**
   * Remove a listed attachment (optional capability), keeping every other one, also under
   * concurrent writers. False when it was already gone.
   */
  delete?(subject: AttachmentSubject, attachment: StoredAttachment): Promise<boolean>
  /**
   * Remove every attachment of `kind` at once (optional capability; `clean` falls back to
   * `delete` of each listed one). Returns where they were, or undefined when there were none.
   */
  clear?(subject: AttachmentSubject, kind: AttachmentKind): Promise<string | undefined>
}

/** Registry-specific knowledge: naming, credentials, endpoints, quirks. */
export interface RegistryAdapter {
  /** Short name for messages (`ghcr`, `ecr`). */
  readonly name: string
  /** Host patterns served, for listings and conflict detection (`ghcr.io`, `*.dkr.ecr.*.amazonaws.com`). */
  readonly hosts?: readonly string[]
  /** True if this adapter serves `host` (`ghcr.io`, `index.docker.io`). */
  matches(host: string): boolean
  /** What the registry supports; unset fields take their documented defaults. */
  readonly capabilities: RegistryCapabilities
  /**
   * Where this adapter's credentials rank: `before-docker-config` (default; e.g. ECR tokens
   * from the AWS chain) or `after-docker-config` (ambient tokens such as GHCR's GITHUB_TOKEN,
   * which an explicit `docker login` must beat). Explicit CLI flags always come first.
   */
  readonly credentialPrecedence?: 'before-docker-config' | 'after-docker-config'
  /**
   * Turn a registry error into a clearer one that names this registry's quirk and its fix
   * (e.g. ECR's immutable tags refusing a `.sig` update); return `err` unchanged otherwise.
   */
  explainError?(err: unknown, context: {readonly repository: string; readonly tag?: string}): unknown
  /** Credentials for `repository` on `host`; undefined = no opinion (next source). */
  credentials?(host: string, repository: string): Promise<RegistryCredential | undefined>
  /** Remap the endpoint (mirrors); undefined = default. */
  endpoint?(host: string): RegistryEndpoint | undefined
}

/** What a plugin contributes. The CLI collects these through the `sigil:plugin` hook. */
export interface SigilPlugin {
  /** The package name, for listings and conflict messages. */
  readonly name?: string
  /** Key backends, tried in order by `handles(keyRef)`. */
  readonly keyProviders?: readonly KeyProvider[]
  /** Registry adapters, tried in order by `matches(host)`. */
  readonly registryAdapters?: readonly RegistryAdapter[]
}

/**
 * Options the CLI passes to the `sigil:plugin` oclif hook. A plugin declares the hook in its
 * package.json (`"oclif": {"hooks": {"sigil:plugin": "./dist/plugin.js"}}`); the hook module
 * default-exports a function returning a `SigilPlugin`. It must not import heavy SDKs at top
 * level: providers load them inside their methods.
 */
export interface SigilPluginHookOptions {
  /** Why the CLI asks (a plugin may return everything regardless). */
  readonly purpose: 'key-provider' | 'registry-adapter' | 'list'
}
