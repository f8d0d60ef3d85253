import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'

// The built module, in child processes: the hook patches Node's module loader for good.
const BUILT = fileURLToPath(new URL('../../dist/runtime/compile-cache.js', import.meta.url))
let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sigil-compile-cache-'))
  for (const [pkg, value] of [['@aws-sdk/fake', 'sdk'], ['other', 'other']] as const) {
    mkdirSync(join(dir, 'node_modules', pkg), {recursive: true})
    writeFileSync(join(dir, 'node_modules', pkg, 'index.js'), `exports.value = ${JSON.stringify(value)}; exports.dir = __dirname; exports.req = typeof require('node:path').join`)
  }
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

function load(env: Record<string, string> = {}): {out: string; err: string; status: number | null} {
  const code = `import(${JSON.stringify(BUILT)}).then(({enableCompileCache}) => {
    enableCompileCache(/^@aws-sdk\\//)
    const {createRequire} = require('node:module')
    const r = createRequire(${JSON.stringify(join(dir, 'x.js'))})
    const a = r('@aws-sdk/fake'), b = r('other')
    process.stdout.write(JSON.stringify([a.value, a.dir, a.req, b.value]))
  })`
  const r = spawnSync(process.execPath, ['-e', code], {encoding: 'utf8', env: {...process.env, SIGIL_CACHE_DIR: join(dir, 'cache'), ...env}})
  return {out: r.stdout, err: r.stderr, status: r.status}
}

const entries = () => {
  try {
    return readdirSync(join(dir, 'cache', 'compile-cache', `${process.version}-${process.arch}`))
  } catch {
    return []
  }
}

describe('the compile cache for on-demand SDKs', () => {
  test('caches only the matching packages, and modules behave as with Node\'s own loader', () => {
    const first = load()
    expect(first.status, first.err).toBe(0)
    expect(JSON.parse(first.out)).toEqual(['sdk', join(dir, 'node_modules', '@aws-sdk', 'fake'), 'function', 'other'])
    expect(entries()).toHaveLength(1)
    const second = load()
    expect(second.out).toBe(first.out)
    expect(entries()).toHaveLength(1)
  })

  test('a changed file runs its new code (its entry is new); a damaged entry is ignored and rewritten', () => {
    load()
    writeFileSync(join(dir, 'node_modules', '@aws-sdk', 'fake', 'index.js'), `exports.value = "changed"; exports.dir = __dirname; exports.req = 'x'`)
    expect(JSON.parse(load().out)[0]).toBe('changed')
    expect(entries()).toHaveLength(2)
    const base = join(dir, 'cache', 'compile-cache', `${process.version}-${process.arch}`)
    for (const e of entries()) {
      const bytes = readFileSync(join(base, e))
      bytes[bytes.length >> 1]! ^= 0xff
      writeFileSync(join(base, e), bytes)
    }
    const after = load()
    expect(after.status, after.err).toBe(0)
    expect(JSON.parse(after.out)[0]).toBe('changed')
  })

  test('SIGIL_NO_COMPILE_CACHE=1 turns it off', () => {
    expect(load({SIGIL_NO_COMPILE_CACHE: '1'}).status).toBe(0)
    expect(entries()).toHaveLength(0)
  })
})
