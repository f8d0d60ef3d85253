import {describe, expect, test} from 'vitest'
import type {FlagSpecs} from '../command.js'
import {parseArgv} from './parse-argv.js'

const specs = {
  key: {kind: 'string', char: 'k', description: '', required: true},
  annotations: {kind: 'string', char: 'a', description: '', multiple: true, default: []},
  'check-claims': {kind: 'boolean', description: '', allowNo: true, default: true},
  yes: {kind: 'boolean', char: 'y', description: '', default: false},
  output: {kind: 'string', char: 'o', description: '', options: ['json', 'text'], default: 'json'},
  'max-workers': {kind: 'integer', description: '', default: 10, min: 1},
} as const satisfies FlagSpecs
const images = [{name: 'image', description: '', required: true, variadic: true}]

describe('parseArgv', () => {
  test('parses long, short, inline and repeated flags, keeps positionals in order', () => {
    expect(parseArgv(['--key', 'k.pub', 'img1', '-a', 'x=1', '-a=y=2', '--annotations=z=3', 'img2', '-y', '-ojson'], specs, images)).toEqual({
      flags: {key: 'k.pub', annotations: ['x=1', 'y=2', 'z=3'], yes: true, output: 'json', 'check-claims': true, 'max-workers': 10},
      args: ['img1', 'img2'],
      help: false,
    })
  })

  test.each([
    [['--check-claims=false'], false],
    [['--check-claims=true'], true],
    [['--no-check-claims'], false],
    [['--check-claims'], true],
  ])('cosign-style boolean %j → %s', (extra, value) => {
    expect(parseArgv(['-k', 'k', 'img', ...extra], specs, images).flags['check-claims']).toBe(value)
  })

  test('integers are parsed and bounded', () => {
    expect(parseArgv(['-k', 'k', '--max-workers', '3', 'img'], specs, images).flags['max-workers']).toBe(3)
    expect(() => parseArgv(['-k', 'k', '--max-workers', '0', 'img'], specs, images)).toThrow(/greater than or equal to 1/)
    expect(() => parseArgv(['-k', 'k', '--max-workers', 'x', 'img'], specs, images)).toThrow(/integer/)
  })

  test('-- ends flags', () => {
    expect(parseArgv(['-k', 'k', '--', '--weird'], specs, images).args).toEqual(['--weird'])
  })

  test.each([
    ['help', ['-k', 'k', 'img', '--help']],
    ['short help', ['-h']],
    ['help even with a bad flag', ['--nope', '--help']],
  ])('%s → help', (_name, argv) => {
    expect(parseArgv(argv, specs, images).help).toBe(true)
  })

  test.each([
    ['unknown flag', ['-k', 'k', '--nope', 'img'], /Nonexistent flag: --nope/],
    ['unknown short flag', ['-k', 'k', '-z', 'img'], /Nonexistent flag: -z/],
    ['missing required flag', ['img'], /Missing required flag --key/],
    ['missing value', ['img', '--key'], /--key expects a value/],
    ['value not in options', ['-k', 'k', '-o', 'yaml', 'img'], /Expected -o=yaml to be one of: json, text/],
    ['boolean with a value it cannot take', ['-k', 'k', '--yes=maybe', 'img'], /--yes takes no value/],
    ['missing argument', ['-k', 'k'], /Missing required argument IMAGE/],
  ])('%s is a usage error (exit 2)', (_name, argv, message) => {
    let thrown: unknown
    try {
      parseArgv(argv, specs, images)
    } catch (err) {
      thrown = err
    }
    expect(thrown).toMatchObject({code: 'INVALID_ARGUMENT', message: expect.stringMatching(message)})
  })

  test('a command without a variadic argument refuses extra words', () => {
    expect(() => parseArgv(['a', 'b'], {}, [{name: 'registry', description: '', required: true}])).toThrow(/Unexpected argument: b/)
  })
})
