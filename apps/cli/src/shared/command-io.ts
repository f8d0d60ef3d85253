import {SigilError} from '@sigil/core'
import type {KeyContext, KeyProvider, RegistryAdapter} from '@sigil/core'
import type {CommandIO} from '../command.js'
import {askYesNo, processSources, readPassword} from './password.js'
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

/** Passwords and prompts for key providers, from env, terminal or stdin. */
export function keyContext(io: CommandIO): KeyContext {
  const std = processSources()
  return {
    getPassword: ({confirm}) => readPassword(confirm, std),
    confirm: (question) => askYesNo(question, std),
    log: (level, message) => (level === 'debug' ? trace(io, message) : info(io, message)),
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
