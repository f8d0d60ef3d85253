import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {MODULE, createTestToken, softHsmAvailable} from './softhsm.js'
import type {TestToken} from './softhsm.js'

// Runs the built package (dist) in a child node process with a module resolve hook that
// refuses pkcs11js: loading the hook module and running the hook must not need it.
const DIST = fileURLToPath(new URL('../dist/', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'sigil-pkcs11-lazy-'))
writeFileSync(
  join(dir, 'hooks.mjs'),
  `export async function resolve(specifier, context, next) {
  if (specifier === 'pkcs11js' || specifier.startsWith('pkcs11js/')) throw new Error('pkcs11js was loaded (' + specifier + ')')
  return next(specifier, context)
}\n`,
)
writeFileSync(join(dir, 'register.mjs'), `import {register} from 'node:module'\nregister('./hooks.mjs', import.meta.url)\n`)

function node(script: string, opts: {guard: boolean; env?: NodeJS.ProcessEnv}) {
  const args = [...(opts.guard ? ['--import', pathToFileURL(join(dir, 'register.mjs')).href] : []), '--input-type=module', '-e', script]
  return spawnSync(process.execPath, args, {encoding: 'utf8', timeout: 20_000, env: {...process.env, ...opts.env}})
}

const plugin = pathToFileURL(join(DIST, 'plugin.js')).href

test('importing dist/plugin.js and running the hook does not load pkcs11js', () => {
  const r = node(
    `const m = await import(${JSON.stringify(plugin)})
const p = await m.default({purpose: 'list'})
const k = p.keyProviders[0]
console.log(JSON.stringify({name: p.name, provider: k.name, schemes: k.schemes, handles: k.handles('pkcs11:object=x')}))`,
    {guard: true},
  )
  expect(r.stderr).toBe('')
  expect(JSON.parse(r.stdout)).toEqual({name: 'sigil-plugin-pkcs11', provider: 'pkcs11', schemes: ['pkcs11'], handles: true})
})

test('the guard works: using a pkcs11: key does load pkcs11js', () => {
  const r = node(
    `const m = await import(${JSON.stringify(plugin)})
const k = (await m.default({purpose: 'key-provider'})).keyProviders[0]
try { await k.publicKey('pkcs11:object=x?module-path=${MODULE}', {}); console.log('loaded nothing?') } catch (e) { console.log(e.code + ': ' + e.message) }`,
    {guard: true},
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
    const r = node(
      `const {pkcs11Provider} = await import(${JSON.stringify(pathToFileURL(join(DIST, 'index.js')).href)})
const p = pkcs11Provider()
await p.generate(${JSON.stringify(ref)}, {})
const msg = new TextEncoder().encode('hello')
const sig = await (await p.signer(${JSON.stringify(ref)}, {})).sign(msg)
console.log((await p.verifier(${JSON.stringify(ref)}, {})).verify(msg, sig))`,
      {guard: false, env: {SOFTHSM2_CONF: token.conf}},
    )
    expect(r.error).toBeUndefined() // not killed by the timeout
    expect(r.stderr).toBe('')
    expect(r.stdout.trim()).toBe('true')
    expect(r.status).toBe(0)
  })
})
