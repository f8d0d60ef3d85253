import {SigilError} from '@sigil/core'
import type {KeyContext, KeyProvider, RegistryAdapter} from '@sigil/core'
import type {RequestEvent} from '@sigil/oci'
import type {CommandIO} from '../command.js'
import {NO_PASSWORD_GIVEN, askYesNo, processSources, readPasswordFrom} from './password.js'
import type {PasswordSource} from './password.js'
import {parseDuration} from '../runtime/duration.js'
import {fileKeyCache, keyCacheFile} from './key-cache.js'
import {sigilDir} from './dirs.js'
import {writeStderr} from './stdio.js'

export type {CommandIO}

/** A line for people, on stderr (silent under --json, so stdout stays machine-readable). */
export function info(io: CommandIO, message: string): void {
  if (!io.json) writeStderr(`${message}\n`)
}

/** A diagnostic line under --verbose. Never secrets. */
export function trace(io: CommandIO, message: string): void {
  if (io.verbose) writeStderr(`${message}\n`)
}

/** `--verbose` lines for HTTP requests (method, URL without credentials, outcome, time). */
export function traceRequest(io: CommandIO): (e: RequestEvent) => void {
  return (e) =>
    trace(
      io,
      `${e.method} ${e.url} -> ${e.status ?? e.error ?? 'error'} (${Math.round(e.durationMs)} ms${e.attempt > 1 ? `, attempt ${e.attempt}` : ''})` +
        (e.rateLimit?.remaining !== undefined ? ` ratelimit-remaining: ${e.rateLimit.remaining}` : ''),
    )
}

/** A KeyContext that also knows where the password came from. */
export interface CliKeyContext extends KeyContext {
  /**
   * `err` as the user should see it: a failed decryption with no password given at all says so
   * ("no password given: set COSIGN_PASSWORD …"), not "wrong password".
   */
  explain(err: unknown): unknown
}

/** What a command lets key providers reach beyond passwords. */
export interface KeyContextOptions {
  /** `--timeout` (Go duration) for keys fetched by URL. */
  readonly timeout?: string
  /** `--allow-insecure-registry`: plain HTTP to hosts that are not loopback, for keys by URL too. */
  readonly insecure?: boolean
}

/**
 * Passwords and prompts for key providers (env, terminal or stdin), public keys by URL with the
 * registries' network rules, and the public-key cache.
 */
export function keyContext(io: CommandIO, options: KeyContextOptions = {}): CliKeyContext {
  const std = processSources()
  let source: PasswordSource | undefined
  return {
    fetchUrl: async (url, what) => {
      const {fetchUrlDocument} = await import('@sigil/oci')
      return fetchUrlDocument(url, {
        what,
        maxBytes: 64 * 1024,
        insecure: options.insecure,
        userAgent: `sigil/${io.version}`,
        ...(options.timeout === undefined ? {} : {timeoutMs: Math.max(parseDuration(options.timeout) - 250, 100)}),
        onRequest: traceRequest(io),
      })
    },
    cache: fileKeyCache(keyCacheFile(sigilDir('cache'))),
    getPassword: async ({confirm}) => {
      const read = await readPasswordFrom(confirm, std)
      source = read.source
      return read.password
    },
    confirm: (question) => askYesNo(question, std),
    log: (level, message) => (level === 'debug' ? trace(io, message) : info(io, message)),
    explain: (err) =>
      source === 'none' && (err as {code?: unknown})?.code === 'KEY_DECRYPT_FAILED' ? new SigilError('PASSWORD_REQUIRED', NO_PASSWORD_GIVEN, {cause: err}) : err,
  }
}

/** The key provider that owns `keyRef`: the first plugin provider that handles it. */
export async function keyProviderFor(io: CommandIO, keyRef: string): Promise<KeyProvider> {
  const {keyProviders} = await io.plugins()
  // A provider that declares the reference's scheme comes first (`pkcs11:` from a plugin is
  // never taken for a file name); then the first that handles it.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(keyRef)?.[1]?.toLowerCase()
  const found =
    (scheme === undefined ? undefined : keyProviders.find(({provider}) => provider.schemes?.includes(scheme) && provider.handles(keyRef))) ??
    keyProviders.find(({provider}) => provider.handles(keyRef))
  if (found) return found.provider
  throw new SigilError(
    'NO_KEY_PROVIDER',
    `no key provider handles "${scheme}:" keys; install the plugin that provides it (sigil plugins install …), see sigil providers`,
  )
}

/** Registry adapters from plugins, in order. */
export async function registryAdapters(io: CommandIO): Promise<RegistryAdapter[]> {
  return (await io.plugins()).registryAdapters.map((a) => a.adapter)
}
