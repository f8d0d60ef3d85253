/**
 * The user's sigil settings: `config.json` in sigil's config directory (`$SIGIL_CONFIG_DIR`, else
 * `$XDG_CONFIG_HOME/sigil`, else `~/.config/sigil`). Flags win over environment variables, which
 * win over this file. A missing file is no settings; a broken one is an error naming it.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {SigilError} from '@sigil/core'
import {sigilDir} from './dirs.js'

/** What config.json may hold. */
export interface UserConfig {
  /** How `sigil sign` stores signatures by default: `legacy` (the `.sig` tag) or `bundle` (cosign 3's referrers). */
  readonly signatureFormat?: 'legacy' | 'bundle'
}

export function userConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(sigilDir('config', env), 'config.json')
}

export function readUserConfig(env: NodeJS.ProcessEnv = process.env): UserConfig {
  const file = userConfigFile(env)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new SigilError('INVALID_ARGUMENT', `cannot read ${file}: ${(err as Error).message}`, {cause: err})
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new SigilError('INVALID_ARGUMENT', `${file} is not valid JSON (${(err as Error).message})`, {cause: err})
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new SigilError('INVALID_ARGUMENT', `${file} must hold a JSON object`)
  const format = (doc as {signatureFormat?: unknown}).signatureFormat
  if (format !== undefined && format !== 'legacy' && format !== 'bundle') {
    throw new SigilError('INVALID_ARGUMENT', `${file}: signatureFormat must be "legacy" or "bundle", not ${JSON.stringify(format)}`)
  }
  return format === undefined ? {} : {signatureFormat: format}
}

/** Whether `sign` writes cosign 3's bundle format: the flag, else SIGIL_NEW_BUNDLE_FORMAT, else config.json, else no. */
export function signsBundles(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag !== undefined) return flag
  const fromEnv = env.SIGIL_NEW_BUNDLE_FORMAT
  if (fromEnv !== undefined && fromEnv !== '') return /^(1|true|yes)$/i.test(fromEnv)
  return readUserConfig(env).signatureFormat === 'bundle'
}
