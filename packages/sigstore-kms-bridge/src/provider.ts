import {accessSync, constants} from 'node:fs'
import {delimiter, join} from 'node:path'
import {SigilError, createLocalVerifier, defaultSignatureAlgorithm, parsePublicKeyPem} from '@sigil/core'
import type {GeneratedKey, KeyProvider, PublicKeyInfo, Signer, Verifier} from '@sigil/core'
import {GO_HASH, bytesField, invokePlugin} from './protocol.js'
import type {PluginMethod} from './protocol.js'

/** Options of `sigstoreKmsProvider`. */
export interface SigstoreKmsProviderOptions {
  /** Where to look for `sigstore-kms-<scheme>`. Default: `$PATH`. */
  readonly path?: string
  /** Per-call time limit. Default 60 000 ms. */
  readonly timeoutMs?: number
}

/** The executable prefix cosign uses. */
export const EXECUTABLE_PREFIX = 'sigstore-kms-'

function schemeOf(keyRef: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):\/\//i.exec(keyRef)?.[1]?.toLowerCase()
}

/**
 * A key provider for any `scheme://` key that has a `sigstore-kms-<scheme>` executable on PATH
 * (cosign's out-of-tree KMS plugins). Signing sends the payload on stdin, as cosign does; the
 * plugin hashes it with SHA-256 (`hashFunc` 5). Verification is local, with the public key the
 * plugin reports.
 */
export function sigstoreKmsProvider(options: SigstoreKmsProviderOptions = {}): KeyProvider {
  // The executable for each scheme, looked up on PATH once (hit or miss) for this provider.
  const executables = new Map<string, string | undefined>()
  const find = (scheme: string): string | undefined => {
    for (const dir of (options.path ?? process.env.PATH ?? '').split(delimiter)) {
      if (!dir) continue
      const candidate = join(dir, `${EXECUTABLE_PREFIX}${scheme}`)
      try {
        accessSync(candidate, constants.X_OK)
        return candidate
      } catch {
        // not here
      }
    }
    return undefined
  }
  const lookup = (keyRef: string): string | undefined => {
    const scheme = schemeOf(keyRef)
    if (!scheme || !/^[a-z0-9][a-z0-9-]*$/.test(scheme)) return undefined
    if (!executables.has(scheme)) executables.set(scheme, find(scheme))
    return executables.get(scheme)
  }
  const executableFor = (keyRef: string): string => {
    const exe = lookup(keyRef)
    if (!exe) throw new SigilError('NO_KEY_PROVIDER', `no ${EXECUTABLE_PREFIX}${schemeOf(keyRef)} executable on PATH for ${keyRef}`)
    return exe
  }
  const call = (keyRef: string, method: PluginMethod, args: Record<string, unknown>, stdin?: Uint8Array) => {
    const exe = executableFor(keyRef)
    const keyResourceID = keyRef.slice(keyRef.indexOf('://') + 3)
    return {exe, resp: invokePlugin(exe, {keyResourceID, hashFunc: GO_HASH.sha256, method, args, stdin, timeoutMs: options.timeoutMs})}
  }
  const cache = new Map<string, Promise<PublicKeyInfo>>()
  const publicKey = (keyRef: string): Promise<PublicKeyInfo> => {
    let p = cache.get(keyRef)
    if (!p) {
      const {exe, resp} = call(keyRef, 'publicKey', {publicKeyOptions: {rpcOptions: {keyVersion: '', remoteVerification: false}}})
      p = resp.then((r) => parsePublicKeyPem(bytesField(r, 'publicKey', 'publicKeyPEM', exe), {source: `the publicKey answer of ${exe}`}))
      p.catch(() => cache.delete(keyRef))
      cache.set(keyRef, p)
    }
    return p
  }

  return {
    name: 'sigstore-kms-bridge',
    handles: (keyRef) => lookup(keyRef) !== undefined,
    publicKey: (keyRef) => publicKey(keyRef),
    async signer(keyRef): Promise<Signer> {
      const info = await publicKey(keyRef)
      return {
        algorithm: defaultSignatureAlgorithm(info),
        publicKey: async () => info,
        async sign(message) {
          const {exe, resp} = call(
        keyRef,
        'signMessage',
        {signOptions: {rpcOptions: {keyVersion: '', remoteVerification: false}, messageOptions: {digest: null}}},
        message,
      )
          return bytesField(await resp, 'signMessage', 'signature', exe)
        },
      }
    },
    async verifier(keyRef): Promise<Verifier> {
      return createLocalVerifier(await publicKey(keyRef))
    },
    async generate(keyRef): Promise<GeneratedKey> {
      const algo = call(keyRef, 'defaultAlgorithm', {})
      const algorithm = (((await algo.resp).defaultAlgorithm as {defaultAlgorithm?: string} | undefined)?.defaultAlgorithm) ?? ''
      const {exe, resp} = call(keyRef, 'createKey', {algorithm})
      const info = parsePublicKeyPem(bytesField(await resp, 'createKey', 'publicKeyPEM', exe), {source: `the createKey answer of ${exe}`})
      cache.set(keyRef, Promise.resolve(info))
      return {publicKey: info, written: [{kind: 'remote-key', location: keyRef}]}
    },
  }
}
