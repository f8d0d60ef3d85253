import {readFileSync} from 'node:fs'
import {expect, test} from 'vitest'

// Providers depend on core only: the bridge needs no other sigil package.
test('the bridge depends on @sigil/core only', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, Record<string, string> | undefined>
  const runtime = ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) => Object.keys(pkg[field] ?? {}))
  expect(runtime).toEqual(['@sigil/core'])
})
