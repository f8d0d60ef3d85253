/**
 * The kit is what third-party plugin authors install, so it must stay light: its package
 * depends on `@sigil/core` and vitest only, and loading its built entry loads no registry
 * client, cloud SDK or gRPC.
 */
import {readFileSync} from 'node:fs'
import {runWithBlockedModules} from '@sigil/test-servers'
import {describe, expect, test} from 'vitest'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, Record<string, string> | undefined>
const entry = new URL('../dist/index.js', import.meta.url).href
const HEAVY = /(^|[\\/])(@sigil[\\/](oci|test-servers|key-file|kms-[^\\/]+|registry-[^\\/]+|signing)|@grpc|@google-cloud|google-gax|google-auth-library|@aws-sdk|@smithy)([\\/]|$)/

describe('@sigil/testkit depends on core and vitest only', () => {
  test('package.json: no dependency beyond @sigil/core and vitest', () => {
    const runtime = ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies', 'bundledDependencies']
      .flatMap((field) => Object.keys(pkg[field] ?? {}))
      .sort()
    expect(runtime).toEqual(['@sigil/core', 'vitest'])
  })

  test('importing the built entry loads no gRPC, Google, AWS or registry-client module', () => {
    const r = runWithBlockedModules(
      `const kit = await import(process.argv[1])
console.log(JSON.stringify({exports: Object.keys(kit).sort()}))`,
      {block: HEAVY, reason: 'testkit must not load', args: [entry]},
    )
    expect(r.status, r.stderr).toBe(0)
    expect(r.json()).toEqual({
      exports: [
        'attachmentStoreAddTests',
        'attachmentStoreBasicTests',
        'attachmentStoreDeleteTests',
        'attachmentStoreFaultTests',
        'attachmentStoreIsolationTests',
        'attachmentStoreListTests',
        'attachmentStoreManyTests',
        'attachmentStoreReadTests',
        'attachmentStoreSuite',
        'keyProviderSuite',
        'memoryAttachmentStore',
        'registryAdapterSuite',
      ],
    })
  })

  test('control: the same guard refuses those modules when something does load them', () => {
    const r = runWithBlockedModules(
      `let blocked
try { await import('@sigil/oci') } catch (e) { blocked = e.message }
console.log(JSON.stringify({blocked}))`,
      {block: HEAVY, reason: 'testkit must not load', cwd: new URL('..', import.meta.url).pathname},
    )
    expect(r.json()).toEqual({blocked: 'testkit must not load: @sigil/oci'})
  })
})
