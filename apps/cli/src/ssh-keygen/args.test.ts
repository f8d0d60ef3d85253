import {describe, expect, test} from 'vitest'
import {parseSignArgs} from './args.js'

describe('parseSignArgs: the -Y sign command line as ssh-keygen reads it', () => {
  test('what git passes: -Y sign -n git -f KEYFILE [-U] FILE', () => {
    expect(parseSignArgs(['-Y', 'sign', '-n', 'git', '-f', '/k.pub', '/tmp/.git_signing_buffer_tmpX'])).toEqual({
      namespace: 'git',
      keyFile: '/k.pub',
      literal: false,
      quiet: false,
      hash: 'sha512',
      files: ['/tmp/.git_signing_buffer_tmpX'],
    })
    expect(parseSignArgs(['-Y', 'sign', '-n', 'git', '-f', '/tmp/.git_signing_key_tmpY', '-U', '/tmp/buf']).literal).toBe(true)
  })

  test('grouped flags, attached values, operands anywhere, -- and stdin', () => {
    const r = parseSignArgs(['-qU', '-Ysign', '-ngit', 'a', '-f', 'k.pub', '-O', 'hashalg=sha256', '--', '-b'])
    expect(r).toMatchObject({namespace: 'git', keyFile: 'k.pub', literal: true, quiet: true, hash: 'sha256', files: ['a', '-b']})
    expect(parseSignArgs(['-Y', 'sign', '-n', 'git', '-f', 'k.pub']).files).toEqual(['-'])
  })

  test('what it cannot do is refused by name', () => {
    expect(() => parseSignArgs(['-Y', 'sign', '-f', 'k.pub', 'x'])).toThrow(/missing namespace/)
    expect(() => parseSignArgs(['-Y', 'sign', '-n', '', '-f', 'k.pub', 'x'])).toThrow(/missing namespace/)
    expect(() => parseSignArgs(['-Y', 'sign', '-n', 'git', 'x'])).toThrow(/missing key/)
    expect(() => parseSignArgs(['-Y', 'sign', '-n', 'git', '-f'])).toThrow('option -f needs a value')
    expect(() => parseSignArgs(['-Y', 'sign', '-n', 'git', '-f', 'k', '-t', 'rsa', 'x'])).toThrow('-Y sign does not take -t')
    expect(() => parseSignArgs(['-Y', 'sign', '-n', 'git', '-f', 'k', '-%', 'x'])).toThrow('-Y sign does not take -%')
    expect(() => parseSignArgs(['-Y', 'sign', '-n', 'git', '-f', 'k', '-O', 'verify-time=1', 'x'])).toThrow('-O verify-time=1')
  })
})
