/**
 * Loading a heavy optional dependency (a cloud SDK, a native binding) only when it is first
 * needed, so that loading a plugin costs nothing until one of its keys or registries is used.
 */
import {SigilError} from './errors.js'

/** Options of {@link lazyModule}. */
export interface LazyModuleOptions {
  /** The package the loader imports, for the message (`@aws-sdk/client-kms`). */
  readonly name: string
  /** What needs it (`AWS KMS keys`), for the message. */
  readonly neededFor?: string
  /**
   * The error to throw when the module cannot be loaded. Default a `SigilError` with code
   * `PLUGIN_FAILED`. Providers pass their own error class and code.
   */
  readonly error?: (message: string, cause: unknown) => Error
}

function isModuleNotFound(err: unknown): boolean {
  const code = (err as {code?: unknown} | null)?.code
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
}

/**
 * A memoised loader around `load` (a thunk such as `() => import('@aws-sdk/client-kms')`: the
 * `import()` stays in the calling package, where the module resolves). The first call starts
 * the import and later calls share it; a failed load is not remembered, so the next call tries
 * again. A failure becomes `options.error` (default `SigilError` `PLUGIN_FAILED`) whose message
 * names the package, what needs it, and, for a missing package, that it must be installed.
 */
export function lazyModule<T>(load: () => Promise<T>, options: LazyModuleOptions): () => Promise<T> {
  let pending: Promise<T> | undefined
  const fail = (err: unknown): never => {
    pending = undefined
    const reason = err instanceof Error ? err.message : String(err)
    const forWhat = options.neededFor === undefined ? '' : ` (needed for ${options.neededFor})`
    const hint = isModuleNotFound(err) ? `; install ${options.name} next to sigil` : ''
    const message = `cannot load ${options.name}${forWhat}: ${reason}${hint}`
    throw options.error ? options.error(message, err) : new SigilError('PLUGIN_FAILED', message, {cause: err})
  }
  return () => {
    // The async wrapper turns a synchronous throw of `load` into a rejection like any other.
    pending ??= (async () => load())().catch(fail)
    return pending
  }
}
