/**
 * What the registry-adapter suite needs from a registry client, as structural types: the caller
 * brings the client (sigil's own tests pass `@sigil/oci`'s `RegistryClient`, which satisfies
 * them), so the kit itself depends on no registry client.
 */

/** A repository on a registry: `{registry: '127.0.0.1:5000', repository: 'team/app'}`. */
export interface RegistryRepository {
  /** Registry host with optional port, as references name it. */
  readonly registry: string
  /** Repository path. */
  readonly repository: string
}

/** A request the adapter-configured client made (only the URL is checked). */
export interface RegistryRequest {
  /** The request URL. */
  readonly url: string
}

/** A manifest as read back: its digest and exact bytes. */
export interface RegistryManifest {
  readonly digest: string
  readonly bytes: Uint8Array
}

/** The client configured with the adapter under test: pushes, then reads back. */
export interface AdapterRegistryClient {
  /** Upload a blob whose digest is `digest`. */
  uploadBlob(repo: RegistryRepository, digest: string, bytes: Uint8Array): Promise<unknown>
  /** Put a manifest at a tag; resolves to its digest. */
  putManifest(repo: RegistryRepository, reference: string, bytes: Uint8Array, mediaType: string): Promise<{readonly digest: string}>
  /** Read a manifest by tag or digest. */
  getManifest(repo: RegistryRepository, reference: string): Promise<RegistryManifest>
}

/**
 * An independent client pointed straight at the backing registry, with its own credentials:
 * the suite checks through it what really got pushed (style guide B12's backdoor).
 */
export interface RegistryInspector {
  /** Read a manifest by tag or digest. */
  getManifest(repo: RegistryRepository, reference: string): Promise<RegistryManifest>
  /** Read a blob's bytes. */
  getBlob(repo: RegistryRepository, digest: string): Promise<Uint8Array>
  /** The repository's tags. */
  listTags(repo: RegistryRepository): Promise<readonly string[]>
}
