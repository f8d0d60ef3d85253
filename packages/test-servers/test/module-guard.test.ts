import {describe, expect, test} from 'vitest'
import {runWithBlockedModules} from '../src/index.js'

describe('runWithBlockedModules', () => {
  test('a blocked specifier fails to load with the reason; others load', () => {
    const r = runWithBlockedModules(
      `let blocked
try { await import('node:zlib') } catch (e) { blocked = e.message }
const {sep} = await import('node:path')
console.log(JSON.stringify({blocked, sep, arg: process.argv[1]}))`,
      {block: /^node:zlib$/, reason: 'not allowed here', args: ['hello']},
    )
    expect(r.status, r.stderr).toBe(0)
    expect(r.json()).toEqual({blocked: 'not allowed here: node:zlib', sep: '/', arg: 'hello'})
  })

  test('without a match nothing is refused', () => {
    const r = runWithBlockedModules(`await import('node:zlib'); console.log(JSON.stringify({ok: true}))`, {block: /^nothing-matches$/})
    expect(r.json()).toEqual({ok: true})
  })
})
