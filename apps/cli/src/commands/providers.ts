import {BaseCommand} from '../shared/base-command.js'
import {composePlugins} from '../shared/plugins.js'
import {providers as text} from '../messages.js'

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

export default class Providers extends BaseCommand<ProvidersResultJson> {
  static override summary = text.summary
  static override description = text.description
  static override examples = text.examples

  public async run(): Promise<ProvidersResultJson> {
    await this.parse(Providers)
    const loaded = await this.loadPlugins('list')
    composePlugins(loaded) // surfaces conflicts here too
    const order = (p: {origin: string; name: string}) => `${p.origin === 'core' ? 0 : 1}${p.name}`
    const plugins = [...loaded].sort((a, b) => order(a).localeCompare(order(b))).map((p) => ({
      name: p.name,
      version: p.version,
      origin: p.origin,
      keyProviders: (p.plugin.keyProviders ?? []).map((k) => ({name: k.name, schemes: [...(k.schemes ?? [])]})),
      registryAdapters: (p.plugin.registryAdapters ?? []).map((a) => ({name: a.name, hosts: [...(a.hosts ?? [])]})),
    }))
    if (!this.jsonEnabled()) {
      for (const p of plugins) {
        const keys = p.keyProviders.map((k) => `${k.name}${k.schemes.length ? ` (${k.schemes.map((s) => `${s}://`).join(', ')})` : ''}`)
        const hosts = p.registryAdapters.map((a) => `${a.name}${a.hosts.length ? ` (${a.hosts.join(', ')})` : ''}`)
        process.stdout.write(`${p.name} ${p.version} [${p.origin}]\n`)
        if (keys.length) process.stdout.write(`  keys:       ${keys.join('; ')}\n`)
        if (hosts.length) process.stdout.write(`  registries: ${hosts.join('; ')}\n`)
      }
    }
    return {plugins}
  }
}
