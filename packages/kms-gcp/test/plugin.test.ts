/**
 * The `sigil:plugin` hook module, as the CLI loads it: from dist, in a fresh node process.
 * Loading it (and asking the provider `handles`) must not load the Cloud KMS SDK or gRPC.
 */
import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, test} from 'vitest'

const pluginPath = fileURLToPath(new URL('../dist/plugin.js', import.meta.url))
const packageJson = fileURLToPath(new URL('../package.json', import.meta.url))

// Runs in the child: import the hook, use it, then report which SDK modules node has loaded.
const CHILD = `
import {createRequire} from 'node:module'
const [pluginPath, mode] = process.argv.slice(1)
const mod = await import(pluginPath)
const plugin = await mod.default({purpose: 'key-provider'})
const provider = plugin.keyProviders[0]
const handles = [
  provider.handles('gcpkms://projects/p/locations/global/keyRings/r/cryptoKeys/k'),
  provider.handles('awskms:///alias/x'),
  provider.handles('cosign.key'),
]
const require = createRequire(pluginPath)
// Positive control: prove the check below would see the SDK if it were loaded.
if (mode === 'control') await import('@google-cloud/kms')
const loaded = Object.keys(require.cache).filter((p) => /[\\\\/](@google-cloud[\\\\/]kms|@grpc[\\\\/]grpc-js|google-gax|google-auth-library)[\\\\/]/.test(p))
console.log(JSON.stringify({name: plugin.name, provider: provider.name, schemes: provider.schemes, handles, loaded: loaded.length}))
`

function run(mode: 'plain' | 'control'): {name: string; provider: string; schemes: string[]; handles: boolean[]; loaded: number} {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD, pluginPath, mode], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    encoding: 'utf8',
    env: {...process.env, METADATA_SERVER_DETECTION: 'none'},
  })
  return JSON.parse(out.trim().split('\n').at(-1)!)
}

describe('dist/plugin.js (the sigil:plugin hook)', () => {
  test('is the hook package.json declares', async () => {
    const pkg = (await import(packageJson, {with: {type: 'json'}})).default as {oclif: {hooks: Record<string, string>}}
    expect(pkg.oclif.hooks['sigil:plugin']).toBe('./dist/plugin.js')
    expect(existsSync(pluginPath)).toBe(true)
  })

  test('contributes the gcpkms provider and loads neither @google-cloud/kms nor @grpc/grpc-js', () => {
    const result = run('plain')
    expect(result).toEqual({
      name: '@sigil/kms-gcp',
      provider: 'gcpkms',
      schemes: ['gcpkms'],
      handles: [true, false, false],
      loaded: 0,
    })
  })

  test('control: the same check sees the SDK once it is imported', () => {
    expect(run('control').loaded).toBeGreaterThan(0)
  })
})
