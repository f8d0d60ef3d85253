// Records what each built-in (core) plugin contributes, by calling its `sigil:plugin` hook at
// build time: dist/plugin-capabilities.json. The lean start-up path reads it to know, without
// loading oclif or any plugin, whether a plain key file is served by the file provider alone
// (the same idea as oclif.manifest.json for commands).
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {pathToFileURL} from 'node:url'

const root = new URL('..', import.meta.url).pathname
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
// Packages may not export ./package.json: find it the way Node's resolution walks directories.
function packageJsonOf(name) {
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name, 'package.json')
    if (existsSync(candidate)) return candidate
    if (dirname(dir) === dir) throw new Error(`cannot find ${name} from ${root}`)
  }
}
const plugins = []
for (const name of pjson.oclif.plugins ?? []) {
  const pluginPjsonPath = packageJsonOf(name)
  const pluginPjson = JSON.parse(readFileSync(pluginPjsonPath, 'utf8'))
  const hook = pluginPjson.oclif?.hooks?.['sigil:plugin']
  if (!hook) {
    plugins.push({name, keyProviders: [], registryAdapters: []})
    continue
  }
  const {default: run} = await import(pathToFileURL(join(dirname(pluginPjsonPath), hook)).href)
  const contributed = await run({purpose: 'list'})
  plugins.push({
    name,
    keyProviders: (contributed.keyProviders ?? []).map((p) => ({
      name: p.name,
      schemes: p.schemes ?? [],
      handlesPaths: p.handles('./cosign.key') || p.handles('/tmp/cosign.key'),
    })),
    registryAdapters: (contributed.registryAdapters ?? []).map((a) => ({name: a.name, hosts: a.hosts ?? []})),
  })
}
writeFileSync(join(root, 'dist', 'plugin-capabilities.json'), `${JSON.stringify({plugins}, null, 2)}\n`)
