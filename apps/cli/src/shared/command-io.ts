import {SigilError} from '@sigil/core'
import type {KeyContext, KeyProvider, RegistryAdapter} from '@sigil/core'
import type {CommandIO} from '../command.js'
import {NO_PASSWORD_GIVEN, askYesNo, processSources, readPasswordFrom} from './password.js'
import type {PasswordSource} from './password.js'
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

/** A KeyContext that also knows where the password came from. */
export interface CliKeyContext extends KeyContext {
  /**
   * `err` as the user should see it: a failed decryption with no password given at all says so
   * ("no password given: set COSIGN_PASSWORD …"), not "wrong password".
   */
  explain(err: unknown): unknown
}

/** Passwords and prompts for key providers, from env, terminal or stdin. */
export function keyContext(io: CommandIO): CliKeyContext {
  const std = processSources()
  let source: PasswordSource | undefined
  return {
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
  const found = keyProviders.find(({provider}) => provider.handles(keyRef))
  if (found) return found.provider
  const scheme = /^([a-z0-9+.-]+):/i.exec(keyRef)?.[1]
  throw new SigilError(
    'NO_KEY_PROVIDER',
    `no key provider handles "${scheme}:" keys; install the plugin that provides it (sigil plugins install …), see sigil providers`,
  )
}

/** Registry adapters from plugins, in order. */
export async function registryAdapters(io: CommandIO): Promise<RegistryAdapter[]> {
  return (await io.plugins()).registryAdapters.map((a) => a.adapter)
}
