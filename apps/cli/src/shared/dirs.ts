import {homedir} from 'node:os'
import {join} from 'node:path'

/** sigil's directories, as oclif names them: `SIGIL_<KIND>_DIR`, else the XDG location. */
export function sigilDir(kind: 'data' | 'cache' | 'config', env: NodeJS.ProcessEnv = process.env): string {
  const scoped = env[`SIGIL_${kind.toUpperCase()}_DIR`]
  if (scoped) return scoped
  const xdg = {data: env.XDG_DATA_HOME, cache: env.XDG_CACHE_HOME, config: env.XDG_CONFIG_HOME}[kind]
  const fallback = {data: join(homedir(), '.local', 'share'), cache: join(homedir(), '.cache'), config: join(homedir(), '.config')}[kind]
  return join(xdg || fallback, 'sigil')
}
