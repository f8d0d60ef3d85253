/**
 * The `sigil:plugin` hook module, as the CLI loads it: from dist, in a fresh node process.
 * Loading it and asking the provider `handles` must not load the AWS SDK. A module resolve
 * hook (testkit's runWithBlockedModules) refuses every `@aws-sdk/*` and `@smithy/*` import.
 */
import {existsSync, readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {runWithBlockedModules} from '@sigil/test-servers'
import {describe, expect, test} from 'vitest'

const pluginPath = fileURLToPath(new URL('../dist/plugin.js', import.meta.url))
const packageJson = fileURLToPath(new URL('../package.json', import.meta.url))

const CHILD = `
import {createRequire} from 'node:module'
const [pluginPath, mode] = process.argv.slice(1)
const mod = await import(pluginPath)
const plugin = await mod.default({purpose: 'key-provider'})
const provider = plugin.keyProviders[0]
const handles = ['awskms:///alias/x', 'awskms://127.0.0.1:9/${'1234abcd-12ab-34cd-56ef-1234567890ab'}', 'gcpkms://projects/p', 'cosign.key'].map((r) => provider.handles(r))
let control
// Positive control: the provider's first real use must hit the blocker.
if (mode === 'control') control = await provider.publicKey('awskms://127.0.0.1:9/alias/x', {}).then(() => 'loaded', (e) => e.code + ' ' + e.message)
const sdkInRequireCache = Object.keys(createRequire(pluginPath).cache).filter((p) => /[\\\\/]@(aws-sdk|smithy)[\\\\/]/.test(p)).length
console.log(JSON.stringify({name: plugin.name, provider: provider.name, schemes: provider.schemes, handles, sdkInRequireCache, control}))
`

// Every @aws-sdk/* and @smithy/* import in the child is refused, so any SDK load fails loudly.
function run(mode: 'plain' | 'control') {
  return runWithBlockedModules(CHILD, {
    block: /(^|[\\/])@(aws-sdk|smithy)[\\/]/,
    reason: 'SDK load blocked',
    args: [pluginPath, mode],
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  }).json()
}

describe('dist/plugin.js (the sigil:plugin hook)', () => {
  test('is the hook package.json declares', () => {
    const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as {oclif: {hooks: Record<string, string>}}
    expect(pkg.oclif.hooks['sigil:plugin']).toBe('./dist/plugin.js')
    expect(existsSync(pluginPath)).toBe(true)
  })

  test('contributes the awskms provider without loading @aws-sdk', () => {
    expect(run('plain')).toEqual({
      name: '@sigil/kms-aws',
      provider: 'awskms',
      schemes: ['awskms'],
      handles: [true, true, false, false],
      sdkInRequireCache: 0,
    })
  })

  test('control: the first real use of the provider imports the SDK (and the blocker sees it)', () => {
    expect(run('control').control).toMatch(/^KMS_ERROR .*SDK load blocked: @aws-sdk\/client-kms/)
  })
})
