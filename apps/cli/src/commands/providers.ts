import {defineCommand} from '../command.js'
import {writeStdout} from '../shared/stdio.js'
import {providers as text} from '../messages/providers.js'

/** What `providers --json` prints. */
export interface ProvidersResultJson {
  plugins: Array<{
    name: string
    version: string
    origin: string
    keyProviders: Array<{name: string; schemes: string[]}>
    registryAdapters: Array<{name: string; hosts: string[]}>
  }>
}

export default defineCommand({
  summary: text.summary,
  description: text.description,
  examples: text.examples,
  flags: {},
  async run({io}): Promise<ProvidersResultJson> {
    // Composing checks for conflicts, so they surface here too.
    const {plugins: loaded} = await io.plugins()
    const order = (p: {origin: string; name: string}) => `${p.origin === 'core' ? 0 : 1}${p.name}`
    const plugins = [...loaded]
      .sort((a, b) => order(a).localeCompare(order(b)))
      .map((p) => ({
        name: p.name,
        version: p.version,
        origin: p.origin,
        keyProviders: (p.plugin.keyProviders ?? []).map((k) => ({name: k.name, schemes: [...(k.schemes ?? [])]})),
        registryAdapters: (p.plugin.registryAdapters ?? []).map((a) => ({name: a.name, hosts: [...(a.hosts ?? [])]})),
      }))
    if (!io.json) {
      for (const p of plugins) {
        const keys = p.keyProviders.map((k) => `${k.name}${k.schemes.length ? ` (${k.schemes.map((s) => `${s}://`).join(', ')})` : ''}`)
        const hosts = p.registryAdapters.map((a) => `${a.name}${a.hosts.length ? ` (${a.hosts.join(', ')})` : ''}`)
        writeStdout(`${p.name} ${p.version} [${p.origin}]\n`)
        if (keys.length) writeStdout(`  keys:       ${keys.join('; ')}\n`)
        if (hosts.length) writeStdout(`  registries: ${hosts.join('; ')}\n`)
      }
    }
    return {plugins}
  },
})
