/**
 * The file key provider: `--key cosign.key` / `--key cosign.pub` / `--key env://VAR`, and
 * `generate-key-pair` / `import-key-pair` writing `<prefix>.key` + `<prefix>.pub`.
 */
import {readFileSync} from 'node:fs'
import {decodePem, isPublicKeyPemType, parsePublicKeyPem, publicKeyFromPkcs8} from '@sigil/core'
import type {GenerateKeyOptions, GeneratedKey, KeyContext, KeyProvider, PublicKeyInfo, Signer, Verifier} from '@sigil/core'
import {writeFileAtomic} from './atomic-write.js'
import type {KeyFileSystem} from './atomic-write.js'
import type {EncryptCosignKeyOptions} from './encrypted-key.js'
import {KeyFileError} from './error.js'
import {generatePrivateKey, importPrivateKeyPem} from './import-key.js'
import {createSigner} from './signer.js'
import {createVerifier} from './verifier.js'

/** Options of `fileKeyProvider`: how new key files are encrypted. */
export interface FileKeyProviderOptions extends EncryptCosignKeyOptions {}

/** What `fileKeyProvider` reads and writes through (tests pass fakes). */
export interface FileKeyProviderDeps {
  /** File operations. Default node:fs (see `nodeFs`). */
  readonly fs?: KeyFileSystem
  /** Environment for `env://VAR` references. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/** Options of `importKeyPair`. */
export interface ImportKeyPairOptions {
  /** Overwrite existing files without asking. Default false. */
  readonly force?: boolean
  /** scrypt cost of the written key; default the provider's (32768). */
  readonly scryptN?: GenerateKeyOptions['scryptN']
}

/** The file provider: a KeyProvider that can always generate, plus `importKeyPair`. */
export interface FileKeyProvider extends KeyProvider {
  /**
   * Create a P-256 key pair: `<keyRef>.key` (encrypted, mode 0600) and `<keyRef>.pub`.
   * `keyRef` is the prefix (default `options.outputPrefix`, then `cosign`).
   */
  generate(keyRef: string, ctx: KeyContext, options?: GenerateKeyOptions): Promise<GeneratedKey>
  /**
   * Wrap an unencrypted PEM private key (`pemPath`: file or `env://VAR`) into
   * `<prefix>.key` + `<prefix>.pub`, like `cosign import-key-pair`.
   */
  importKeyPair(pemPath: string, prefix: string, ctx: KeyContext, options?: ImportKeyPairOptions): Promise<GeneratedKey>
}

/**
 * node:fs/promises, except for reading a key, which every sign and verify does: synchronously (a
 * file of a few hundred bytes), which spares those commands loading node:fs/promises and
 * starting libuv's thread pool (verify uses it for nothing else).
 */
const nodeFs: KeyFileSystem = {
  readFile: async (path) => readFileSync(path),
  open: (path, flags, mode) => fsPromises().open(path, flags, mode),
  rename: (from, to) => fsPromises().rename(from, to),
  link: (from, to) => fsPromises().link(from, to),
  copyFile: (from, to, mode) => fsPromises().copyFile(from, to, mode),
  unlink: (path) => fsPromises().unlink(path),
  lstat: (path) => fsPromises().lstat(path),
}

/**
 * The encrypted-key codec (scrypt + NaCl secretbox, with @noble/ciphers), loaded when a private
 * key is read or written: verifying needs only public keys, and a start-up without it is lighter.
 */
function encryptedKey(): Promise<typeof import('./encrypted-key.js')> {
  return import('./encrypted-key.js')
}

function fsPromises(): typeof import('node:fs/promises') {
  return process.getBuiltinModule('node:fs/promises')
}

const ENV_PREFIX = 'env://'
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//
/**
 * Any other URI (`awskms://…`, `pkcs11:…`): a scheme of two or more characters and a colon, so a
 * drive letter (`C:\\keys`) is still a path. Such references belong to other providers.
 */
const URI = /^[A-Za-z][A-Za-z0-9+.-]+:/
/** A public key by URL, as `cosign verify --key https://…` takes it. */
const URL_PREFIX = /^https?:\/\//i

/**
 * A KeyProvider for key files. It owns every key reference that is not a URI, plus `env://VAR`,
 * whose value is the PEM text (as in cosign), and public keys by `https://` URL (fetched by the
 * host, `KeyContext.fetchUrl`).
 */
export function fileKeyProvider(options: FileKeyProviderOptions = {}, deps: FileKeyProviderDeps = {}): FileKeyProvider {
  const fs = deps.fs ?? nodeFs
  const env = deps.env ?? process.env

  async function read(keyRef: string, ctx?: KeyContext): Promise<Uint8Array> {
    if (URL_PREFIX.test(keyRef)) {
      if (!ctx?.fetchUrl) throw new KeyFileError('KEY_UNSUPPORTED', `cannot fetch ${keyRef}: keys by URL need a host that can fetch them`)
      return ctx.fetchUrl(keyRef, 'public key')
    }
    if (keyRef.startsWith(ENV_PREFIX)) {
      const name = keyRef.slice(ENV_PREFIX.length)
      const value = name === '' ? undefined : env[name]
      if (value === undefined) {
        throw new KeyFileError('KEY_NOT_FOUND', `environment variable ${name || '(empty name)'} (from ${keyRef}) is not set`)
      }
      return new TextEncoder().encode(value)
    }
    try {
      return new Uint8Array(await fs.readFile(keyRef))
    } catch (err) {
      const code = (err as {code?: unknown}).code
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new KeyFileError('KEY_NOT_FOUND', `key file not found: ${keyRef}`, {cause: err})
      }
      const reason =
        code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (err as Error).message
      throw new KeyFileError('KEY_READ_FAILED', `cannot read key file ${keyRef}: ${reason}`, {cause: err})
    }
  }

  async function password(ctx: KeyContext, purpose: 'decrypt' | 'encrypt', keyRef: string): Promise<Uint8Array> {
    if (!ctx.getPassword) {
      throw new KeyFileError(
        'PASSWORD_REQUIRED',
        `a password is needed to ${purpose} ${keyRef}, and none can be asked for here (set COSIGN_PASSWORD, or run in a terminal)`,
      )
    }
    return ctx.getPassword({purpose, keyRef, confirm: purpose === 'encrypt'})
  }

  /** Decrypt a cosign.key reference, with cosign's errors for anything else. */
  async function privateKey(keyRef: string, ctx: KeyContext): Promise<Uint8Array> {
    const pem = await read(keyRef)
    const block = decodePem(pem)
    if (block && isPublicKeyPemType(block.type)) {
      throw new KeyFileError(
        'KEY_NOT_PRIVATE',
        `${keyRef} is a public key (${block.type}): a public key was given where a private key is needed (use the .key file)`,
      )
    }
    if (block && !/^ENCRYPTED (COSIGN|SIGSTORE) PRIVATE KEY$/.test(block.type) && /PRIVATE KEY$/.test(block.type)) {
      throw new KeyFileError(
        'KEY_INVALID',
        `unsupported pem type: ${block.type} (${keyRef} is not a cosign key; convert it with import-key-pair)`,
      )
    }
    const {decryptCosignKey, inspectCosignKey} = await encryptedKey()
    // Fail on a damaged or unsupported file before bothering the user for a password.
    const info = inspectCosignKey(pem, {source: keyRef})
    ctx.log?.('debug', `decrypting ${keyRef} (${info.label} label, scrypt N=${info.scrypt.N})`)
    return decryptCosignKey(pem, await password(ctx, 'decrypt', keyRef), {source: keyRef})
  }

  async function exists(path: string): Promise<boolean> {
    try {
      await fs.lstat(path)
      return true
    } catch (err) {
      if ((err as {code?: unknown}).code === 'ENOENT') return false
      throw writeError(path, err)
    }
  }

  async function writeKeyPair(prefix: string, pkcs8: Uint8Array, ctx: KeyContext, force: boolean, scryptN?: GenerateKeyOptions['scryptN']): Promise<GeneratedKey> {
    if (prefix === '' || prefix.startsWith(ENV_PREFIX) || SCHEME.test(prefix)) {
      throw new KeyFileError('INVALID_ARGUMENT', `invalid key file prefix ${JSON.stringify(prefix)}: expected a file path`)
    }
    const keyPath = `${prefix}.key`
    const pubPath = `${prefix}.pub`
    let overwrite = force
    if (!force) {
      for (const path of [keyPath, pubPath]) {
        if (!(await exists(path))) continue
        const ok = ctx.confirm ? await ctx.confirm(`File ${path} already exists. Overwrite?`) : false
        if (!ok) throw new KeyFileError('KEY_EXISTS', `${path} already exists; use --force to overwrite it`)
        overwrite = true
        break
      }
    }
    const {encryptCosignKey} = await encryptedKey()
    const pem = await encryptCosignKey(pkcs8, await password(ctx, 'encrypt', keyPath), scryptN ? {...options, scryptN} : options)
    const publicKey = publicKeyFromPkcs8(pkcs8)
    await write(keyPath, pem, {mode: 0o600, exactMode: true, overwrite})
    try {
      await write(pubPath, publicKey.pem, {mode: 0o644, overwrite})
    } catch (err) {
      // Don't leave a lone new .key behind (an overwritten one is gone either way).
      if (!overwrite) await fs.unlink(keyPath).catch(() => undefined)
      throw err
    }
    return {
      publicKey,
      written: [
        {kind: 'private-key', location: keyPath},
        {kind: 'public-key', location: pubPath},
      ],
    }
  }

  async function write(path: string, data: string, opts: {mode: number; exactMode?: boolean; overwrite: boolean}) {
    try {
      await writeFileAtomic(fs, path, data, opts)
    } catch (err) {
      throw writeError(path, err)
    }
  }

  return {
    name: 'file',
    schemes: ['env', 'https', 'http'],

    handles(keyRef: string): boolean {
      if (keyRef.startsWith(ENV_PREFIX)) return keyRef.length > ENV_PREFIX.length
      if (URL_PREFIX.test(keyRef)) return true
      return keyRef !== '' && !URI.test(keyRef)
    },

    async signer(keyRef: string, ctx: KeyContext): Promise<Signer> {
      if (URL_PREFIX.test(keyRef)) {
        throw new KeyFileError('KEY_NOT_PRIVATE', `${keyRef}: a key fetched by URL is a public key, for verifying; signing needs a private key (cosign.key) or a KMS key`)
      }
      return createSigner(await privateKey(keyRef, ctx), {source: keyRef})
    },

    async verifier(keyRef: string, ctx: KeyContext): Promise<Verifier> {
      return createVerifier(parsePublicKeyPem(await read(keyRef, ctx), {source: keyRef}))
    },

    async publicKey(keyRef: string, ctx: KeyContext): Promise<PublicKeyInfo> {
      if (URL_PREFIX.test(keyRef)) return parsePublicKeyPem(await read(keyRef, ctx), {source: keyRef})
      const pem = await read(keyRef)
      const block = decodePem(pem)
      if (block && isPublicKeyPemType(block.type)) return parsePublicKeyPem(pem, {source: keyRef})
      return publicKeyFromPkcs8(await privateKey(keyRef, ctx))
    },

    async generate(keyRef: string, ctx: KeyContext, generateOptions: GenerateKeyOptions = {}): Promise<GeneratedKey> {
      const prefix = keyRef || generateOptions.outputPrefix || 'cosign'
      return writeKeyPair(prefix, generatePrivateKey(), ctx, generateOptions.force ?? false, generateOptions.scryptN)
    },

    async importKeyPair(pemPath: string, prefix: string, ctx: KeyContext, importOptions: ImportKeyPairOptions = {}) {
      const pem = new TextDecoder().decode(await read(pemPath))
      let pkcs8: Uint8Array
      try {
        pkcs8 = importPrivateKeyPem(pem, undefined, {source: pemPath})
      } catch (err) {
        if ((err as {code?: unknown}).code !== 'PASSWORD_REQUIRED') throw err
        pkcs8 = importPrivateKeyPem(pem, await password(ctx, 'decrypt', pemPath), {source: pemPath})
      }
      return writeKeyPair(prefix, pkcs8, ctx, importOptions.force ?? false, importOptions.scryptN)
    },
  }
}

/** Write failures: EEXIST is a lost race with another writer; the rest are path problems. */
function writeError(path: string, err: unknown): KeyFileError {
  if (err instanceof KeyFileError) return err
  const code = (err as {code?: unknown}).code
  if (code === 'EEXIST') {
    return new KeyFileError('KEY_EXISTS', `${path} already exists; use --force to overwrite it`, {cause: err})
  }
  const reason =
    code === 'ENOENT' || code === 'ENOTDIR'
      ? 'the directory does not exist'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : (err as Error).message
  return new KeyFileError('KEY_WRITE_FAILED', `cannot write ${path}: ${reason}`, {cause: err})
}
