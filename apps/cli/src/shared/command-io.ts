import {SigilError} from '@sigil/core'
import type {KeyContext, KeyProvider, RegistryAdapter, SigilPlugin} from '@sigil/core'
import {askYesNo, readPassword} from './password.js'

/** What an action needs from its host (oclif or the lean path). */
export interface CommandIO {
  /** sigil's version, for the User-Agent. */
  readonly version: string
  readonly json: boolean
  readonly verbose: boolean
  /** Plugins answering the `sigil:plugin` hook (none on the lean path). */
  plugins(purpose: 'key-provider' | 'registry-adapter'): Promise<SigilPlugin[]>
}

/** A line for people, on stderr (silent under --json, so stdout stays machine-readable). */
export function info(io: CommandIO, message: string): void {
  if (!io.json) process.stderr.write(`${message}\n`)
}

/** A diagnostic line under --verbose. Never secrets. */
export function trace(io: CommandIO, message: string): void {
  if (io.verbose) process.stderr.write(`${message}\n`)
}

/** Passwords and prompts for key providers, from env, terminal or stdin. */
export function keyContext(io: CommandIO): KeyContext {
  const std = {env: process.env, stdin: process.stdin, stderr: process.stderr}
  return {
    getPassword: ({confirm}) => readPassword(confirm, std),
    confirm: (question) => askYesNo(question, std),
    log: (level, message) => (level === 'debug' ? trace(io, message) : info(io, message)),
  }
}

/** True when `keyRef` is a `scheme://` URI other than `env://` (plugins own those). */
export function isPluginKeyRef(keyRef: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(keyRef) && !keyRef.startsWith('env://')
}

/** The key provider that owns `keyRef`: plugins first, then the built-in file provider. */
export async function keyProviderFor(io: CommandIO, keyRef: string): Promise<KeyProvider> {
  if (isPluginKeyRef(keyRef) || keyRef.startsWith('pkcs11:')) {
    for (const p of await io.plugins('key-provider')) for (const kp of p.keyProviders ?? []) if (kp.handles(keyRef)) return kp
  }
  const {fileKeyProvider} = await import('@sigil/key-file')
  const file = fileKeyProvider()
  if (file.handles(keyRef)) return file
  const scheme = /^([a-z0-9+.-]+):/i.exec(keyRef)?.[1]
  throw new SigilError(
    'NO_KEY_PROVIDER',
    `no key provider handles "${scheme}:" keys; install the plugin that provides it (sigil plugins install …)`,
  )
}

/** Registry adapters from plugins, in order. */
export async function registryAdapters(io: CommandIO): Promise<RegistryAdapter[]> {
  return (await io.plugins('registry-adapter')).flatMap((p) => [...(p.registryAdapters ?? [])])
}
