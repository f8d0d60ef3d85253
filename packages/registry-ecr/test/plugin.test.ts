/**
 * The `sigil:plugin` hook module, as the CLI loads it: from dist, in a fresh node process.
 * Loading it and asking the adapter `matches` must not load the AWS SDK. A module resolve
 * hook refuses every `@aws-sdk/*` and `@smithy/*` import in the child, so any SDK load fails loudly.
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
const plugin = await mod.default({purpose: 'registry-adapter'})
const adapter = plugin.registryAdapters[0]
const matches = ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'public.ecr.aws', 'ghcr.io'].map((h) => adapter.matches(h))
const publicCredentials = await adapter.credentials('ghcr.io', 'x/y') // not an ECR host: no SDK, no opinion
let control
// Positive control: the first private-registry login must hit the blocker.
if (mode === 'control') control = await adapter.credentials('123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'app').then(() => 'loaded', (e) => e.code + ' ' + e.message)
const sdkInRequireCache = Object.keys(createRequire(pluginPath).cache).filter((p) => /[\\\\/]@(aws-sdk|smithy)[\\\\/]/.test(p)).length
console.log(JSON.stringify({name: plugin.name, adapter: adapter.name, hosts: adapter.hosts, capabilities: adapter.capabilities, matches, publicCredentials: publicCredentials ?? null, sdkInRequireCache, control}))
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

  test('contributes the ecr adapter without loading @aws-sdk', () => {
    expect(run('plain')).toEqual({
      name: '@sigil/registry-ecr',
      adapter: 'ecr',
      hosts: ['*.dkr.ecr.*.amazonaws.com', '*.dkr.ecr-fips.*.amazonaws.com', '*.dkr.ecr.*.amazonaws.com.cn', '*.dkr-ecr.*.on.aws', '*.dkr-ecr-fips.*.on.aws', 'public.ecr.aws'],
      capabilities: {referrersApi: false, mutableTags: false, ociManifests: true},
      matches: [true, true, false],
      publicCredentials: null,
      sdkInRequireCache: 0,
    })
  })

  test('control: the first private-registry login imports the SDK (and the blocker sees it)', () => {
    expect(run('control').control).toMatch(/^REGISTRY_AUTH_FAILED .*SDK load blocked: @aws-sdk\/client-ecr/)
  })
})
