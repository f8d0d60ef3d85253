import {describe, expect, test} from 'vitest'
import {formatScopes, parseScopes} from './scope.js'

describe('scopes', () => {
  test('parse and format as sorted sets (action order does not matter)', () => {
    const s = parseScopes('repository:a/b:push,pull registry:catalog:* repository:a/b:delete')
    expect(formatScopes(s)).toEqual(['registry:catalog:*', 'repository:a/b:delete,pull,push'])
  })
})
