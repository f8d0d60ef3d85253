// Writes dist/oclif-commands.json: the commands the CLI's other oclif plugins (plugin-plugins,
// plugin-help, plugin-autocomplete) add, read from their manifests, so `sigil --help` can list
// them and sigil's entry point knows to hand them to oclif, without loading oclif.
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {packageRoot} from '../dist/runtime/plugin-loader.js'

const root = new URL('..', import.meta.url).pathname
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

function packageDir(name) {
  const dir = packageRoot(name, root)
  if (dir === undefined) throw new Error(`cannot find ${name} from ${root}`)
  return dir
}

const commands = []
for (const name of pjson.oclif.plugins ?? []) {
  const dir = packageDir(name)
  const plugin = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  if (!plugin.oclif?.commands) continue
  const manifestPath = join(dir, 'oclif.manifest.json')
  if (!existsSync(manifestPath)) throw new Error(`${name} has commands but no oclif.manifest.json`)
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
  for (const c of Object.values(manifest.commands ?? {})) {
    commands.push({id: c.id, summary: c.summary ?? c.description?.split('\n')[0], hidden: Boolean(c.hidden), plugin: name})
    for (const alias of c.aliases ?? []) commands.push({id: alias, summary: c.summary, hidden: true, plugin: name})
  }
}
writeFileSync(join(root, 'dist', 'oclif-commands.json'), `${JSON.stringify(commands, null, 2)}\n`)
