/**
 * The `ssh-keygen -Y sign` command line, read as ssh-keygen's getopt reads it: short options,
 * grouped (`-qU`) or not, values attached (`-ngit`) or next, operands anywhere, `--` ends options.
 */
import {SigilError} from '@sigil/core'
import type {SshsigHash} from '@sigil/core'
import {sshKeygen as text} from '../messages/ssh-keygen.js'

/** What `-Y sign` was asked to do. */
export interface SignRequest {
  readonly namespace: string
  readonly keyFile: string
  /** `-U`: git's `key::` literal, copied to a temporary file. */
  readonly literal: boolean
  readonly quiet: boolean
  readonly hash: SshsigHash
  /** Files to sign (each to FILE.sig); `-` is standard input, signed to standard output (the default). */
  readonly files: readonly string[]
}

// ssh-keygen's getopt string (OpenSSH 9.x): the options that take a value.
const WITH_VALUE = new Set('CDEFIMNOPRVYZabfgmnrstwz'.split(''))
const FLAGS = new Set('ABHKLQUXceghiklopquvy'.split(''))

/** Parse `argv` (everything after the program name) as a `-Y sign` call. Throws `INVALID_ARGUMENT`. */
export function parseSignArgs(argv: readonly string[]): SignRequest {
  const values = new Map<string, string[]>()
  const flags = new Set<string>()
  const files: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      files.push(...argv.slice(i + 1))
      break
    }
    if (!arg.startsWith('-') || arg === '-') {
      files.push(arg)
      continue
    }
    for (let j = 1; j < arg.length; j++) {
      const opt = arg[j]!
      if (WITH_VALUE.has(opt)) {
        const value = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i]
        if (value === undefined) throw new SigilError('INVALID_ARGUMENT', text.missingValue(opt))
        values.set(opt, [...(values.get(opt) ?? []), value])
        break
      }
      if (!FLAGS.has(opt)) throw new SigilError('INVALID_ARGUMENT', text.unsupportedOption(`-${opt}`))
      flags.add(opt)
    }
  }
  for (const opt of [...values.keys(), ...flags]) {
    if (!['Y', 'n', 'f', 'O', 'U', 'q'].includes(opt)) throw new SigilError('INVALID_ARGUMENT', text.unsupportedOption(`-${opt}`))
  }
  const last = (opt: string) => values.get(opt)?.at(-1)
  const namespace = last('n')
  if (!namespace) throw new SigilError('INVALID_ARGUMENT', text.missingNamespace)
  const keyFile = last('f')
  if (!keyFile) throw new SigilError('INVALID_ARGUMENT', text.missingKeyFile)
  let hash: SshsigHash = 'sha512'
  for (const option of values.get('O') ?? []) {
    const m = /^hashalg=(sha256|sha512)$/.exec(option)
    if (!m) throw new SigilError('INVALID_ARGUMENT', text.unsupportedSignOption(option))
    hash = m[1] as SshsigHash
  }
  return {namespace, keyFile, literal: flags.has('U'), quiet: flags.has('q'), hash, files: files.length === 0 ? ['-'] : files}
}
