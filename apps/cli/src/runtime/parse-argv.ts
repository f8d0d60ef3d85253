/**
 * The one command-line parser: every sigil command's flags and arguments are parsed here, on
 * sigil's own start-up path and under oclif alike, so both accept and refuse the same input with
 * the same words. Usage errors are `INVALID_ARGUMENT` (exit 2).
 */
import {SigilError} from '@sigil/core'
import type {ArgSpec, FlagSpec, FlagSpecs} from '../command.js'

/** Parsed values; `help` when `--help`/`-h` was given (nothing else is checked then). */
export interface ParsedArgv {
  readonly flags: Record<string, string | boolean | number | string[] | undefined>
  readonly args: string[]
  readonly help: boolean
}

function usage(message: string): SigilError {
  return new SigilError('INVALID_ARGUMENT', message)
}

const BOOLEAN_TEXT = /^(true|false|1|0)$/i

/** Parse `argv` (the words after the command id) against a command's flags and arguments. */
export function parseArgv(argv: readonly string[], specs: FlagSpecs, argSpecs: readonly ArgSpec[] = []): ParsedArgv {
  const byName = new Map<string, [string, FlagSpec]>()
  const byChar = new Map<string, [string, FlagSpec]>()
  for (const [name, spec] of Object.entries(specs)) {
    byName.set(name, [name, spec])
    for (const alias of spec.aliases ?? []) byName.set(alias, [name, spec])
    if (spec.char) byChar.set(spec.char, [name, spec])
  }
  if (argv.some((a, i) => (a === '--help' || a === '-h') && !argv.slice(0, i).includes('--'))) return {flags: {}, args: [], help: true}

  const flags: ParsedArgv['flags'] = {}
  const args: string[] = []
  const set = (name: string, spec: FlagSpec, shown: string, raw: string): void => {
    if (spec.options && !spec.options.includes(raw)) {
      throw usage(`Expected ${shown}=${raw} to be one of: ${spec.options.join(', ')}`)
    }
    let value: string | number = raw
    if (spec.kind === 'integer') {
      if (!/^-?\d+$/.test(raw)) throw usage(`Expected an integer for ${shown} but received: ${raw}`)
      value = Number(raw)
      if (spec.min !== undefined && value < spec.min) {
        throw usage(`Expected an integer greater than or equal to ${spec.min} for ${shown} but received: ${raw}`)
      }
    }
    if (spec.multiple) flags[name] = [...((flags[name] as string[] | undefined) ?? []), String(value)]
    else flags[name] = value
  }

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      args.push(...argv.slice(i + 1))
      break
    }
    let entry: [string, FlagSpec] | undefined
    let shown: string
    let inline: string | undefined
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=')
      const word = eq === -1 ? arg.slice(2) : arg.slice(2, eq)
      inline = eq === -1 ? undefined : arg.slice(eq + 1)
      shown = `--${word}`
      entry = byName.get(word)
      if (!entry && word.startsWith('no-')) {
        const negated = byName.get(word.slice(3))
        if (negated && negated[1].kind === 'boolean' && negated[1].allowNo && inline === undefined) {
          flags[negated[0]] = false
          continue
        }
      }
    } else if (/^-[A-Za-z]/.test(arg)) {
      shown = `-${arg[1]}`
      entry = byChar.get(arg[1]!)
      inline = arg.length > 2 ? arg.slice(2).replace(/^=/, '') : undefined
    } else {
      args.push(arg)
      continue
    }
    if (!entry) throw usage(`Nonexistent flag: ${shown}`)
    const [name, spec] = entry
    if (spec.kind === 'boolean') {
      if (inline === undefined) flags[name] = true
      else if (BOOLEAN_TEXT.test(inline)) flags[name] = /^(true|1)$/i.test(inline)
      else throw usage(`${shown} takes no value (or true/false), got "${inline}"`)
      continue
    }
    const value = inline ?? argv[++i]
    if (value === undefined) throw usage(`Flag ${shown} expects a value`)
    set(name, spec, shown, value)
  }

  for (const [name, spec] of Object.entries(specs)) {
    if (flags[name] !== undefined) continue
    if (spec.required) throw usage(`Missing required flag --${name}`)
    if (spec.default !== undefined) flags[name] = Array.isArray(spec.default) ? [...spec.default] : (spec.default as string | boolean | number)
    else if (spec.multiple) flags[name] = []
    // A boolean without a default stays undefined when not given: "not said" differs from
    // --no-flag (e.g. --new-bundle-format, whose default comes from the user's settings).
  }

  const last = argSpecs.at(-1)
  if (!last?.variadic && args.length > argSpecs.length) throw usage(`Unexpected argument: ${args[argSpecs.length]}`)
  const missing = argSpecs.filter((a, i) => a.required && args[i] === undefined)
  if (missing.length > 0) throw usage(`Missing required argument ${missing.map((a) => a.name.toUpperCase()).join(', ')}`)
  return {flags, args, help: false}
}
