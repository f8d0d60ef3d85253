import {describe, expect, test} from 'vitest'
import {parseLean} from './flag-spec.js'
import type {FlagSpecs} from './flag-spec.js'

const specs = {
  key: {kind: 'string', char: 'k', description: '', required: true},
  annotations: {kind: 'string', char: 'a', description: '', multiple: true, default: []},
  'check-claims': {kind: 'boolean', description: '', allowNo: true, default: true},
  yes: {kind: 'boolean', char: 'y', description: '', default: false},
  output: {kind: 'string', char: 'o', description: '', options: ['json', 'text'], default: 'json'},
  'max-workers': {kind: 'integer', description: '', default: 10, min: 1},
} as const satisfies FlagSpecs

describe('parseLean', () => {
  test('parses long, short, inline and repeated flags, keeps positionals in order', () => {
    expect(parseLean(['--key', 'k.pub', 'img1', '-a', 'x=1', '-a=y=2', '--annotations=z=3', 'img2', '-y', '-ojson'], specs)).toEqual({
      flags: {key: 'k.pub', annotations: ['x=1', 'y=2', 'z=3'], yes: true, output: 'json', 'check-claims': true, 'max-workers': 10},
      args: ['img1', 'img2'],
    })
  })

  test.each([
    [['--check-claims=false'], false],
    [['--check-claims=true'], true],
    [['--no-check-claims'], false],
    [['--check-claims'], true],
  ])('cosign-style boolean %j → %s', (extra, value) => {
    expect(parseLean(['-k', 'k', 'img', ...extra], specs)?.flags['check-claims']).toBe(value)
  })

  test('integers are parsed and bounded', () => {
    expect(parseLean(['-k', 'k', '--max-workers', '3', 'img'], specs)?.flags['max-workers']).toBe(3)
    expect(parseLean(['-k', 'k', '--max-workers', '0', 'img'], specs)).toBeUndefined()
    expect(parseLean(['-k', 'k', '--max-workers', 'x', 'img'], specs)).toBeUndefined()
  })

  test('-- ends flags', () => {
    expect(parseLean(['-k', 'k', '--', '--weird'], specs)?.args).toEqual(['--weird'])
  })

  test.each([
    ['help', ['-k', 'k', 'img', '--help']],
    ['short help', ['-h']],
    ['unknown flag', ['-k', 'k', '--nope', 'img']],
    ['unknown short flag', ['-k', 'k', '-z', 'img']],
    ['missing required flag', ['img']],
    ['missing value', ['img', '--key']],
    ['value not in options', ['-k', 'k', '-o', 'yaml', 'img']],
    ['boolean with a value it cannot take', ['-k', 'k', '--yes=maybe', 'img']],
  ])('leaves %s to oclif', (_name, argv) => {
    expect(parseLean(argv, specs)).toBeUndefined()
  })
})
