import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {runWithBlockedModules} from '@sigil/test-servers'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {MODULE, createTestToken, softHsmAvailable} from './softhsm.js'
import type {TestToken} from './softhsm.js'

// Runs the built package (dist) in a child node process in which pkcs11js cannot be loaded
// (testkit's runWithBlockedModules): loading the hook module and running the hook must not need it.
const DIST = fileURLToPath(new URL('../dist/', import.meta.url))
const guarded = (script: string) => runWithBlockedModules(script, {block: /^pkcs11js(\/|$)/, reason: 'pkcs11js was loaded'})

const plugin = pathToFileURL(join(DIST, 'plugin.js')).href

test('importing dist/plugin.js and running the hook does not load pkcs11js', () => {
  const r = guarded(
    `const m = await import(${JSON.stringify(plugin)})
const p = await m.default({purpose: 'list'})
const k = p.keyProviders[0]
console.log(JSON.stringify({name: p.name, provider: k.name, schemes: k.schemes, handles: k.handles('pkcs11:object=x')}))`,
  )
  expect(r.stderr).toBe('')
  expect(JSON.parse(r.stdout)).toEqual({name: 'sigil-plugin-pkcs11', provider: 'pkcs11', schemes: ['pkcs11'], handles: true})
})

test('the guard works: using a pkcs11: key does load pkcs11js', () => {
  const r = guarded(
    `const m = await import(${JSON.stringify(plugin)})
const k = (await m.default({purpose: 'key-provider'})).keyProviders[0]
try { await k.publicKey('pkcs11:object=x?module-path=${MODULE}', {}); console.log('loaded nothing?') } catch (e) { console.log(e.code + ': ' + e.message) }`,
  )
  expect(r.stdout).toMatch(/^KMS_ERROR: cannot load pkcs11js .*pkcs11js was loaded/)
})

describe.skipIf(!softHsmAvailable())('no leaked handles', () => {
  let token: TestToken
  beforeAll(() => {
    token = createTestToken()
  })
  afterAll(() => token?.cleanup())

  test('a process that generates, signs and verifies exits on its own (nothing keeps it alive)', () => {
    const ref = token.uri('object=exit-check')
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const {pkcs11Provider} = await import(${JSON.stringify(pathToFileURL(join(DIST, 'index.js')).href)})
const p = pkcs11Provider()
await p.generate(${JSON.stringify(ref)}, {})
const msg = new TextEncoder().encode('hello')
const sig = await (await p.signer(${JSON.stringify(ref)}, {})).sign(msg)
console.log((await p.verifier(${JSON.stringify(ref)}, {})).verify(msg, sig))`,
      ],
      {encoding: 'utf8', timeout: 20_000, env: {...process.env, SOFTHSM2_CONF: token.conf}},
    )
    expect(r.error).toBeUndefined() // not killed by the timeout
    expect(r.stderr).toBe('')
    expect(r.stdout.trim()).toBe('true')
    expect(r.status).toBe(0)
  })
})
